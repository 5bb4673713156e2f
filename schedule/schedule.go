package schedule

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Schedule is an immutable, reusable recipe that decides, after each attempt, whether to run again,
// after which delay, and with what output of type Out.
//
// A Schedule holds no state: [Schedule.Start] builds a fresh [Driver] for each run, and the driver
// keeps the state (attempt count, previous delay, start time). One Schedule may therefore be shared
// by any number of goroutines and runs at once; a Driver belongs to one run.
//
// Schedules are built with the constructors of this package ([Recurs], [Spaced], [Exponential], …) and
// combined with its combinators ([Schedule.Intersect], [Schedule.Jitter], [WhileInput], …), each of
// which returns a new Schedule and leaves its operands unchanged.
//
// The zero Schedule never continues: its first decision is to stop, like a retry policy of no retries.
type Schedule[Out any] struct {
	root node[Out]
	// clock is set when a part of the schedule reads the time of its
	// decisions (Fixed, Elapsed, UpTo, ResetAfter).
	clock bool
}

// UsesClock reports whether the decisions of s depend on the times given to
// [Schedule.Start] and [Driver.Next]: true when s contains [Fixed],
// [Elapsed], [Schedule.UpTo] or [Schedule.ResetAfter]. When it is false, a
// caller may skip reading the clock and pass any time (the zero time); the
// decisions are the same. Retry and Repeat in package effect use it so that
// the common backoffs cost no clock reading.
func (s Schedule[Out]) UsesClock() bool { return s.clock }

// node is the immutable description of one schedule in a tree of schedules. start builds the
// matching step, the per-run state, once per Driver; it may allocate.
type node[Out any] interface {
	start(e *env) step[Out]
}

// step is the per-run state of one node. next decides after an attempt that ended at now with
// input in; it must not allocate, and its delay is zero or more when ok and ignored otherwise.
// reset puts the step back in the state start gave it, as if the run began at now.
type step[Out any] interface {
	next(now time.Time, in any) (delay time.Duration, out Out, ok bool)
	reset(now time.Time)
}

// env is what a step may need from the run that starts it.
type env struct {
	// now is the start of the run: the time the first attempt begins.
	now time.Time
	// rng is the random source for jitter; nil means the global math/rand/v2 functions.
	rng *rand.Rand
}

// node returns the root of s, with the zero Schedule as a schedule that stops at once.
func (s Schedule[Out]) node() node[Out] {
	if s.root == nil {
		return stop[Out]{}
	}
	return s.root
}

// Start returns a fresh [Driver] for one run of s (one retry or repeat loop) whose first attempt
// begins at now. It allocates the driver's state, one small struct per schedule in the tree; the
// driver's [Driver.Next] then allocates nothing.
func (s Schedule[Out]) Start(now time.Time) *Driver[Out] {
	d := &Driver[Out]{}
	s.StartIn(d, now)
	return d
}

// StartIn starts a run of s in d, as [Schedule.Start] does, for a caller that keeps the Driver
// in its own state (a field of a struct it allocates anyway): it allocates the schedules' state
// but not the Driver. Whatever run d held before is dropped. It panics if d is nil.
func (s Schedule[Out]) StartIn(d *Driver[Out], now time.Time) {
	if d == nil {
		panicf("Schedule.StartIn: d must not be nil")
	}
	*d = Driver[Out]{env: env{now: now}}
	d.root = s.node().start(&d.env)
}

// Driver is the state of one run of a [Schedule]: it makes the schedule's decisions one attempt
// after another. A Driver is not safe for concurrent use; start one per run.
//
// The zero Driver stops at its first decision.
type Driver[Out any] struct {
	root    step[Out]
	attempt int
	stopped bool
	last    Out
	// env is the run's environment, handed to the steps when they start:
	// kept here so that starting a run does not allocate it on its own.
	env env
}

// Next returns the decision after an attempt that ended at now with input in (an error for a
// retry, a value for a repeat). When ok is false the run stops; otherwise the caller waits delay,
// which is never negative, and runs the next attempt. out is the schedule's output for this
// decision, also computed when it stops (a repeat may return it).
//
// Once Next has returned ok false it keeps doing so, with the same out, until [Driver.Reset].
// Next does not allocate, whatever the schedule's combinators and jitter; the functions that the
// caller handed to combinators ([Schedule.Tap], [WhileInput], …) run inside it.
func (d *Driver[Out]) Next(now time.Time, in any) (delay time.Duration, out Out, ok bool) {
	d.attempt++
	if d.stopped || d.root == nil {
		d.stopped = true
		return 0, d.last, false
	}
	delay, out, ok = d.root.next(now, in)
	d.last = out
	if !ok {
		d.stopped = true
		return 0, out, false
	}
	return max(delay, 0), out, true
}

// Attempt returns how many times [Driver.Next] has been called since [Schedule.Start] or the last
// [Driver.Reset]. After the first failed attempt of a retry and its call to Next, it is 1.
func (d *Driver[Out]) Attempt() int {
	return d.attempt
}

// Reset puts d back in the state that [Schedule.Start] gives a driver whose first attempt begins
// at now: the attempt count is zero, every schedule in the tree starts over, and a seeded random
// source ([Schedule.Seed]) replays its sequence from the beginning.
func (d *Driver[Out]) Reset(now time.Time) {
	d.attempt = 0
	d.stopped = false
	var zero Out
	d.last = zero
	if d.root != nil {
		d.root.reset(now)
	}
}

// stop is the schedule that never continues: the zero Schedule's root.
type stop[Out any] struct{}

func (stop[Out]) start(*env) step[Out] { return stopStep[Out]{} }

type stopStep[Out any] struct{}

func (stopStep[Out]) next(time.Time, any) (time.Duration, Out, bool) {
	var zero Out
	return 0, zero, false
}

func (stopStep[Out]) reset(time.Time) {}

// maxDuration is the longest delay; arithmetic on delays saturates there instead of wrapping.
const maxDuration = time.Duration(math.MaxInt64)

// durationOf returns f nanoseconds as a Duration truncated toward zero, saturated to
// [0, maxDuration]; NaN gives 0.
func durationOf(f float64) time.Duration {
	switch {
	case !(f > 0):
		return 0
	case f >= float64(maxDuration):
		return maxDuration
	default:
		return time.Duration(f)
	}
}

// addSat returns a+b for non-negative a and b, saturated at maxDuration.
func addSat(a, b time.Duration) time.Duration {
	if a > maxDuration-b {
		return maxDuration
	}
	return a + b
}

// mulSat returns d*n for non-negative d and n, saturated at maxDuration.
func mulSat(d time.Duration, n int64) time.Duration {
	if n != 0 && d > maxDuration/time.Duration(n) {
		return maxDuration
	}
	return d * time.Duration(n)
}

// since returns how long after start now is, or zero if now is earlier.
func since(start, now time.Time) time.Duration {
	return max(now.Sub(start), 0)
}

// panicf panics with a construction error: a programming error in the caller.
func panicf(format string, args ...any) {
	panic("schedule: " + fmt.Sprintf(format, args...))
}

// checkDelay panics unless d is zero or more (positive, if positive is set).
func checkDelay(fn, arg string, d time.Duration, positive bool) {
	if positive && d <= 0 {
		panicf("%s: %s must be positive, got %v", fn, arg, d)
	}
	if d < 0 {
		panicf("%s: %s must not be negative, got %v", fn, arg, d)
	}
}
