package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

func Example_drainQueueOnShutdown() {
	jobs := stream.NewQueue[string](16, stream.BackPressure)
	// The worker takes jobs until the queue is closed and drained.
	worker := stream.FromQueue[any, error](jobs).ForEach(func(job string) eff.Effect[struct{}] {
		return eff.Sleep(time.Millisecond).AndThen(eff.Sync(func() struct{} {
			fmt.Println("processed", job)
			return struct{}{}
		}))
	})
	shutdown := eff.Sync(func() struct{} {
		jobs.Close() // refuse new jobs; the buffered ones stay
		fmt.Println("shutting down with", jobs.Len(), "jobs queued")
		return struct{}{}
	})
	// The jobs are offered and the queue closed before the worker starts, so
	// that the count printed does not depend on how fast the worker is.
	prog := jobs.OfferAll[any, error]([]string{"a", "b", "c"}).
		AndThen(shutdown).
		AndThen(eff.Fork(worker).FlatMap(func(w *eff.Fiber[struct{}]) eff.Effect[struct{}] {
			return eff.Join(w).Timeout(5 * time.Second) // drain, within a deadline
		}))
	_, err := eff.Run(context.Background(), prog)
	fmt.Println("drained:", err == nil, "- a job offered now is refused:", !jobs.TryOffer("d"))
	// Output:
	// shutting down with 3 jobs queued
	// processed a
	// processed b
	// processed c
	// drained: true - a job offered now is refused: true
}
