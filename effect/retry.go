package effect

import (
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// Retry and Repeat drive an effect with a [schedule.Schedule]: after each
// attempt they call the schedule's [schedule.Driver.Next] with the attempt's
// error (Retry) or value (Repeat) and either stop or wait the delay it
// returns and run the effect again. They are loop ops of the kernel (see
// ops.go) rather than a composition of FlatMap, Catch and Sleep, so that a
// retry costs one op, no closure per attempt, and no timer when the delay is
// zero (a retry of three failures: 20.5 times a hand loop as a composition,
// 9.1 times as an op). Each attempt runs through runSub like the source of a
// FlatMap, and the run's state object is the op of the next attempt.

// Retry returns an effect that runs e and, each time e fails with an
// expected failure, asks the schedule s whether to try again: s's driver is
// given the failure (as the input of [schedule.Driver.Next]) and the time,
// and either stops or returns a delay to wait before the next attempt. The
// effect succeeds with the value of the first attempt that succeeds, and
// fails with the last failure, its whole cause, once s stops.
//
// Only expected failures (the E of the effect) are retried. A defect or an
// interruption of an attempt ends the retry at once and travels on
// unchanged. The wait between attempts is interruptible: interrupting the
// fiber during a delay stops it at once, and the effect ends as interrupted.
// A zero delay arms no timer. Time is read from the time package (so
// testing/synctest makes it virtual); s starts its run ([schedule.Schedule.Start])
// at the time the first attempt begins.
//
// The schedule decides both the delays and the number of attempts:
// schedule.Recurs(3) allows 3 retries (4 attempts), and the zero Schedule
// none. Its hooks ([schedule.Schedule.Tap], [schedule.WhileInput]) run on the
// retrying fiber, between attempts; a panic in one is a defect. e is run
// again as it is: an effect is a description, so each attempt is a fresh run
// of it. Cost: a retry whose first attempt succeeds costs one read of the
// monotonic clock on top of the attempt, and allocates nothing; each failure
// costs a clock read and one decision of s (a few ns, no allocation) plus,
// once per run, the start of s's driver. A retry of three failures with a
// zero delay costs about 14 times a hand-written loop, several times less
// than github.com/cenkalti/backoff/v4 (see docs/retry.md).
func Retry[R, E, A, Out any](e Effect[R, E, A], s schedule.Schedule[Out]) Effect[R, E, A] {
	return Effect[R, E, A]{op: &retryOp[R, E, E, A, Out]{src: e, sched: s}}
}

// Retry is the method form of [Retry].
func (e Effect[R, E, A]) Retry[Out any](s schedule.Schedule[Out]) Effect[R, E, A] {
	return Retry(e, s)
}

// RetryOrElse returns an effect that retries e as [Retry] does and, once s
// stops, continues with orElse of the last failure and s's last output
// instead of failing. orElse may change the failure type, to recover with a
// fallback value or to turn the exhausted retry into an error of the
// caller's domain. Defects and interruptions are not handed to orElse; when
// the failure type changes, an expected failure that travels beside one of
// them becomes a defect, as with [Catch]. It panics if orElse is nil.
func RetryOrElse[R, E, E2, A, Out any](e Effect[R, E, A], s schedule.Schedule[Out], orElse func(err E, out Out) Effect[R, E2, A]) Effect[R, E2, A] {
	if orElse == nil {
		panic("effect.RetryOrElse: orElse must not be nil")
	}
	return Effect[R, E2, A]{op: &retryOp[R, E, E2, A, Out]{src: e, sched: s, orElse: orElse}}
}

// RetryOrElse is the method form of [RetryOrElse].
func (e Effect[R, E, A]) RetryOrElse[E2, Out any](s schedule.Schedule[Out], orElse func(err E, out Out) Effect[R, E2, A]) Effect[R, E2, A] {
	return RetryOrElse(e, s, orElse)
}

// Repeat returns an effect that runs e and, each time it succeeds, asks the
// schedule s whether to run it again: s's driver is given e's value (as the
// input of [schedule.Driver.Next]) and the time, and either stops or returns
// a delay to wait before the next run. Once s stops, the effect succeeds
// with s's output of that last decision (for [schedule.Recurs], the number of
// repetitions; use [schedule.Schedule.Map] or a [schedule.WhileInput] filter to
// shape it). The first failure of e, of any kind, ends the repeat with that
// cause.
//
// e always runs at least once: schedule.Recurs(n) runs it n+1 times, and
// the zero Schedule once. The wait between runs is interruptible, a zero
// delay arms no timer, and the fiber is checked for interruption between
// runs even when e never blocks, so repeating forever stops when the fiber
// is interrupted. Time comes from the time package. Repeat is the loop of
// polling and heartbeats: e.Repeat(schedule.Fixed(time.Minute)).
func Repeat[R, E, A, Out any](e Effect[R, E, A], s schedule.Schedule[Out]) Effect[R, E, Out] {
	return Effect[R, E, Out]{op: &repeatOp[R, E, E, A, Out]{src: e, sched: s}}
}

// Repeat is the method form of [Repeat]; it succeeds with the schedule's
// output, of the method's own type parameter Out.
func (e Effect[R, E, A]) Repeat[Out any](s schedule.Schedule[Out]) Effect[R, E, Out] {
	return Repeat(e, s)
}

// RepeatOrElse returns an effect that repeats e as [Repeat] does and, if a
// run of e fails with an expected failure, continues with orElse of that
// failure and of s's last output (None if e failed on its first run)
// instead of failing. Defects and interruptions are not handed to orElse.
// It panics if orElse is nil.
func RepeatOrElse[R, E, E2, A, Out any](e Effect[R, E, A], s schedule.Schedule[Out], orElse func(err E, out Option[Out]) Effect[R, E2, Out]) Effect[R, E2, Out] {
	if orElse == nil {
		panic("effect.RepeatOrElse: orElse must not be nil")
	}
	return Effect[R, E2, Out]{op: &repeatOp[R, E, E2, A, Out]{src: e, sched: s, orElse: orElse}}
}

// RepeatOrElse is the method form of [RepeatOrElse].
func (e Effect[R, E, A]) RepeatOrElse[E2, Out any](s schedule.Schedule[Out], orElse func(err E, out Option[Out]) Effect[R, E2, Out]) Effect[R, E2, Out] {
	return RepeatOrElse(e, s, orElse)
}

// clockOrigin is the reference of clockNow: a reading of both clocks made
// once, when the package is initialized. It is a constant, not state.
var clockOrigin = time.Now()

// clockNow returns the current time for the decisions of a schedule:
// clockOrigin moved forward by the monotonic time elapsed since. On the
// monotonic clock, the only one that schedules measure (they subtract times
// of one run), it is the same instant as time.Now, at about half the cost:
// one clock read instead of two. Inside a testing/synctest bubble, where
// time.Now carries no monotonic reading, it is the bubble's time.Now.
func clockNow() time.Time { return clockOrigin.Add(time.Since(clockOrigin)) }

// failureOf returns the expected failure of c and true when c holds nothing
// but expected failures (the causes that Retry retries), with a fast path
// for the common cause of a single failure.
func failureOf[E any](c Cause[E]) (E, bool) {
	if c.n != nil && c.n.kind == Failed {
		return c.n.err, true
	}
	if !c.onlyFailures() {
		var zero E
		return zero, false
	}
	return c.Failure()
}

// retype returns c as a Cause[E2] when E2 is E, and otherwise with its
// expected failures turned into defects (the rule of [Catch]).
func retype[E, E2 any](c Cause[E]) Cause[E2] {
	if same, ok := any(c).(Cause[E2]); ok {
		return same
	}
	return asDefects[E, E2](c)
}

// what the decision after an attempt says to do.
type verdict uint8

const (
	again  verdict = iota // wait done: run the next attempt
	finish                // fail with the returned cause
	follow                // continue with the returned effect (orElse)
)

type retryOp[R, E, E2, A, Out any] struct {
	src    Effect[R, E, A]
	sched  schedule.Schedule[Out]
	orElse func(E, Out) Effect[R, E2, A] // nil for Retry, where E2 is E
}

// retryRun is the state of one run of a retryOp. The driver is started at
// the first failure, with the start time of the first attempt, so that an
// attempt that succeeds at once costs no allocation.
type retryRun[R, E, E2, A, Out any] struct {
	op      *retryOp[R, E, E2, A, Out]
	start   time.Time
	driver  schedule.Driver[Out] // started at the first failure (started)
	started bool
}

// now returns the time for a decision of the run's schedule.
func (r *retryRun[R, E, E2, A, Out]) now() time.Time { return scheduleNow(r.op.sched) }

// scheduleNow returns the time for a decision of s: the clock is not read
// when s does not use it (most backoffs), since the decision is the same.
func scheduleNow[Out any](s schedule.Schedule[Out]) time.Time {
	if s.UsesClock() {
		return clockNow()
	}
	return time.Time{}
}

// decide handles the failure c of an attempt: it asks the schedule, waits
// the delay, and says what to do next.
func (r *retryRun[R, E, E2, A, Out]) decide(f *fiber, c Cause[E]) (Effect[R, E2, A], Cause[E2], verdict) {
	err, ok := failureOf(c)
	if !ok {
		return Effect[R, E2, A]{}, retype[E, E2](c), finish
	}
	if !r.started {
		r.started = true
		r.op.sched.StartIn(&r.driver, r.start)
	}
	delay, out, ok := r.driver.Next(r.now(), any(err))
	if o := f.rt.obs.Load(); o != nil {
		o.retried(f, false, r.driver.Attempt(), delay, errorOf(c), !ok) // observe: Hooks.Retry
	}
	if !ok {
		if r.op.orElse != nil {
			return r.op.orElse(err, out), Cause[E2]{}, follow
		}
		return Effect[R, E2, A]{}, retype[E, E2](c), finish
	}
	if !f.pause("retry", delay) {
		return Effect[R, E2, A]{}, interruptCause[E2](f), finish
	}
	return Effect[R, E2, A]{}, Cause[E2]{}, again
}

// The first attempt runs with the static op as its continuation, so that a
// retry whose first attempt succeeds allocates nothing; the run's state is
// made at the first failure, and is itself the op of the later attempts,
// each handed back to the run loop (which checks for interruption between
// attempts) and run through runSub.
func (o *retryOp[R, E, E2, A, Out]) step(f *fiber, env R) (Effect[R, E2, A], Cause[E2], status) {
	if o.src.op == nil {
		return Effect[R, E2, A]{val: o.src.val}, Cause[E2]{}, stCont
	}
	if o.sched.UsesClock() {
		// The first attempt's start time is needed if it fails.
		run := &retryRun[R, E, E2, A, Out]{op: o, start: clockNow()}
		return runSub(f, env, env, o.src, run)
	}
	return runSub(f, env, env, o.src, o)
}

// after handles the outcome of a first attempt that needs no start time.
func (o *retryOp[R, E, E2, A, Out]) after(f *fiber, env R, a A, c Cause[E], failed bool) (Effect[R, E2, A], Cause[E2], status) {
	if !failed {
		return Effect[R, E2, A]{val: a}, Cause[E2]{}, stCont
	}
	run := &retryRun[R, E, E2, A, Out]{op: o}
	return run.after(f, env, a, c, failed)
}

// step runs the next attempt.
func (r *retryRun[R, E, E2, A, Out]) step(f *fiber, env R) (Effect[R, E2, A], Cause[E2], status) {
	return runSub(f, env, env, r.op.src, r)
}

// after handles the outcome of an attempt: a success ends the retry; a
// failure asks the schedule, waits its delay and runs the next attempt.
func (r *retryRun[R, E, E2, A, Out]) after(f *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E2, A], Cause[E2], status) {
	if !failed {
		return Effect[R, E2, A]{val: a}, Cause[E2]{}, stCont
	}
	next, fc, v := r.decide(f, c)
	switch v {
	case finish:
		return Effect[R, E2, A]{}, fc, stFail
	case follow:
		return next, Cause[E2]{}, stCont
	}
	return Effect[R, E2, A]{op: r}, Cause[E2]{}, stCont
}

