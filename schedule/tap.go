package schedule

import "time"

// Decision is what [Schedule.Tap] reports of one decision of a schedule.
type Decision[Out any] struct {
	// Attempt is the number of the decision in the run: 1 after the first attempt (for a retry,
	// the number of the retry about to be made if Continue is set). It restarts at 1 after a reset
	// of the tapped schedule ([Driver.Reset], [Schedule.ResetAfter]).
	Attempt int
	// Input is the input of the decision: the attempt's error for a retry, its value for a repeat.
	Input any
	// Delay is how long the run waits before the next attempt; zero when Continue is false.
	Delay time.Duration
	// Output is the schedule's output for this decision.
	Output Out
	// Continue reports whether the run goes on.
	Continue bool
}

// Tap returns a schedule that decides like s and calls f with each of its decisions, the one that
// stops included, before the decision takes effect. This is go-go-scope's onRetry, for logging
// and metrics:
//
//	s.Tap(func(d schedule.Decision[time.Duration]) {
//		if d.Continue {
//			slog.Warn("retrying", "attempt", d.Attempt, "err", d.Input, "in", d.Delay)
//		}
//	})
//
// f runs synchronously inside [Driver.Next], on the goroutine of the run; it must not block. Tap
// sees the decisions of s, so place it last in a pipeline to see the final ones. [Tap] is the same
// as a function.
func (s Schedule[Out]) Tap(f func(Decision[Out])) Schedule[Out] {
	return Tap(s, f)
}

// Tap returns s calling f on each decision; see [Schedule.Tap].
func Tap[Out any](s Schedule[Out], f func(Decision[Out])) Schedule[Out] {
	return Schedule[Out]{root: tap[Out]{inner: s.node(), f: f}, clock: s.clock}
}

type tap[Out any] struct {
	inner node[Out]
	f     func(Decision[Out])
}

func (t tap[Out]) start(e *env) step[Out] {
	return &tapStep[Out]{inner: t.inner.start(e), f: t.f}
}

type tapStep[Out any] struct {
	inner   step[Out]
	f       func(Decision[Out])
	attempt int
}

func (t *tapStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	t.attempt++
	d, out, ok := t.inner.next(now, in)
	if !ok {
		d = 0
	}
	t.f(Decision[Out]{Attempt: t.attempt, Input: in, Delay: d, Output: out, Continue: ok})
	return d, out, ok
}

func (t *tapStep[Out]) reset(now time.Time) {
	t.attempt = 0
	t.inner.reset(now)
}
