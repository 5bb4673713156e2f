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
	var toE func(error) E
	if _, ok := any((*TimeoutError)(nil)).(E); !ok {
		panic(fmt.Sprintf("effect.Timeout: the failure type E (%v) cannot hold *effect.TimeoutError; "+
			"use TimeoutFail, TimeoutTo or TimeoutOption", reflect.TypeFor[E]()))
	}
	toE = func(err error) E { return any(err).(E) }
	return timeout(e, d, func() Effect[R, E, A] { return Fail[R, A](toE(&TimeoutError{After: d})) })
}

// Timeout is the method form of [Timeout].
func (e Effect[R, E, A]) Timeout(d time.Duration) Effect[R, E, A] { return Timeout(e, d) }

// TimeoutFail returns an effect that runs e with a time limit of d and fails
// with err if the limit is reached; otherwise as [Timeout].
func TimeoutFail[R, E, A any](e Effect[R, E, A], d time.Duration, err E) Effect[R, E, A] {
	return timeout(e, d, func() Effect[R, E, A] { return Fail[R, A](err) })
}

// TimeoutFail is the method form of [TimeoutFail].
func (e Effect[R, E, A]) TimeoutFail(d time.Duration, err E) Effect[R, E, A] {
	return TimeoutFail(e, d, err)
}

// TimeoutTo returns an effect that runs e with a time limit of d and, if the
// limit is reached, runs fallback instead; otherwise as [Timeout].
func TimeoutTo[R, E, A any](e Effect[R, E, A], d time.Duration, fallback Effect[R, E, A]) Effect[R, E, A] {
	return timeout(e, d, func() Effect[R, E, A] { return fallback })
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
	return timeout(Map(e, Some[A]), d, func() Effect[R, E, Option[A]] { return Succeed[R, E](None[A]()) })
}

// timeout runs e inline, on the calling fiber, as a guarded region: the
// region's context carries the deadline (so plain Go inside sees it, and its
// timer is the only timer), and when the deadline passes the region — not
// the fiber — is interrupted, with a *TimeoutError as the reason; its
// finalizers run, then onTimeout decides the result. No fiber is forked.
func timeout[R, E, A any](e Effect[R, E, A], d time.Duration, onTimeout func() Effect[R, E, A]) Effect[R, E, A] {
	if d <= 0 {
		return Suspend(onTimeout)
	}
	return guarded(e, func(g *guard) {
		ctx, cancel := context.WithTimeout(g.parent(), d)
		g.ctx = ctx
		stop := context.AfterFunc(ctx, func() {
			if ctx.Err() == context.DeadlineExceeded {
				g.stop(&TimeoutError{After: d})
			}
		})
		g.onEnd = func() {
			stop()
			cancel()
		}
	}, func(ex Exit[E, A], g *guard) Effect[R, E, A] {
		if ex.IsSuccess() {
			// Even if the deadline passed as e finished: its result stands.
			return FromExit[R](ex)
		}
		if g.reason != nil || (g.ctx.Err() == context.DeadlineExceeded && !g.outerStopping()) {
			// Stopped by the deadline, or failed of it (plain Go that saw
			// the context's deadline) before the stop arrived.
			return withDefects(onTimeout(), ex.cause)
		}
		return FromExit[R](ex)
	})
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
