package effect_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleAsync() {
	// A callback API: it calls done on another goroutine when the work ends,
	// and can be stopped.
	startTimer := func(d time.Duration, done func()) (stop func() bool) { return time.AfterFunc(d, done).Stop }

	wait := func(d time.Duration) Eff[string] {
		return effect.Async[any, error, string](func(resume func(effect.Exit[error, string])) func() {
			stop := startTimer(d, func() { resume(effect.Succeeded[error]("fired")) })
			return func() { stop() } // called if the fiber is interrupted while waiting
		})
	}
	fmt.Println(effect.Run(context.Background(), wait(5*time.Millisecond), nil))
	_, err := effect.Run(context.Background(), wait(time.Hour).Timeout(5*time.Millisecond), nil)
	fmt.Println(err)
	// Output:
	// fired <nil>
	// effect: timeout after 5ms
}

func ExampleNever() {
	// Never waits until it is interrupted: a server's "run until stopped".
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	_, err := effect.Run(ctx, effect.Never[any, error, int](), nil)
	fmt.Println(err != nil)
	// Output: true
}

func ExampleSleep() {
	start := time.Now()
	nap := effect.Sleep[any, error](20 * time.Millisecond) // interruptible; arms one timer
	_, _ = effect.Run(context.Background(), nap, nil)
	fmt.Println(time.Since(start) >= 20*time.Millisecond)
	// Output: true
}
