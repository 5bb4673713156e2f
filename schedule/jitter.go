package schedule

import (
	"math/rand/v2"
	"time"
)

// The jitters follow the definitions of Marc Brooker, "Exponential Backoff And Jitter", AWS
// Architecture Blog, 2015: https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
//
// Every random draw below is uniform: between(lo, hi) is lo + ⌊u·(hi−lo)⌋ for u uniform in [0, 1),
// so it lies in [lo, hi].

// Jitter returns a schedule that decides like s but spreads each delay proportionally: a delay d
// becomes a delay uniform in [d·(1−f), d·(1+f)] (each bound truncated to whole nanoseconds). The
// output and the decision to continue are those of s. This is go-go-scope's jitter factor.
//
// Jitter applies to the delay s chose, so s.Capped(max).Jitter(f) may wait up to max·(1+f) while
// s.Jitter(f).Capped(max) never waits more than max. Jitter(0) changes nothing and Jitter(1)
// draws from [0, 2d]. It panics if f is outside [0, 1]. [Jitter] is the same as a function.
func (s Schedule[Out]) Jitter(f float64) Schedule[Out] {
	return Jitter(s, f)
}

// Jitter returns s with its delays spread by ±f; see [Schedule.Jitter].
func Jitter[Out any](s Schedule[Out], f float64) Schedule[Out] {
	if !(f >= 0 && f <= 1) {
		panicf("Jitter: f must be in [0, 1], got %v", f)
	}
	return Schedule[Out]{root: jitter[Out]{inner: s.node(), kind: proportionalJitter, fraction: f}, clock: s.clock}
}

// FullJitter returns a schedule that decides like s but draws each delay uniformly between zero
// and the delay s chose: a delay d becomes one in [0, d] (AWS's "Full Jitter"). Over
// [Exponential] it is go-go-scope's fullJitterBackoff. It spreads clients the most, at the price of
// sometimes retrying at once. [FullJitter] is the same as a function.
func (s Schedule[Out]) FullJitter() Schedule[Out] {
	return FullJitter(s)
}

// FullJitter returns s with full jitter; see [Schedule.FullJitter].
func FullJitter[Out any](s Schedule[Out]) Schedule[Out] {
	return Schedule[Out]{root: jitter[Out]{inner: s.node(), kind: fullJitter}, clock: s.clock}
}

// EqualJitter returns a schedule that decides like s but keeps half of each delay and draws the
// other half: a delay d becomes d/2 + between(0, d − d/2), which lies in [d/2, d] (AWS's "Equal
// Jitter"). It never retries at once, unlike [Schedule.FullJitter]. [EqualJitter] is the same as a
// function.
func (s Schedule[Out]) EqualJitter() Schedule[Out] {
	return EqualJitter(s)
}

// EqualJitter returns s with equal jitter; see [Schedule.EqualJitter].
func EqualJitter[Out any](s Schedule[Out]) Schedule[Out] {
	return Schedule[Out]{root: jitter[Out]{inner: s.node(), kind: equalJitter}, clock: s.clock}
}

type jitterKind uint8

const (
	proportionalJitter jitterKind = iota
	fullJitter
	equalJitter
)

type jitter[Out any] struct {
	inner    node[Out]
	kind     jitterKind
	fraction float64
}

func (j jitter[Out]) start(e *env) step[Out] {
	return &jitterStep[Out]{inner: j.inner.start(e), kind: j.kind, fraction: j.fraction, rng: e.rng}
}

type jitterStep[Out any] struct {
	inner    step[Out]
	kind     jitterKind
	fraction float64
	rng      *rand.Rand
}

func (j *jitterStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	d, out, ok := j.inner.next(now, in)
	if !ok {
		return d, out, ok
	}
	switch j.kind {
	case fullJitter:
		d = between(j.rng, 0, d)
	case equalJitter:
		d = between(j.rng, d/2, d)
	default:
		lo := durationOf(float64(d) * (1 - j.fraction))
		hi := durationOf(float64(d) * (1 + j.fraction))
		d = between(j.rng, lo, hi)
	}
	return d, out, true
}

func (j *jitterStep[Out]) reset(now time.Time) {
	j.inner.reset(now)
}

