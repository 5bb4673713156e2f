package effect_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleEffect_Uninterruptible() {
	// A critical section runs to its end even when a timeout would interrupt
	// it: the timeout cannot cut it short, and its value is kept.
	write := effect.Sleep[any, error](20 * time.Millisecond).
		AndThen(effect.Sync[any, error](func() string { fmt.Println("write completed"); return "written" }))
	fmt.Println(effect.Run(context.Background(), write.Uninterruptible().Timeout(5*time.Millisecond), nil))
	// Output:
	// write completed
	// written <nil>
}

func ExampleEffect_Interruptible() {
	// Inside an uninterruptible region, a part that may be interrupted.
	wait := effect.Sleep[any, error](time.Hour).Interruptible()
	region := effect.AndThen(wait, effect.Succeed[any, error]("never")).Uninterruptible()
	_, err := effect.Run(context.Background(), region.Timeout(5*time.Millisecond), nil)
	fmt.Println(err)
	// Output: effect: timeout after 5ms
}
