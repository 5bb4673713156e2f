package effect

import (
	"context"
	"time"
)

// Sleep returns an effect that waits for d and then succeeds. The wait is
// interruptible; a d of zero or less does not wait and arms no timer. Time
// comes from the time package, so inside a testing/synctest bubble the wait
// is virtual.
func Sleep[R, E any](d time.Duration) Effect[R, E, struct{}] {
	if d <= 0 {
		return Unit[R, E]()
	}
	return Effect[R, E, struct{}]{op: &sleepOp[R, E, struct{}]{d: d}}
}

// Never returns an effect that never ends on its own: it waits until the
// fiber is interrupted. In an uninterruptible region it waits forever.
func Never[R, E, A any]() Effect[R, E, A] {
	return Effect[R, E, A]{op: &sleepOp[R, E, A]{forever: true}}
}

// Yield returns an effect that lets other goroutines run
// ([runtime.Gosched]) and then succeeds.
func Yield[R, E any]() Effect[R, E, struct{}] {
	return Effect[R, E, struct{}]{op: yieldOp[R, E]{}}
}

// Async returns an effect that calls register with a resume callback and
// waits until resume is called; it then ends as the exit given to resume.
// register runs on the fiber and must not block; resume may be called from
// any goroutine, once (later calls are ignored). register returns a cancel
// function (or nil): if the fiber is interrupted while waiting, cancel is
// called and the effect ends as interrupted without waiting for resume —
// unless resume was already called, in which case its exit is kept (and the
// interruption takes effect at the fiber's next step), so a value handed over
// as the interruption arrived is never lost.
func Async[R, E, A any](register func(resume func(Exit[E, A])) (cancel func())) Effect[R, E, A] {
	if register == nil {
		panic("effect.Async: register must not be nil")
	}
	return Effect[R, E, A]{op: &asyncOp[R, E, A]{register: register}}
}

// asyncAs is Async with what the fiber waits for named in dumps.
func asyncAs[R, E, A any](what string, register func(resume func(Exit[E, A])) (cancel func())) Effect[R, E, A] {
	return Effect[R, E, A]{op: &asyncOp[R, E, A]{register: register, what: what}}
}

// Try returns an effect that calls fn, plain Go code, with a context, and
// succeeds with its value or fails with its error. The context carries the
// values of the context given to [Run] and the deadline of an enclosing
// [Timeout]; it is cancelled when the fiber is interrupted, with an
// [*InterruptedError] as its cause ([context.Cause]), so fn can stop early.
//
// The context's lifetime: it is the fiber's context, cancelled when the
// fiber is interrupted or ends, not when fn returns, so something fn starts
// with it (a streamed response body, a transaction) stays usable for the
// rest of the fiber's run. Inside a [Timeout] or a raced effect it is the
// region's context instead, which the deadline or the lost race cancels.
// Inside the acquire or release step of [AcquireRelease] (and of the
// resources built on it: layers, pools) it is the resource's context, which
// lives until the release has run. In any other uninterruptible region (a
// finalizer) it is never cancelled, so cleanup code can finish its work.
// Cost: no allocation of its own; the fiber's context is made on its first
// Try.
//
// If fn fails after the fiber was interrupted, the effect ends as
// interrupted (the error is most likely the cancelled context); if fn
// succeeds, its value is kept and the interruption takes effect at the
// fiber's next step, so a value received as the interruption arrived is not
// lost. A panic in fn is a defect. It panics if fn is nil.
func Try[R, A any](fn func(ctx context.Context) (A, error)) Effect[R, error, A] {
	if fn == nil {
		panic("effect.Try: fn must not be nil")
	}
	return Effect[R, error, A]{op: &tryOp[R, A]{fn: fn}}
}
