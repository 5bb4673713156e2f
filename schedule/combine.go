package schedule

import "time"

// Union returns a schedule that continues as long as either s or other continues, waiting the
// shorter of their delays: when both continue the delay is min(d_s, d_other), when only one does it
// is that one's delay. Once one of them stops it is no longer consulted.
//
// Both schedules see every input and advance together. The output is that of s (its latest one,
// once s has stopped), so other may have any output type; use [Map] beforehand to keep something
// of other's. [Union] is the same as a function.
//
// Union with [Spaced](max) is another way to cap a backoff: s.Union(Spaced(max)) never waits more
// than max but, unlike [Schedule.Capped], never stops either.
func (s Schedule[Out]) Union[X any](other Schedule[X]) Schedule[Out] {
	return Union(s, other)
}

// Union returns the schedule that continues while either s or other does, with the shorter delay
// and the output of s; see [Schedule.Union].
func Union[Out, X any](s Schedule[Out], other Schedule[X]) Schedule[Out] {
	return Schedule[Out]{root: union[Out, X]{left: s.node(), right: other.node()}, clock: s.clock || other.clock}
}

type union[Out, X any] struct {
	left  node[Out]
	right node[X]
}

func (u union[Out, X]) start(e *env) step[Out] {
	return &unionStep[Out, X]{left: u.left.start(e), right: u.right.start(e)}
}

type unionStep[Out, X any] struct {
	left      step[Out]
	right     step[X]
	leftDone  bool
	rightDone bool
	out       Out
}

func (u *unionStep[Out, X]) next(now time.Time, in any) (time.Duration, Out, bool) {
	var leftDelay, rightDelay time.Duration
	leftOK, rightOK := false, false
	if !u.leftDone {
		leftDelay, u.out, leftOK = u.left.next(now, in)
		u.leftDone = !leftOK
	}
	if !u.rightDone {
		rightDelay, _, rightOK = u.right.next(now, in)
		u.rightDone = !rightOK
	}
	switch {
	case leftOK && rightOK:
		return min(leftDelay, rightDelay), u.out, true
	case leftOK:
		return leftDelay, u.out, true
	case rightOK:
		return rightDelay, u.out, true
	default:
		return 0, u.out, false
	}
}

func (u *unionStep[Out, X]) reset(now time.Time) {
	u.left.reset(now)
	u.right.reset(now)
	u.leftDone, u.rightDone = false, false
	var zero Out
	u.out = zero
}

// Intersect returns a schedule that continues only as long as both s and other continue, waiting
// the longer of their delays: max(d_s, d_other). It stops as soon as either stops.
//
// Both schedules see every input and advance together. The output is that of s, so other may have
// any output type: schedule.Exponential(100*time.Millisecond).Intersect(schedule.Recurs(5)) is an
// exponential backoff of at most 5 retries whose output is the backoff delay. [Intersect] is the
// same as a function.
func (s Schedule[Out]) Intersect[X any](other Schedule[X]) Schedule[Out] {
	return Intersect(s, other)
}

// Intersect returns the schedule that continues while both s and other do, with the longer delay
// and the output of s; see [Schedule.Intersect].
func Intersect[Out, X any](s Schedule[Out], other Schedule[X]) Schedule[Out] {
	return Schedule[Out]{root: intersect[Out, X]{left: s.node(), right: other.node()}, clock: s.clock || other.clock}
}

type intersect[Out, X any] struct {
	left  node[Out]
	right node[X]
}

func (i intersect[Out, X]) start(e *env) step[Out] {
	return &intersectStep[Out, X]{left: i.left.start(e), right: i.right.start(e)}
}

type intersectStep[Out, X any] struct {
	left  step[Out]
	right step[X]
}

func (i *intersectStep[Out, X]) next(now time.Time, in any) (time.Duration, Out, bool) {
	leftDelay, out, leftOK := i.left.next(now, in)
	rightDelay, _, rightOK := i.right.next(now, in)
	if !leftOK || !rightOK {
		return 0, out, false
	}
	return max(leftDelay, rightDelay), out, true
}

func (i *intersectStep[Out, X]) reset(now time.Time) {
	i.left.reset(now)
	i.right.reset(now)
}

// AndThen returns a schedule that follows s until s stops, then follows next: the decision on
// which s stops is made by next instead, and next starts then, as if its run began at that
// decision's time (its elapsed time and its fixed grid count from there). It stops when next stops.
//
// Both schedules have the same output type; bring different ones together with [Map] or
// [Schedule.Delays]. For example, three quick retries and then slow ones:
//
//	schedule.Spaced(100*time.Millisecond).Intersect(schedule.Recurs(3)).AndThen(schedule.Spaced(5*time.Second))
//
// [AndThen] is the same as a function.
func (s Schedule[Out]) AndThen(next Schedule[Out]) Schedule[Out] {
	return AndThen(s, next)
}

// AndThen returns the schedule that follows s and then next; see [Schedule.AndThen].
func AndThen[Out any](s, next Schedule[Out]) Schedule[Out] {
	return Schedule[Out]{root: andThen[Out]{first: s.node(), second: next.node()}, clock: s.clock || next.clock}
}

type andThen[Out any] struct {
	first  node[Out]
	second node[Out]
}

func (a andThen[Out]) start(e *env) step[Out] {
	return &andThenStep[Out]{first: a.first.start(e), second: a.second.start(e)}
}

type andThenStep[Out any] struct {
	first    step[Out]
	second   step[Out]
	onSecond bool
}

func (a *andThenStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	if !a.onSecond {
		d, out, ok := a.first.next(now, in)
		if ok {
			return d, out, true
		}
		a.onSecond = true
		a.second.reset(now)
	}
	return a.second.next(now, in)
}

func (a *andThenStep[Out]) reset(now time.Time) {
	a.first.reset(now)
	a.second.reset(now)
	a.onSecond = false
}