// DecorrelatedJitter returns a schedule that always continues with AWS's "Decorrelated Jitter":
// each delay is drawn from base up to three times the previous one, then capped,
//
//	delay₁ = min(maxDelay, between(base, 3·base))
//	delayₙ = min(maxDelay, between(base, 3·delayₙ₋₁))
//
// so it grows roughly exponentially while staying spread out. Its output is that delay. This is
// go-go-scope's decorrelatedJitter, except that each run keeps its own previous delay.
//
// It is a constructor rather than a modifier of another schedule because each delay depends on
// the previous jittered one, not on an underlying delay. It panics if base is not positive or
// maxDelay is less than base.
func DecorrelatedJitter(base, maxDelay time.Duration) Schedule[time.Duration] {
	checkDelay("DecorrelatedJitter", "base", base, true)
	if maxDelay < base {
		panicf("DecorrelatedJitter: maxDelay must be at least base (%v), got %v", base, maxDelay)
	}
	return Schedule[time.Duration]{root: decorrelated{base: base, maxDelay: maxDelay}}
}

type decorrelated struct {
	base     time.Duration
	maxDelay time.Duration
}

func (d decorrelated) start(e *env) step[time.Duration] {
	return &decorrelatedStep{decorrelated: d, previous: d.base, rng: e.rng}
}

type decorrelatedStep struct {
	decorrelated
	previous time.Duration
	rng      *rand.Rand
}

func (d *decorrelatedStep) next(time.Time, any) (time.Duration, time.Duration, bool) {
	delay := min(d.maxDelay, between(d.rng, d.base, mulSat(d.previous, 3)))
	d.previous = delay
	return delay, delay, true
}

func (d *decorrelatedStep) reset(time.Time) {
	d.previous = d.base
}

// Seed returns a schedule that decides like s but draws the random numbers of every jitter in s
// from its own generator: each [Driver] builds a PCG generator (math/rand/v2) seeded with seed, and
// [Driver.Reset] re-seeds it. The same seeded schedule, given the same inputs at the same times,
// therefore makes the same decisions, run after run and driver after driver, which makes tests
// reproducible; two drivers never share a generator.
//
// Without Seed, jitter draws from math/rand/v2's global generator: randomly seeded, safe for
// concurrent use, and free of allocation. A seed inside s (a seeded part of a larger schedule)
// takes precedence over an outer one for its part. Do not seed production schedules with a fixed
// seed: every process would then jitter alike, which is what jitter exists to avoid. [Seed] is the
// same as a function.
func (s Schedule[Out]) Seed(seed uint64) Schedule[Out] {
	return Seed(s, seed)
}

// Seed returns s with its own seeded random source; see [Schedule.Seed].
func Seed[Out any](s Schedule[Out], seed uint64) Schedule[Out] {
	return Schedule[Out]{root: seeded[Out]{inner: s.node(), seed: seed}, clock: s.clock}
}

// seedStream is the second PCG seed word: any fixed odd constant (here 2⁶⁴/φ).
const seedStream = 0x9e3779b97f4a7c15

type seeded[Out any] struct {
	inner node[Out]
	seed  uint64
}

func (s seeded[Out]) start(e *env) step[Out] {
	pcg := rand.NewPCG(s.seed, seedStream)
	inner := *e
	inner.rng = rand.New(pcg)
	return &seededStep[Out]{inner: s.inner.start(&inner), pcg: pcg, seed: s.seed}
}

type seededStep[Out any] struct {
	inner step[Out]
	pcg   *rand.PCG
	seed  uint64
}

func (s *seededStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	return s.inner.next(now, in)
}

func (s *seededStep[Out]) reset(now time.Time) {
	s.pcg.Seed(s.seed, seedStream)
	s.inner.reset(now)
}

// between returns a duration drawn uniformly from [lo, hi], lo ≤ hi, using rng or, if rng is nil,
// the global math/rand/v2 generator.
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	var u float64
	if rng == nil {
		u = rand.Float64()
	} else {
		u = rng.Float64()
	}
	return min(addSat(lo, durationOf(u*float64(hi-lo))), hi)
}
