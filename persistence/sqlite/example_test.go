package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/sqlite"
)

// Open makes (or opens) the database file that the processes of one
// machine share.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "locks.db"), sqlite.Options{Prefix: "app:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	out, err := eff.Run(ctx, persistence.WithLock(store, "migrate", persistence.LockOptions{TTL: 10 * time.Second},
		func(h *persistence.Held) eff.Effect[string] {
			return eff.Succeed(fmt.Sprintf("migrated under token %d", h.Token()))
		}))
	fmt.Println(out, err)
	// Output: migrated under token 1 <nil>
}
