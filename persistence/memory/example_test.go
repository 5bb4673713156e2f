package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
)

// New makes a store for one process; its leases expire on this process's
// clock.
func ExampleNew() {
	s := memory.New()
	ctx := context.Background()
	l, _ := s.TryAcquire(ctx, "job", persistence.NewOwner(), time.Minute)
	_, err := s.TryAcquire(ctx, "job", persistence.NewOwner(), time.Minute)
	fmt.Println(l.Token, err)
	fmt.Println(s.Release(ctx, l))
	// Output:
	// 1 persistence: lock "job" is held
	// <nil>
}
