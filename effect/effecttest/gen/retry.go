package gen

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/leanovate/gopter"
	gg "github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// RetryLaws checks that [effect.Retry] and [effect.RetryOrElse] do what a
// schedule says, for schedules of one's own. For each generated schedule
// and an effect that fails k times before it succeeds, it plans the run by
// driving the schedule by hand ([schedule.Schedule.Start],
// [schedule.Driver.Next]) and checks that the real retry:
//
//   - makes exactly the planned attempts, and succeeds if and only if the
//     schedule allowed k retries, failing otherwise with the last failure
//     and nothing else;
//   - waits exactly the planned delays, no more (measured in virtual time);
//   - never retries a defect: a dying effect runs once;
//   - stops at once when interrupted during a wait, without another attempt;
//   - hands the last failure to RetryOrElse's fallback once the schedule
//     stops.
//
// The schedules must be deterministic (seed their jitter with
// [schedule.Schedule.Seed]), must not depend on anything but their input
// and the time, and must stop (bound them with schedule.Recurs).
type RetryLaws struct {
	// Schedules generates the schedules under test, as [Schedule] values;
	// nil means [Schedules]. Wrap one schedule of one's own with
	// gopter's gen.Const(gen.Schedule{Schedule: s, Desc: "mine"}).
	Schedules gopter.Gen
	// MaxFailures is the most failures before the first success of the
	// generated effects; zero means 8.
	MaxFailures int
}

// Properties returns the laws as gopter properties, with params (nil means
// gopter's defaults). They measure virtual time: run them inside a
// testing/synctest bubble, or use [RetryLaws.Check].
func (l RetryLaws) Properties(params *gopter.TestParameters) *gopter.Properties {
	if params == nil {
		params = gopter.DefaultTestParameters()
	}
	scheds := l.Schedules
	if scheds == nil {
		scheds = Schedules()
	}
	maxFail := l.MaxFailures
	if maxFail <= 0 {
		maxFail = 8
	}
	props := gopter.NewProperties(params)
	props.Property("attempts, outcome and delays follow the schedule", prop.ForAll(func(s Schedule, k int) string {
		want := planRetry(s, k)
		f := &flaky{failures: k}
		start := time.Now()
		x := effect.RunExit(context.Background(), effect.Retry(f.effect(), s.Schedule), nil)
		took := time.Since(start)
		switch {
		case f.attempts != want.attempts:
			return fmt.Sprintf("%d attempts, want %d (plan %+v)", f.attempts, want.attempts, want)
		case took != want.waited:
			return fmt.Sprintf("waited %v, want %v (plan %+v)", took, want.waited, want)
		case want.succeeds:
			if v, ok := x.Value(); !ok || v != k+1 {
				return fmt.Sprintf("got %v, want success on attempt %d", x, k+1)
			}
		default:
			c := x.Cause()
			if err, ok := c.Failure(); c.Kind() != effect.Failed || !ok || err.n != want.attempts {
				return fmt.Sprintf("got %v, want the failure of attempt %d alone", x, want.attempts)
			}
		}
		return ""
	}, scheds, gg.IntRange(0, maxFail)))
	props.Property("defects are not retried", prop.ForAll(func(s Schedule) string {
		attempts := 0
		dying := effect.Sync[any, *attemptError](func() int { attempts++; panic("gen: defect") })
		x := effect.RunExit(context.Background(), effect.Retry(dying, s.Schedule), nil)
		if attempts != 1 || !x.Cause().IsDefect() {
			return fmt.Sprintf("%d attempts, exit %v; want one attempt and the defect", attempts, x)
		}
		return ""
	}, scheds))
	props.Property("interrupting a wait stops the retry at once", prop.ForAll(func(s Schedule) string {
		first, ok := firstDelay(s)
		if !ok || first < 2 {
			return "" // no wait to interrupt
		}
		f := &flaky{failures: maxFail + 1}
		rt := effect.NewRuntime()
		start := time.Now()
		fb := rt.Start(context.Background(), effect.Retry(f.effect(), s.Schedule), nil)
		time.Sleep(first / 2)
		fb.InterruptFromGo()
		<-fb.Done()
		took := time.Since(start)
		x, _ := fb.Poll()
		if f.attempts != 1 || !x.Cause().IsInterruptedOnly() || took != first/2 {
			return fmt.Sprintf("%d attempts, exit %v after %v; want 1 attempt, interrupted after %v", f.attempts, x, took, first/2)
		}
		return ""
	}, scheds))
	props.Property("RetryOrElse gets the last failure", prop.ForAll(func(s Schedule) string {
		want := planRetry(s, maxFail+1)
		f := &flaky{failures: maxFail + 1}
		e := effect.RetryOrElse(f.effect(), s.Schedule, func(err *attemptError, _ time.Duration) effect.Effect[any, error, int] {
			return effect.Succeed[any, error](-err.n)
		})
		x := effect.RunExit(context.Background(), e, nil)
		if want.succeeds {
			return "" // the schedule outlasts maxFail+1 failures
		}
		if v, ok := x.Value(); !ok || v != -want.attempts {
			return fmt.Sprintf("got %v, want the fallback of attempt %d", x, want.attempts)
		}
		return ""
	}, scheds))
	return props
}

// Check runs the laws as a test of t, inside a testing/synctest bubble, with
// gopter's default parameters.
func (l RetryLaws) Check(t *testing.T) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) { l.Properties(nil).TestingRun(t) })
}

// attemptError is the failure of attempt n of a flaky effect.
type attemptError struct{ n int }

func (e *attemptError) Error() string { return fmt.Sprintf("gen: attempt %d failed", e.n) }

// flaky counts the attempts of an effect that fails its first failures
// attempts and then succeeds with the attempt's number.
type flaky struct {
	failures int
	attempts int
	errs     []*attemptError
}

func (f *flaky) errFor(n int) *attemptError {
	for len(f.errs) < n {
		f.errs = append(f.errs, &attemptError{n: len(f.errs) + 1})
	}
	return f.errs[n-1]
}

func (f *flaky) effect() effect.Effect[any, *attemptError, int] {
	return effect.Suspend(func() effect.Effect[any, *attemptError, int] {
		f.attempts++
		if f.attempts <= f.failures {
			return effect.Fail[any, int](f.errFor(f.attempts))
		}
		return effect.Succeed[any, *attemptError](f.attempts)
	})
}

// plan is what a retry of an effect that fails k times must do.
type plan struct {
	attempts int
	succeeds bool
	waited   time.Duration
}

// planRetry drives s by hand as a retry of an effect that fails k times
// (each attempt taking no time) would.
func planRetry(s Schedule, k int) plan {
	t0 := time.Now()
	now := t0
	d := s.Start(now)
	ref := &flaky{}
	for i := 1; i <= k; i++ {
		delay, _, ok := d.Next(now, ref.errFor(i))
		if !ok {
			return plan{attempts: i, waited: now.Sub(t0)}
		}
		now = now.Add(delay)
	}
	return plan{attempts: k + 1, succeeds: true, waited: now.Sub(t0)}
}

// firstDelay returns the delay s asks for after a first failure.
func firstDelay(s Schedule) (time.Duration, bool) {
	delay, _, ok := s.Start(time.Now()).Next(time.Now(), &attemptError{n: 1})
	return delay, ok
}
