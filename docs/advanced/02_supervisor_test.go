package advanced_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/schedule"
)

func Example_supervisorOwnsWorkers() {
	var mu sync.Mutex
	starts, stops := map[string]int{}, map[string]int{}
	up := make(chan string, 16)
	// A worker runs until it is stopped; "b" crashes on its first two runs.
	worker := func(name string) eff.Effect[struct{}] {
		return eff.Do(func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			starts[name]++
			if name == "b" && starts[name] <= 2 {
				return fmt.Errorf("%s crashed", name)
			}
			up <- name
			return nil
		}).AndThen(eff.Never[struct{}]()).
			OnInterrupt(func(error) eff.Effect[struct{}] {
				return eff.Sync(func() struct{} { mu.Lock(); stops[name]++; mu.Unlock(); return struct{}{} })
			})
	}
	// The supervisor forks each worker, one for one: a crash restarts that
	// worker only. The workers are fibers of the supervisor's scope, so
	// when the supervisor ends, for whatever reason, every one of them is
	// interrupted and awaited.
	supervisor := func(names []string) eff.Effect[struct{}] {
		restart := schedule.Spaced(time.Millisecond).ResetAfter(time.Minute)
		forkAll := eff.ForEach(names, func(n string) eff.Effect[*eff.Fiber[struct{}]] {
			return eff.Fork(worker(n).Retry(restart))
		})
		allUp := eff.Do(func(ctx context.Context) error {
			for range names {
				select {
				case <-up:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
		return forkAll.AndThen(allUp).Scoped() // the scope closes here
	}
	_, err := eff.Run(context.Background(), supervisor([]string{"a", "b", "c"}))
	fmt.Println("supervisor:", err)
	fmt.Println("starts:", starts)
	fmt.Println("stops:", stops)
	// Output:
	// supervisor: <nil>
	// starts: map[a:1 b:3 c:1]
	// stops: map[a:1 b:1 c:1]
}
