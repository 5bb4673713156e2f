package effect_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

var errRefused = errors.New("connection refused")

// flakyFetch returns an effect that fails its first failures runs with
// errRefused, then succeeds with "payload".
func flakyFetch(failures int) effect.Effect[any, error, string] {
	calls := 0
	return effect.Try[any](func(context.Context) (string, error) {
		calls++
		if calls <= failures {
			return "", errRefused
		}
		return "payload", nil
	})
}

func ExampleRetry() {
	// Exponential backoff from 10ms (10ms, 20ms, 40ms, …), at most 5 retries,
	// logging each retry (go-go-scope's onRetry).
	policy := schedule.Exponential(10 * time.Millisecond).
		Intersect(schedule.Recurs(5)).
		Tap(func(d schedule.Decision[time.Duration]) {
			if d.Continue {
				fmt.Printf("retry %d in %v after: %v\n", d.Attempt, d.Delay, d.Input)
			}
		})
	v, err := effect.Run(context.Background(), effect.Retry(flakyFetch(2), policy), nil)
	fmt.Println(v, err)
	// Output:
	// retry 1 in 10ms after: connection refused
	// retry 2 in 20ms after: connection refused
	// payload <nil>
}

func ExampleEffect_Retry() {
	// As a method, in a pipeline: retry the fetch, then parse what it got.
	size := flakyFetch(1).
		Retry(schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(3))).
		Map(func(s string) int { return len(s) })
	fmt.Println(effect.Run(context.Background(), size, nil))

	// When the schedule stops, Retry fails with the last error.
	_, err := effect.Run(context.Background(), flakyFetch(10).Retry(schedule.Recurs(2)), nil)
	fmt.Println(err)
	// Output:
	// 7 <nil>
	// connection refused
}

func ExampleRetry_condition() {
	// Retry transient errors only: WhileInput is go-go-scope's retryCondition.
	errForbidden := errors.New("forbidden")
	calls := 0
	call := effect.Try[any](func(context.Context) (int, error) {
		calls++
		if calls == 1 {
			return 0, errRefused
		}
		return 0, errForbidden
	})
	policy := schedule.WhileInput(schedule.Spaced(time.Millisecond), func(err error) bool {
		return !errors.Is(err, errForbidden)
	})
	_, err := effect.Run(context.Background(), call.Retry(policy), nil)
	fmt.Println(err, "after", calls, "calls")
	// Output:
	// forbidden after 2 calls
}

func ExampleRetry_options() {
	// go-go-scope's retry options, in one struct.
	policy := schedule.FromOptions(schedule.Options{
		MaxRetries: 4,
		Strategy:   schedule.StrategyExponential,
		Initial:    time.Millisecond,
		OnRetry: func(err error, attempt int, delay time.Duration) {
			fmt.Printf("attempt %d failed (%v), waiting %v\n", attempt, err, delay)
		},
	})
	v, err := effect.Run(context.Background(), flakyFetch(3).Retry(policy), nil)
	fmt.Println(v, err)
	// Output:
	// attempt 1 failed (connection refused), waiting 1ms
	// attempt 2 failed (connection refused), waiting 2ms
	// attempt 3 failed (connection refused), waiting 4ms
	// payload <nil>
}

func ExampleRetryOrElse() {
	// Fall back to a cached value once the retries are exhausted.
	fetch := effect.RetryOrElse(flakyFetch(10), schedule.Recurs(2),
		func(err error, retries int) effect.Effect[any, error, string] {
			fmt.Printf("giving up after %d retries: %v\n", retries, err)
			return effect.Succeed[any, error]("cached payload")
		})
	fmt.Println(effect.Run(context.Background(), fetch, nil))
	// Output:
	// giving up after 2 retries: connection refused
	// cached payload <nil>
}

func ExampleRepeat() {
	// Poll a job every millisecond while it is running; the value of each
	// run is the schedule's input.
	polls := 0
	status := effect.Sync[any, error](func() string {
		polls++
		if polls < 3 {
			return "running"
		}
		return "done"
	})
	whileRunning := schedule.WhileInput(schedule.Spaced(time.Millisecond), func(s string) bool { return s == "running" })
	n, err := effect.Run(context.Background(), effect.Repeat(status, whileRunning), nil)
	fmt.Println("decisions:", n, "polls:", polls, err)
	// Output:
	// decisions: 3 polls: 3 <nil>
}

func ExampleEffect_Repeat() {
	// Recurs(n) repeats n times: n+1 runs in all. The result is the
	// schedule's output (for Recurs, the number of repetitions).
	tick := effect.Sync[any, error](func() struct{} { fmt.Println("tick"); return struct{}{} })
	fmt.Println(effect.Run(context.Background(), tick.Repeat(schedule.Recurs(2)), nil))
	// Output:
	// tick
	// tick
	// tick
	// 2 <nil>
}

func ExampleRepeatOrElse() {
	runs := 0
	job := effect.Try[any](func(context.Context) (int, error) {
		runs++
		if runs == 3 {
			return 0, errRefused
		}
		return runs, nil
	})
	e := effect.RepeatOrElse(job, schedule.Forever(), func(err error, last effect.Option[int]) effect.Effect[any, error, int] {
		fmt.Println("stopped by", err, "after decision", last.Value)
		return effect.Succeed[any, error](-1)
	})
	fmt.Println(effect.Run(context.Background(), e, nil))
	// Output:
	// stopped by connection refused after decision 2
	// -1 <nil>
}
