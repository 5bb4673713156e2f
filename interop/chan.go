package interop

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
)

// Recv returns an effect that receives one value from ch and succeeds with
// Some(value), or with None once ch is closed and drained. The wait is
// interruptible and runs on the fiber's goroutine, with no helper. A value
// received as the interruption arrives is not lost: Recv succeeds with it
// and the interruption takes effect at the next interruptible step, so a
// receive under [effect.UninterruptibleMask] (restore.Apply(Recv(ch))
// followed by a protected hand-off) never drops a value. A nil ch blocks
// until interrupted.
func Recv[R, E, A any](ch <-chan A) effect.Effect[R, E, effect.Option[A]] {
	fast := func() (effect.Option[A], bool) {
		select {
		case v, ok := <-ch:
			return effect.Option[A]{Value: v, OK: ok}, true
		default:
			return effect.Option[A]{}, false
		}
	}
	return blocking[R, E](fast, func(ctx context.Context) (effect.Option[A], bool) {
		select {
		case v, ok := <-ch:
			return effect.Option[A]{Value: v, OK: ok}, true
		case <-ctx.Done():
			return effect.None[A](), false
		}
	})
}

// Send returns an effect that sends a on ch and succeeds once a receiver has
// taken it (or the buffer had room). The wait is interruptible, and
// exact: a Send that ends as interrupted has not sent, and one that sent
// as the interruption arrived succeeds (the interruption then takes effect
// at the next interruptible step). Sending on a closed channel panics in
// Go, and is a defect here.
func Send[R, E, A any](ch chan<- A, a A) effect.Effect[R, E, struct{}] {
	fast := func() (struct{}, bool) {
		select {
		case ch <- a:
			return struct{}{}, true
		default:
			return struct{}{}, false
		}
	}
	return blocking[R, E](fast, func(ctx context.Context) (struct{}, bool) {
		select {
		case ch <- a:
			return struct{}{}, true
		case <-ctx.Done():
			return struct{}{}, false
		}
	})
}

// ForEachRecv returns an effect that receives the values of ch, in order,
// until ch is closed, and runs f on each before receiving the next: the
// loop `for v := range ch` as an effect, with back-pressure (the sender
// waits while f works). The first failure of f stops the loop and is the
// effect's failure; the values not yet received stay in ch. Each wait is
// interruptible. Cost: no goroutine, a few allocations per value.
func ForEachRecv[R, E, A any](ch <-chan A, f func(A) effect.Effect[R, E, struct{}]) effect.Effect[R, E, struct{}] {
	mustNotBeNil("ForEachRecv", "f", f == nil)
	recv := Recv[R, E](ch)
	var loop effect.Effect[R, E, struct{}]
	loop = effect.FlatMap(recv, func(o effect.Option[A]) effect.Effect[R, E, struct{}] {
		if !o.OK {
			return effect.Unit[R, E]()
		}
		return effect.AndThen(f(o.Value), loop)
	})
	return loop
}

// CollectRecv returns an effect that receives every value of ch until it is
// closed and succeeds with them in order.
func CollectRecv[R, E, A any](ch <-chan A) effect.Effect[R, E, []A] {
	return effect.Suspend(func() effect.Effect[R, E, []A] {
		var out []A
		loop := ForEachRecv(ch, func(a A) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { out = append(out, a); return struct{}{} })
		})
		return effect.Map(loop, func(struct{}) []A { return out })
	})
}

// ToChan starts e on rt (a fresh runtime when rt is nil) and returns at
// once a channel that receives e's exit when it ends, and is then closed:
// the bridge to plain Go code that selects over channels. Cancelling ctx
// interrupts e, with [context.Cause] of ctx as the reason (see
// [Cancellable]); the values of ctx reach e. The channel is buffered, so e
// never waits for a receiver, and no goroutine is left behind if nobody
// receives. A [effect.Runtime.Shutdown] of rt interrupts e too.
func ToChan[E, A any](ctx context.Context, e effect.Effect[any, E, A], rt *effect.Runtime) <-chan effect.Exit[E, A] {
	if rt == nil {
		rt = effect.NewRuntime()
	}
	out := make(chan effect.Exit[E, A], 1)
	deliver := func(x effect.Exit[E, A]) effect.Effect[any, E, struct{}] {
		return effect.Sync[any, E](func() struct{} { out <- x; close(out); return struct{}{} })
	}
	rt.Start(ctx, effect.OnExit(Cancellable(ctx, e), deliver), nil)
	return out
}
