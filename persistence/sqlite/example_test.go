package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gogoscope/gogoscope/effect"
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
	out, err := effect.Run(ctx, persistence.WithLock(store, "migrate", persistence.LockOptions{TTL: 10 * time.Second},
		func(h *persistence.Held) effect.Effect[any, error, string] {
			return effect.Succeed[any, error](fmt.Sprintf("migrated under token %d", h.Token()))
		}), nil)
	fmt.Println(out, err)
	// Output: migrated under token 1 <nil>
}
