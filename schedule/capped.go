package schedule

import "time"

// Capped returns a schedule that decides like s but never waits longer than maxDelay: each delay
// d becomes min(d, maxDelay). It does not stop s; bound the run with [Recurs] or [Schedule.UpTo].
// The output is that of s (an [Exponential]'s output stays the uncapped delay; see
// [Schedule.Delays]). This is go-go-scope's max of exponentialBackoff.
//
// It panics if maxDelay is negative. [Capped] is the same as a function.
func (s Schedule[Out]) Capped(maxDelay time.Duration) Schedule[Out] {
	return Capped(s, maxDelay)
}

// Capped returns s with its delays limited to maxDelay; see [Schedule.Capped].
func Capped[Out any](s Schedule[Out], maxDelay time.Duration) Schedule[Out] {
	checkDelay("Capped", "maxDelay", maxDelay, false)
	return Schedule[Out]{root: capped[Out]{inner: s.node(), maxDelay: maxDelay}, clock: s.clock}
}

type capped[Out any] struct {
	inner    node[Out]
	maxDelay time.Duration
}

func (c capped[Out]) start(e *env) step[Out] {
	return &cappedStep[Out]{inner: c.inner.start(e), maxDelay: c.maxDelay}
}

type cappedStep[Out any] struct {
	inner    step[Out]
	maxDelay time.Duration
}

func (c *cappedStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	d, out, ok := c.inner.next(now, in)
	return min(d, c.maxDelay), out, ok
}

func (c *cappedStep[Out]) reset(now time.Time) {
	c.inner.reset(now)
}
