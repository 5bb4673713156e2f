package recipes_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/resource"
)

func Example_concurrencyLimitSharedByCallers() {
	var inFlight, most atomic.Int64
	query := eff.Sync(func() int64 {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		return n
	}).AndThen(eff.Sleep(2 * time.Millisecond)).
		Ensuring(eff.Sync(func() int64 { return inFlight.Add(-1) }))
	// One semaphore of 2 permits bounds the database calls of every caller,
	// whatever their own parallelism.
	prog := resource.NewSemaphore[any, error](2).FlatMap(func(db *resource.Semaphore) eff.Effect[[][]struct{}] {
		caller := func(int) eff.Effect[[]struct{}] {
			return eff.ForEachPar(make([]int, 10), func(int) eff.Effect[struct{}] {
				return db.WithPermits(1, query)
			}, eff.Par{Limit: 10})
		}
		return eff.ForEachPar([]int{1, 2, 3}, caller, eff.Par{})
	})
	_, err := eff.Run(context.Background(), prog.Scoped())
	fmt.Println(err, "- most queries at once:", most.Load())
	// Output: <nil> - most queries at once: 2
}
