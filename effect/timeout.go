package effect

import (
	"context"
	"fmt"
	"reflect"
	"time"
)

// Timeout returns an effect that runs e with a time limit of d. If e has
// not ended by then it is interrupted, its finalizers run, and the effect
// fails with a *[TimeoutError] (which matches [ErrTimeout] and
// [context.DeadlineExceeded]). The context that [Try] hands to plain Go code
// inside e carries the deadline. A d of zero or less times out at once,
// without starting e.
//
// The failure is an expected one, of type E, so E must be able to hold a
// *TimeoutError: error (the common case) or any. For another E, Timeout
// panics at construction; use [TimeoutFail], [TimeoutTo] or
// [TimeoutOption]. e runs on the calling fiber, in a region that the
// deadline interrupts (the fiber itself is not interrupted): its
// finalizers, and the fibers it forked, have ended when Timeout returns. A
// timeout that does not fire costs about what a [context.WithTimeout]
// costs: no fiber, no goroutine, one timer.
func Timeout[R, E, A any](e Effect[R, E, A], d time.Duration) Effect[R, E, A] {
	if _, ok := any((*TimeoutError)(nil)).(E); !ok {
		panic(fmt.Sprintf("effect.Timeout: the failure type E (%v) cannot hold *effect.TimeoutError; "+
			"use TimeoutFail, TimeoutTo or TimeoutOption", reflect.TypeFor[E]()))
	}
	return timeout(e, d, &timeoutOp[R, E, A]{mode: onTimeoutError})
}

// Timeout is the method form of [Timeout].
func (e Effect[R, E, A]) Timeout(d time.Duration) Effect[R, E, A] { return Timeout(e, d) }

// TimeoutFail returns an effect that runs e with a time limit of d and fails
// with err if the limit is reached; otherwise as [Timeout].
func TimeoutFail[R, E, A any](e Effect[R, E, A], d time.Duration, err E) Effect[R, E, A] {
	return timeout(e, d, &timeoutOp[R, E, A]{mode: onTimeoutFail, err: err})
}

// TimeoutFail is the method form of [TimeoutFail].
func (e Effect[R, E, A]) TimeoutFail(d time.Duration, err E) Effect[R, E, A] {
	return TimeoutFail(e, d, err)
}

// TimeoutTo returns an effect that runs e with a time limit of d and, if the
// limit is reached, runs fallback instead; otherwise as [Timeout].
func TimeoutTo[R, E, A any](e Effect[R, E, A], d time.Duration, fallback Effect[R, E, A]) Effect[R, E, A] {
	return timeout(e, d, &timeoutOp[R, E, A]{mode: onTimeoutFallback, fallback: fallback})
}

// TimeoutTo is the method form of [TimeoutTo].
func (e Effect[R, E, A]) TimeoutTo(d time.Duration, fallback Effect[R, E, A]) Effect[R, E, A] {
	return TimeoutTo(e, d, fallback)
}

// TimeoutOption returns an effect that runs e with a time limit of d and
// succeeds with Some(value), or with None if the limit is reached; otherwise
// as [Timeout]. It is a package function: a method cannot return
// Effect[R, E, Option[A]].
func TimeoutOption[R, E, A any](e Effect[R, E, A], d time.Duration) Effect[R, E, Option[A]] {
	return timeout(Map(e, Some[A]), d, &timeoutOp[R, E, Option[A]]{mode: onTimeoutFallback, fallback: Succeed[R, E](None[A]())})
}

// What a timeout ends with when it fires.
const (
	onTimeoutError    = iota // fail with a *TimeoutError (E holds it)
	onTimeoutFail            // fail with err
	onTimeoutFallback        // run fallback
)

// timeoutOp is a timeout: the guard op that runs e and its own spec, so
// that building one costs one allocation.
type timeoutOp[R, E, A any] struct {
	guardOp[R, E, A, A]
	d        time.Duration
	mode     uint8
	err      E
	fallback Effect[R, E, A]
}

// timeout runs e inline, on the calling fiber, as a guarded region: the
// region's context carries the deadline (so plain Go inside sees it), and
// when the deadline passes the region — not the fiber — is interrupted,
// with a *TimeoutError as the reason; its finalizers run, then t's mode
// decides the result. No fiber is forked. A d of zero or less times out at
// once, without starting e.
func timeout[R, E, A any](e Effect[R, E, A], d time.Duration, t *timeoutOp[R, E, A]) Effect[R, E, A] {
	t.d = d
	if d <= 0 {
		return Suspend(t.onTimeout)
	}
	t.src, t.spec = e, t
	return Effect[R, E, A]{op: &t.guardOp}
}

// onTimeout returns what the timeout ends with once it fired.
func (t *timeoutOp[R, E, A]) onTimeout() Effect[R, E, A] {
	switch t.mode {
	case onTimeoutError:
		return Fail[R, A](any(&TimeoutError{After: t.d}).(E))
	case onTimeoutFail:
		return Fail[R, A](t.err)
	}
	return t.fallback
}

// arm gives the region a context with the deadline and a timer of its own
// that stops the region when the deadline passes: a second timer costs less
// than watching the context (context.AfterFunc registers a child with it).
func (t *timeoutOp[R, E, A]) arm(g *guard) {
	g.ctx, g.end = context.WithTimeout(g.parent(), t.d)
	d := t.d
	g.timer = time.AfterFunc(d, func() { g.stop(&TimeoutError{After: d}) })
}

func (t *timeoutOp[R, E, A]) done(ex Exit[E, A], g *guard) Effect[R, E, A] {
	if ex.IsSuccess() {
		// Even if the deadline passed as e finished: its result stands.
		return FromExit[R](ex)
	}
	if g.reason != nil || (g.ctx.Err() == context.DeadlineExceeded && !g.outerStopping()) {
		// Stopped by the deadline, or failed of it (plain Go that saw the
		// context's deadline) before the stop arrived.
		return withDefects(t.onTimeout(), ex.cause)
	}
	return FromExit[R](ex)
}

// withDefects runs e and joins the defects of c after its outcome: a
// finalizer that failed while a fiber was being stopped is never lost.
func withDefects[R, E, A any](e Effect[R, E, A], c Cause[E]) Effect[R, E, A] {
	extra := Cause[E]{}
	for _, d := range c.Defects() {
		extra = extra.Then(causeDefect[E](d))
	}
	if extra.IsEmpty() {
		return e
	}
	return MatchCauseEffect(e,
		func(ec Cause[E]) Effect[R, E, A] { return FailCause[R, A](ec.Then(extra)) },
		func(A) Effect[R, E, A] { return FailCause[R, A](extra) })
}