type repeatOp[R, E, E2, A, Out any] struct {
	src    Effect[R, E, A]
	sched  schedule.Schedule[Out]
	orElse func(E, Option[Out]) Effect[R, E2, Out] // nil for Repeat, where E2 is E
}

// repeatRun is the state of one run of a repeatOp.
type repeatRun[R, E, E2, A, Out any] struct {
	op      *repeatOp[R, E, E2, A, Out]
	driver  schedule.Driver[Out]
	last    Out  // the output of the last decision
	decided bool // last is set
}

// succeeded handles the value a of a run of the effect: it asks the
// schedule, waits the delay, and says what to do next (again, or follow with
// the final output, or finish with an interruption).
func (r *repeatRun[R, E, E2, A, Out]) succeeded(f *fiber, a A) (Effect[R, E2, Out], Cause[E2], verdict) {
	delay, out, ok := r.driver.Next(scheduleNow(r.op.sched), any(a))
	if o := f.rt.obs.Load(); o != nil {
		o.retried(f, true, r.driver.Attempt(), delay, nil, !ok) // observe: Hooks.Retry
	}
	r.last, r.decided = out, true
	if !ok {
		return Effect[R, E2, Out]{val: out}, Cause[E2]{}, follow
	}
	if !f.pause("repeat", delay) {
		return Effect[R, E2, Out]{}, interruptCause[E2](f), finish
	}
	return Effect[R, E2, Out]{}, Cause[E2]{}, again
}

