package schedule

import (
	"math"
	"time"
)

// Strategy names a delay strategy of [Options], after go-go-scope's retry shorthands and its
// retry-strategies. With n the number of the retry about to be made (1 for the first), each gives
// the delay before it as follows, an unset (zero) field of Options taking the default shown:
//
//	Strategy                    delay before retry n                          defaults
//	StrategyExponential or ""   min(Initial·Factor^(n−1), Max) ± Jitter       Initial 100ms, Factor 2, Max 30s, Jitter 0
//	StrategyLinear              min(Initial + Increment·(n−1), Max) ± Jitter  Initial 1s, Increment = Initial, no Max
//	StrategyFixed               Initial ± Jitter                              Initial 1s, Jitter 0
//	StrategyJitter              Initial ± Jitter                              Initial 1s, Jitter 0.1
//	StrategyFullJitter          between(0, min(Initial·Factor^(n−1), Max))    Initial 100ms, Factor 2, Max 30s
//	StrategyDecorrelatedJitter  min(Max, between(Initial, 3·previous))        Initial 100ms, Max 30s
//
// "± Jitter" is [Schedule.Jitter] applied after the cap, as in go-go-scope: a delay d becomes one
// uniform in [d·(1−Jitter), d·(1+Jitter)], so it may exceed Max by up to Max·Jitter. between(a, b)
// is uniform in [a, b]; previous is the previous delay, Initial at first. The default Max of 30s is
// raised to Initial when Initial is longer. A custom Options.Delay takes Max and Jitter like
// linear.
type Strategy string

// The strategies of [Options]; see [Strategy] for their delays.
const (
	StrategyExponential        Strategy = "exponential"
	StrategyLinear             Strategy = "linear"
	StrategyFixed              Strategy = "fixed"
	StrategyJitter             Strategy = "jitter"
	StrategyFullJitter         Strategy = "full-jitter"
	StrategyDecorrelatedJitter Strategy = "decorrelated-jitter"
)

// Options is a retry policy in go-go-scope's terms (maxRetries, delay, retryCondition, onRetry and
// its delay strategies), turned into a [Schedule] by [FromOptions]. The zero Options is
// go-go-scope's default retry: 3 retries with exponential backoff from 100ms.
type Options struct {
	// MaxRetries is the most retries to make after the first attempt; zero means 3, go-go-scope's
	// default. To never retry, use the zero Schedule rather than Options.
	MaxRetries int
	// Strategy picks the delays; see [Strategy] for each one's formula and defaults. Empty means
	// exponential, unless Delay is set.
	Strategy Strategy
	// Initial is the first delay (the only one, for fixed and jitter); zero means the strategy's
	// default.
	Initial time.Duration
	// Max caps every delay; zero means 30s for exponential, full-jitter and decorrelated-jitter,
	// and no cap for the others.
	Max time.Duration
	// Factor is the growth of exponential and full-jitter; zero means 2. It must be at least 1.
	Factor float64
	// Increment is the growth of linear; zero means Initial.
	Increment time.Duration
	// Jitter spreads each delay by ±Jitter (a fraction in [0, 1]) for exponential, linear, fixed,
	// jitter and a custom Delay; zero means none, except for jitter where it means 0.1.
	Jitter float64
	// Delay, if set, replaces Strategy: it returns the delay before retry attempt (1 for the first)
	// given the input of the decision (the error). A negative delay counts as zero.
	Delay func(attempt int, in any) time.Duration
	// RetryIf, if set, stops the retries at the first error for which it returns false
	// (go-go-scope's retryCondition). The inputs must then be errors: see [WhileInput].
	RetryIf func(err error) bool
	// OnRetry, if set, is called before each retry with the error, the number of the retry (1 for
	// the first) and the delay about to be waited (go-go-scope's onRetry). See [Schedule.Tap].
	OnRetry func(err error, attempt int, delay time.Duration)
}

// FromOptions returns the schedule that o describes: o's delay strategy (with its cap and jitter),
// continuing at most o.MaxRetries times, stopped early by o.RetryIf and reporting each retry to
// o.OnRetry. Its output is the delay of each decision.
//
// In terms of this package, for the exponential strategy:
//
//	s := schedule.Exponential(o.Initial).Capped(o.Max).Jitter(o.Jitter).Intersect(schedule.Recurs(o.MaxRetries)).Delays()
//	s = schedule.WhileInput(s, o.RetryIf)
//	s = s.Tap(…o.OnRetry on each decision that continues…)
//
// FromOptions panics, with a message naming the field and the rule, if MaxRetries, Initial, Max or
// Increment is negative, Factor is below 1, Jitter is outside [0, 1], Max is set below Initial (or
// below the strategy's default Initial), Strategy is unknown, both Strategy and Delay are set, or a field is set that the
// strategy does not use (Factor outside exponential and full-jitter, Increment outside linear,
// Jitter with full-jitter or decorrelated-jitter).
func FromOptions(o Options) Schedule[time.Duration] {
	o.check()
	retries := o.MaxRetries
	if retries == 0 {
		retries = 3
	}
	s := o.delays().Intersect(Recurs(retries)).Delays()
	if o.RetryIf != nil {
		s = WhileInput(s, o.RetryIf)
	}
	if o.OnRetry != nil {
		onRetry := o.OnRetry
		s = s.Tap(func(d Decision[time.Duration]) {
			if d.Continue {
				onRetry(inputAs[error](d.Input, "Options.OnRetry"), d.Attempt, d.Delay)
			}
		})
	}
	return s
}

