package effect_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleEffect_OnExit() {
	report := func(x effect.Exit[error, int]) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println("ended:", x); return struct{}{} })
	}
	_, _ = effect.Run(context.Background(), effect.Succeed[any, error](1).OnExit(report), nil)
	_, _ = effect.Run(context.Background(), effect.Fail[any, int](errNotFound).OnExit(report), nil)
	// Output:
	// ended: Success(1)
	// ended: Failure(not found)
}

func ExampleEffect_OnError() {
	rollback := func(c effect.Cause[error]) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println("rollback after", c.Kind()); return struct{}{} })
	}
	_, _ = effect.Run(context.Background(), effect.Succeed[any, error](1).OnError(rollback), nil) // nothing
	_, _ = effect.Run(context.Background(), effect.Fail[any, int](errNotFound).OnError(rollback), nil)
	// Output: rollback after Fail
}

func ExampleEffect_OnInterrupt() {
	job := effect.Sleep[any, error](time.Hour).
		OnInterrupt(func(error) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { fmt.Println("job cancelled, cleaning up"); return 0 })
		})
	_, err := effect.Run(context.Background(), job.Timeout(5*time.Millisecond), nil)
	fmt.Println(err)
	// Output:
	// job cancelled, cleaning up
	// effect: timeout after 5ms
}
