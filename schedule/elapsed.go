package schedule

import "time"

// Elapsed returns a schedule that always continues without delay and outputs the time elapsed
// since the start of the run: now − start at each decision (zero if the clock went backwards).
//
// Combined with [Schedule.WhileOutput] it bounds a run by its own clock; to bound another
// schedule by a time budget, [Schedule.UpTo] is simpler and also counts the coming delay.
func Elapsed() Schedule[time.Duration] {
	return Schedule[time.Duration]{root: elapsed{}, clock: true}
}

type elapsed struct{}

func (elapsed) start(e *env) step[time.Duration] {
	return &elapsedStep{origin: e.now}
}

type elapsedStep struct {
	origin time.Time
}

func (e *elapsedStep) next(now time.Time, _ any) (time.Duration, time.Duration, bool) {
	return 0, since(e.origin, now), true
}

func (e *elapsedStep) reset(now time.Time) {
	e.origin = now
}

// UpTo returns a schedule that decides like s within a time budget: it continues only if s
// continues and the next attempt would begin within budget of the start of the run, that is when
//
//	(now − start) + delay ≤ budget
//
// where now is the time of the decision and delay the one s chose. It never waits past the budget
// and never shortens a delay to fit: once the next delay would overshoot, it stops. The budget
// bounds when attempts begin, not when they end: the last attempt may run past it (bound an
// attempt's own duration with a timeout). The output is that of s.
//
// It panics if budget is not positive. [UpTo] is the same as a function.
func (s Schedule[Out]) UpTo(budget time.Duration) Schedule[Out] {
	return UpTo(s, budget)
}

// UpTo returns s bounded by a time budget; see [Schedule.UpTo].
func UpTo[Out any](s Schedule[Out], budget time.Duration) Schedule[Out] {
	checkDelay("UpTo", "budget", budget, true)
	return Schedule[Out]{root: upTo[Out]{inner: s.node(), budget: budget}, clock: true}
}

type upTo[Out any] struct {
	inner  node[Out]
	budget time.Duration
}

func (u upTo[Out]) start(e *env) step[Out] {
	return &upToStep[Out]{inner: u.inner.start(e), budget: u.budget, origin: e.now}
}

type upToStep[Out any] struct {
	inner  step[Out]
	budget time.Duration
	origin time.Time
}

func (u *upToStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	d, out, ok := u.inner.next(now, in)
	if ok && addSat(since(u.origin, now), d) > u.budget {
		return 0, out, false
	}
	return d, out, ok
}

func (u *upToStep[Out]) reset(now time.Time) {
	u.origin = now
	u.inner.reset(now)
}
