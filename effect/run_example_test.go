package effect_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleRun_cancel() {
	// Cancelling the context interrupts the effect; the error matches
	// context.Canceled and the cancel cause.
	errShutdown := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(5*time.Millisecond, func() { cancel(errShutdown) })
	_, err := effect.Run(ctx, effect.Never[any, error, int](), nil)
	fmt.Println(errors.Is(err, context.Canceled), errors.Is(err, errShutdown))
	// Output: true true
}

func ExampleRuntime_Run() {
	// A runtime of one's own: its fibers can be listed, hooked and shut down
	// together.
	rt := effect.NewRuntime()
	defer func() { _ = rt.Shutdown(context.Background()) }()
	fmt.Println(rt.Run(context.Background(), effect.Succeed[any, error]("on my runtime"), nil))
	// Output: on my runtime <nil>
}

func ExampleRuntime_Start() {
	rt := effect.NewRuntime()
	fb := rt.Start(context.Background(), effect.Sleep[any, error](5*time.Millisecond).As(42), nil)
	x, _ := fb.Wait(context.Background())
	fmt.Println(x)
	// Output: Success(42)
}

func ExampleRuntime_Shutdown() {
	rt := effect.NewRuntime()
	fb := rt.Start(context.Background(), effect.Never[any, error, int](), nil)
	fmt.Println(rt.Shutdown(context.Background())) // interrupts fb and waits for it
	x, _ := fb.Poll()
	fmt.Println(x.IsInterrupted())
	_, err := rt.Run(context.Background(), effect.Succeed[any, error](1), nil)
	fmt.Println(errors.Is(err, effect.ErrRuntimeShutdown))
	// Output:
	// <nil>
	// true
	// true
}

func ExampleRuntime_AddHooks() {
	rt := effect.NewRuntime()
	remove := rt.AddHooks(effect.Hooks{
		FiberEnd: func(info effect.FiberInfo, err error) { fmt.Println("fiber ended, err:", err) },
	})
	defer remove()
	_, _ = rt.Run(context.Background(), effect.Fail[any, int](errNotFound), nil)
	// Output: fiber ended, err: not found
}
