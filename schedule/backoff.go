package schedule

import (
	"math"
	"time"
)

// Linear returns a schedule that always continues with a delay growing by base each time: the
// n-th decision waits base·n (base, 2·base, 3·base, …). Its output is that delay.
//
// It is [LinearWith](base, base). It panics if base is not positive.
func Linear(base time.Duration) Schedule[time.Duration] {
	checkDelay("Linear", "base", base, true)
	return Schedule[time.Duration]{root: linear{initial: base, increment: base}}
}

// LinearWith returns a schedule that always continues with a delay starting at initial and growing
// by increment each time: the n-th decision waits initial + increment·(n−1). Its output is that
// delay. This is go-go-scope's linear(baseDelay, increment).
//
// It panics if initial or increment is negative.
func LinearWith(initial, increment time.Duration) Schedule[time.Duration] {
	checkDelay("LinearWith", "initial", initial, false)
	checkDelay("LinearWith", "increment", increment, false)
	return Schedule[time.Duration]{root: linear{initial: initial, increment: increment}}
}

type linear struct {
	initial   time.Duration
	increment time.Duration
}

func (l linear) start(*env) step[time.Duration] {
	return &linearStep{linear: l, current: l.initial}
}

type linearStep struct {
	linear
	current time.Duration
}

func (l *linearStep) next(time.Time, any) (time.Duration, time.Duration, bool) {
	d := l.current
	l.current = addSat(l.current, l.increment)
	return d, d, true
}

func (l *linearStep) reset(time.Time) {
	l.current = l.initial
}

// Exponential returns a schedule that always continues with a delay doubling each time: the n-th
// decision waits base·2^(n−1) (100ms, 200ms, 400ms, … for a base of 100ms). Its output is that
// delay.
//
// Exponential never stops and its delays grow without bound (saturating at the largest
// time.Duration): bound it with [Schedule.Capped] for the delay, and [Recurs] or [Schedule.UpTo]
// for the run, and spread clients apart with a jitter ([Schedule.FullJitter]):
//
//	schedule.Exponential(100*time.Millisecond).Capped(10*time.Second).FullJitter().Intersect(schedule.Recurs(5))
//
// It is [ExponentialWith](base, 2). It panics if base is not positive.
func Exponential(base time.Duration) Schedule[time.Duration] {
	checkDelay("Exponential", "base", base, true)
	return ExponentialWith(base, 2)
}

// ExponentialWith returns a schedule that always continues with a delay multiplied by factor each
// time: the n-th decision waits base·factor^(n−1), computed by repeated multiplication in float64,
// truncated to whole nanoseconds and saturated at the largest time.Duration. Its output is that
// delay. Since factor is at least 1, the delays never decrease.
//
// It panics if base is not positive or factor is less than 1 (or not finite).
func ExponentialWith(base time.Duration, factor float64) Schedule[time.Duration] {
	checkDelay("ExponentialWith", "base", base, true)
	if !(factor >= 1) || math.IsInf(factor, 0) {
		panicf("ExponentialWith: factor must be a finite number of at least 1, got %v", factor)
	}
	return Schedule[time.Duration]{root: exponential{base: float64(base), factor: factor}}
}

type exponential struct {
	base   float64
	factor float64
}

func (x exponential) start(*env) step[time.Duration] {
	return &exponentialStep{exponential: x, current: x.base}
}

type exponentialStep struct {
	exponential
	// current is the next delay in nanoseconds; once it overflows to +Inf it stays there and
	// durationOf saturates it.
	current float64
}

func (x *exponentialStep) next(time.Time, any) (time.Duration, time.Duration, bool) {
	d := durationOf(x.current)
	x.current *= x.factor
	return d, d, true
}

func (x *exponentialStep) reset(time.Time) {
	x.current = x.base
}

// Fibonacci returns a schedule that always continues with delays following the Fibonacci
// sequence scaled by base: base, base, 2·base, 3·base, 5·base, 8·base, …, each the sum of the two
// before it (saturated at the largest time.Duration). Its output is that delay.
//
// It grows more gently than [Exponential] (by about 1.618 per step). It panics if base is not
// positive.
func Fibonacci(base time.Duration) Schedule[time.Duration] {
	checkDelay("Fibonacci", "base", base, true)
	return Schedule[time.Duration]{root: fibonacci{base: base}}
}

type fibonacci struct {
	base time.Duration
}

func (f fibonacci) start(*env) step[time.Duration] {
	return &fibonacciStep{base: f.base, current: f.base, following: f.base}
}

type fibonacciStep struct {
	base      time.Duration
	current   time.Duration
	following time.Duration
}

func (f *fibonacciStep) next(time.Time, any) (time.Duration, time.Duration, bool) {
	d := f.current
	f.current, f.following = f.following, addSat(f.current, f.following)
	return d, d, true
}

func (f *fibonacciStep) reset(time.Time) {
	f.current, f.following = f.base, f.base
}