// failed handles the failure c of a run of the effect, which ends the repeat.
func (r *repeatRun[R, E, E2, A, Out]) failed(c Cause[E]) (Effect[R, E2, Out], Cause[E2], verdict) {
	if err, ok := failureOf(c); ok && r.op.orElse != nil {
		last := Option[Out]{Value: r.last, OK: r.decided}
		return r.op.orElse(err, last), Cause[E2]{}, follow
	}
	return Effect[R, E2, Out]{}, retype[E, E2](c), finish
}

func (o *repeatOp[R, E, E2, A, Out]) step(f *fiber, env R) (Effect[R, E2, Out], Cause[E2], status) {
	run := &repeatRun[R, E, E2, A, Out]{op: o}
	o.sched.StartIn(&run.driver, scheduleNow(o.sched))
	return run.step(f, env)
}

// step runs the effect once more.
func (r *repeatRun[R, E, E2, A, Out]) step(f *fiber, env R) (Effect[R, E2, Out], Cause[E2], status) {
	return runSub(f, env, env, r.op.src, r)
}

// after handles the outcome of a run: a success asks the schedule, waits
// its delay and runs the effect again; a failure ends the repeat.
func (r *repeatRun[R, E, E2, A, Out]) after(f *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E2, Out], Cause[E2], status) {
	var (
		next Effect[R, E2, Out]
		fc   Cause[E2]
		v    verdict
	)
	if failed {
		next, fc, v = r.failed(c)
	} else {
		next, fc, v = r.succeeded(f, a)
	}
	switch v {
	case finish:
		return Effect[R, E2, Out]{}, fc, stFail
	case follow:
		return next, Cause[E2]{}, stCont
	}
	return Effect[R, E2, Out]{op: r}, Cause[E2]{}, stCont
}