// check panics if o breaks one of the rules of [FromOptions].
func (o Options) check() {
	if o.MaxRetries < 0 {
		panicf("Options: MaxRetries must not be negative, got %d", o.MaxRetries)
	}
	checkDelay("Options", "Initial", o.Initial, false)
	checkDelay("Options", "Max", o.Max, false)
	checkDelay("Options", "Increment", o.Increment, false)
	if o.Factor != 0 && (!(o.Factor >= 1) || math.IsInf(o.Factor, 0)) {
		panicf("Options: Factor must be a finite number of at least 1, got %v", o.Factor)
	}
	if !(o.Jitter >= 0 && o.Jitter <= 1) {
		panicf("Options: Jitter must be in [0, 1], got %v", o.Jitter)
	}
	if initial := o.initial(); o.Max != 0 && o.Max < initial {
		if o.Initial == 0 {
			panicf("Options: Max (%v) must be at least the default Initial (%v)", o.Max, initial)
		}
		panicf("Options: Max (%v) must be at least Initial (%v)", o.Max, initial)
	}
	if o.Delay != nil && o.Strategy != "" {
		panicf("Options: set Strategy (%q) or Delay, not both", o.Strategy)
	}
	strategy := o.Strategy
	if strategy == "" && o.Delay == nil {
		strategy = StrategyExponential
	}
	switch strategy {
	case "", StrategyExponential, StrategyLinear, StrategyFixed, StrategyJitter, StrategyFullJitter, StrategyDecorrelatedJitter:
	default:
		panicf("Options: unknown Strategy %q (want %q, %q, %q, %q, %q or %q)", strategy,
			StrategyExponential, StrategyLinear, StrategyFixed, StrategyJitter, StrategyFullJitter, StrategyDecorrelatedJitter)
	}
	if o.Factor != 0 && strategy != StrategyExponential && strategy != StrategyFullJitter {
		panicf("Options: Factor applies to the exponential and full-jitter strategies only, not %q", o.describe())
	}
	if o.Increment != 0 && strategy != StrategyLinear {
		panicf("Options: Increment applies to the linear strategy only, not %q", o.describe())
	}
	if o.Jitter != 0 && (strategy == StrategyFullJitter || strategy == StrategyDecorrelatedJitter) {
		panicf("Options: Jitter does not apply to the %q strategy, which draws its own", strategy)
	}
}

// describe names o's strategy for messages.
func (o Options) describe() string {
	switch {
	case o.Strategy != "":
		return string(o.Strategy)
	case o.Delay != nil:
		return "custom Delay"
	default:
		return string(StrategyExponential)
	}
}

// initial returns o's first delay: Initial or the strategy's default (zero for a custom Delay).
func (o Options) initial() time.Duration {
	switch {
	case o.Initial != 0 || o.Delay != nil:
		return o.Initial
	case o.Strategy == StrategyLinear || o.Strategy == StrategyFixed || o.Strategy == StrategyJitter:
		return time.Second
	default:
		return 100 * time.Millisecond
	}
}

// delays returns the schedule of o's delays alone, with its defaults, cap and jitter.
func (o Options) delays() Schedule[time.Duration] {
	initial := o.initial()
	factor := o.Factor
	if factor == 0 {
		factor = 2
	}
	backoffCap := o.Max
	if backoffCap == 0 {
		backoffCap = max(30*time.Second, initial)
	}
	jitter, maxDelay := o.Jitter, o.Max
	var s Schedule[time.Duration]
	switch {
	case o.Delay != nil:
		s = Schedule[time.Duration]{root: custom{delay: o.Delay}}
	case o.Strategy == StrategyFullJitter:
		return ExponentialWith(initial, factor).Capped(backoffCap).FullJitter()
	case o.Strategy == StrategyDecorrelatedJitter:
		return DecorrelatedJitter(initial, backoffCap)
	case o.Strategy == StrategyLinear:
		increment := o.Increment
		if increment == 0 {
			increment = initial
		}
		s = LinearWith(initial, increment)
	case o.Strategy == StrategyFixed:
		s = Spaced(initial).Delays()
	case o.Strategy == StrategyJitter:
		s = Spaced(initial).Delays()
		if jitter == 0 {
			jitter = 0.1
		}
	default:
		s, maxDelay = ExponentialWith(initial, factor), backoffCap
	}
	if maxDelay != 0 {
		s = s.Capped(maxDelay)
	}
	if jitter != 0 {
		s = s.Jitter(jitter)
	}
	return s
}

// custom is the schedule of a caller's delay function: it always continues, with
// max(delay(n, in), 0) as the n-th delay and output.
type custom struct {
	delay func(attempt int, in any) time.Duration
}

func (c custom) start(*env) step[time.Duration] {
	return &customStep{delay: c.delay}
}

type customStep struct {
	delay   func(attempt int, in any) time.Duration
	attempt int
}

func (c *customStep) next(_ time.Time, in any) (time.Duration, time.Duration, bool) {
	c.attempt++
	d := max(c.delay(c.attempt, in), 0)
	return d, d, true
}

func (c *customStep) reset(time.Time) {
	c.attempt = 0
}
