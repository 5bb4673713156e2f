package effect_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleEffect_TimeoutFail() {
	// With a failure type of one's own, the timeout is a value of that type.
	type Failure string
	slow := effect.Sleep[any, Failure](time.Hour).As(1)
	x := effect.RunExit(context.Background(), slow.TimeoutFail(10*time.Millisecond, Failure("too slow")), nil)
	f, _ := x.Cause().Failure()
	fmt.Println(f)
	// Output: too slow
}

func ExampleTimeoutOption() {
	slow := effect.Sleep[any, error](time.Hour).As("late")
	o, err := effect.Run(context.Background(), effect.TimeoutOption(slow, 10*time.Millisecond), nil)
	fmt.Println(o.OK, err)
	fast := effect.Succeed[any, error]("in time")
	o, _ = effect.Run(context.Background(), effect.TimeoutOption(fast, time.Second), nil)
	fmt.Println(o.Get())
	// Output:
	// false <nil>
	// in time true
}

func ExampleTimeoutTo() {
	live := effect.Sleep[any, error](time.Hour).As("live price")
	cached := effect.Succeed[any, error]("cached price")
	fmt.Println(effect.Run(context.Background(), effect.TimeoutTo(live, 10*time.Millisecond, cached), nil))
	// Output: cached price <nil>
}

func ExampleEffect_Timeout() {
	// The timed-out effect is interrupted: plain Go lifted with Try sees its
	// context end, at the deadline or by the interruption that follows it,
	// with a cause that says "deadline exceeded" either way.
	call := effect.Try[any](func(ctx context.Context) (string, error) {
		<-ctx.Done()
		fmt.Println("call stopped by the timeout:", errors.Is(context.Cause(ctx), context.DeadlineExceeded))
		return "", ctx.Err()
	})
	_, err := effect.Run(context.Background(), call.Timeout(10*time.Millisecond), nil)
	fmt.Println(errors.Is(err, effect.ErrTimeout))
	// Output:
	// call stopped by the timeout: true
	// true
}
