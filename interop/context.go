package interop

import (
	"context"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Context utilities, with the meaning of go-go-scope's AbortSignal helpers:
//
//	throwIfAborted(signal)   FailIfCancelled(ctx)
//	onAbort(signal, fn)      OnCancel(ctx, fn)
//	whenAborted(signal)      WhenDone(ctx)
//	abortPromise(signal)     Cancellable(ctx, e): e, stopped when ctx is done
//	raceSignals(signals)     AnyDone(ctx, others...)
//
// Throughout, a context's cancel cause ([context.Cause]) becomes the
// reason of the interruption it causes, and comes back out of the error
// that running the effect returns: errors.Is(err, cause) holds.

// FailIfCancelled returns an effect that succeeds if ctx is not done, and
// otherwise ends at once as interrupted, with [context.Cause] of ctx as the
// reason: a check point for long effects that run on behalf of a request.
// It does not wait; see [Cancellable] to stop an effect as soon as ctx is
// done.
func FailIfCancelled[R, E any](ctx context.Context) effect.Effect[R, E, struct{}] {
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		if ctx.Err() == nil {
			return effect.Unit[R, E]()
		}
		return effect.FailCause[R, struct{}](effect.CauseInterrupt[E](0, context.Cause(ctx)))
	})
}

// OnCancel arranges for fn to run, on a goroutine of its own, with the
// cancel cause ([context.Cause]) once ctx is done, at once if it is done
// already, and returns a function that unregisters fn: stop reports true
// if it stopped fn from running, false if fn has started or stop was
// called before. It is [context.AfterFunc] handing fn the cause. No
// goroutine exists until ctx is done.
func OnCancel(ctx context.Context, fn func(cause error)) (stop func() bool) {
	mustNotBeNil("OnCancel", "fn", fn == nil)
	return context.AfterFunc(ctx, func() { fn(context.Cause(ctx)) })
}

// WhenDone returns an effect that waits until ctx is done and succeeds with
// its cancel cause ([context.Cause]). The wait is interruptible and holds no
// goroutine: it registers with [context.AfterFunc] and unregisters when
// interrupted. For a ctx that is never done (context.Background) it waits
// until interrupted.
func WhenDone[R, E any](ctx context.Context) effect.Effect[R, E, error] {
	return effect.Async[R, E, error](func(resume func(effect.Exit[E, error])) func() {
		stop := context.AfterFunc(ctx, func() { resume(effect.Succeeded[E](context.Cause(ctx))) })
		return func() { stop() }
	})
}

// Cancellable returns an effect that runs e and, if ctx is done first,
// interrupts it and ends as interrupted, with [context.Cause] of ctx as the
// reason, once e's finalizers have run. It links an effect to a context
// that comes from plain Go, such as an HTTP request's, in the middle of a
// larger effect; [effect.Run] does the same for the whole effect.
//
// e runs on a child fiber beside a watcher of ctx, both in the current
// scope, and both have ended when Cancellable returns: so resources that e
// acquires in its own scope ([effect.AcquireRelease]) are released when e
// ends, not when the caller's scope closes. For a ctx that is never done,
// Cancellable returns e itself, at no cost.
func Cancellable[R, E, A any](ctx context.Context, e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	if ctx.Done() == nil {
		return e
	}
	watch := effect.FlatMap(WhenDone[R, E](ctx), func(cause error) effect.Effect[R, E, A] {
		return effect.FailCause[R, A](effect.CauseInterrupt[E](0, cause))
	})
	return effect.RaceFirst(e, watch)
}

// AnyDone returns a context that is done as soon as parent or any of others
// is done, with the cancel cause of the first that is ([context.Cause]),
// and the function that releases it: call it when the work is over, as
// with [context.WithCancel]. The context carries parent's values; its
// deadline is the earliest of all. It holds no goroutine: it watches others
// with [context.AfterFunc].
func AnyDone(parent context.Context, others ...context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	stops := make([]func() bool, 0, len(others))
	var earliest time.Time
	for _, o := range others {
		stops = append(stops, context.AfterFunc(o, func() { cancel(context.Cause(o)) }))
		if d, ok := o.Deadline(); ok && (earliest.IsZero() || d.Before(earliest)) {
			earliest = d
		}
	}
	release := func() {
		for _, stop := range stops {
			stop()
		}
		cancel(context.Canceled)
	}
	if pd, ok := parent.Deadline(); !earliest.IsZero() && (!ok || earliest.Before(pd)) {
		dctx, dcancel := context.WithDeadline(ctx, earliest)
		return dctx, func() { dcancel(); release() }
	}
	return ctx, release
}
