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
// [TimeoutOption]. e runs on a child fiber, which has ended, finalizers
// included, when Timeout returns; a timeout that does not fire costs about
// what a goroutine and a [context.WithTimeout] cost.
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

func timeout[R, E, A any](e Effect[R, E, A], d time.Duration, onTimeout func() Effect[R, E, A]) Effect[R, E, A] {
	return prim(func(f *fiber, env R) Effect[R, E, A] {
		if d <= 0 {
			return onTimeout()
		}
		ctx, cancel := context.WithTimeout(f.ctx, d)
		defer cancel()
		child := start(f.rt, f, f.scope(), env, e, ctx)
		done := child.doneChan()
		intr := f.beginWait(waitInfo{what: "timeout", d: d})
		select {
		case <-done:
			f.endWait()
			ex, _ := child.Poll()
			if ex.IsFailure() && ctx.Err() != nil && f.ctx.Err() == nil {
				// The deadline passed and e failed of it before we saw it.
				return withDefects(onTimeout(), ex.cause)
			}
			return FromExit[R](ex)
		case <-ctx.Done():
			f.endWait()
			child.interruptAs(f.id, &TimeoutError{After: d})
			child.waitDone(nil, "")
			ex, _ := child.Poll()
			if ex.IsSuccess() {
				return FromExit[R](ex)
			}
			return withDefects(onTimeout(), ex.cause)
		case <-intr:
			f.endWait()
			child.interruptAs(f.id, nil)
			child.waitDone(nil, "")
			ex, _ := child.Poll()
			return FailCause[R, A](interruptCause[E](f).Then(stripFailures[E, E](ex.cause)))
		}
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
