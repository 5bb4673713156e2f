package schedule

import "time"

// ResetAfter returns a schedule that decides like s but starts s over whenever an attempt ran for
// at least quiet before the decision that follows it: for a retry, a quiet stretch with no failure.
//
// An attempt begins at the start of the run or when the delay of the previous decision ends
// (previous decision time + delay). If a decision made at now finds now − begin ≥ quiet, s is reset
// as if its run had started at now (counts, backoff, elapsed time, time budget and seeded random
// sources all start over) and then makes the first decision of that new run: the failure that ends
// a quiet stretch is treated as the first of a new outage. The delay spent waiting does not count
// as quiet, so a long backoff by itself never resets s.
//
// Use it for long-lived loops, such as reconnecting to a stream or restarting a worker, where a
// connection that stayed up for a while should not inherit the backoff of an old outage:
//
//	schedule.Exponential(time.Second).Capped(time.Minute).ResetAfter(5 * time.Minute)
//
// It panics if quiet is not positive. [ResetAfter] is the same as a function.
//
// Effect-TS's resetAfter measures from the previous decision instead, which counts the wait too.
func (s Schedule[Out]) ResetAfter(quiet time.Duration) Schedule[Out] {
	return ResetAfter(s, quiet)
}

// ResetAfter returns s started over after each attempt that ran for at least quiet; see
// [Schedule.ResetAfter].
func ResetAfter[Out any](s Schedule[Out], quiet time.Duration) Schedule[Out] {
	checkDelay("ResetAfter", "quiet", quiet, true)
	return Schedule[Out]{root: resetAfter[Out]{inner: s.node(), quiet: quiet}, clock: true}
}

type resetAfter[Out any] struct {
	inner node[Out]
	quiet time.Duration
}

func (r resetAfter[Out]) start(e *env) step[Out] {
	return &resetAfterStep[Out]{inner: r.inner.start(e), quiet: r.quiet, begin: e.now}
}

type resetAfterStep[Out any] struct {
	inner step[Out]
	quiet time.Duration
	// begin is when the attempt being decided on began.
	begin time.Time
}

func (r *resetAfterStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	if since(r.begin, now) >= r.quiet {
		r.inner.reset(now)
	}
	d, out, ok := r.inner.next(now, in)
	if ok {
		r.begin = now.Add(d)
	}
	return d, out, ok
}

func (r *resetAfterStep[Out]) reset(now time.Time) {
	r.begin = now
	r.inner.reset(now)
}
