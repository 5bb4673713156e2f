package advanced_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/schedule"
)

func Example_restartFailingWorker() {
	runs := 0
	worker := eff.Do(func(context.Context) error {
		runs++
		if runs < 3 {
			return fmt.Errorf("lost the connection (run %d)", runs)
		}
		return nil // the third run finishes its job
	})
	// Restart on failure with a growing delay, at most 5 times; a worker
	// that stayed up for a minute starts its backoff over.
	restarts := schedule.Exponential(time.Millisecond).Capped(time.Second).
		Intersect(schedule.Recurs(5)).
		ResetAfter(time.Minute).
		Tap(func(d schedule.Decision[time.Duration]) {
			if d.Continue {
				fmt.Printf("worker failed: %v; restart %d in %v\n", d.Input, d.Attempt, d.Delay)
			}
		})
	_, err := eff.Run(context.Background(), worker.Retry(restarts))
	fmt.Println("done:", err, "after", runs, "runs")

	// A worker that keeps failing gives up after the last restart, with its
	// last error.
	broken := eff.Do(func(context.Context) error { return errors.New("bad config") })
	_, err = eff.Run(context.Background(), broken.Retry(schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(2))))
	fmt.Println("gave up:", err)
	// Output:
	// worker failed: lost the connection (run 1); restart 1 in 1ms
	// worker failed: lost the connection (run 2); restart 2 in 2ms
	// done: <nil> after 3 runs
	// gave up: bad config
}
