package postgres_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/postgres"
)

// Open connects to the database of POSTGRES_DSN and creates the lock tables
// if needed. It needs a server, so it is compiled but not run by go test.
func ExampleOpen() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("POSTGRES_DSN"), postgres.Options{Table: "app_locks"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	l, err := persistence.Acquire(ctx, store, "nightly", persistence.NewOwner(), 30*time.Second, persistence.WaitOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Release(ctx, l)
	fmt.Println("holding", l)
}
