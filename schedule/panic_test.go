package schedule_test

import (
	"math"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestBadArgumentsPanic(t *testing.T) {
	s := schedule.Forever()
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"Recurs", func() { schedule.Recurs(-1) }, "schedule: Recurs: n must not be negative, got -1"},
		{"Spaced", func() { schedule.Spaced(-time.Second) }, "schedule: Spaced: d must not be negative, got -1s"},
		{"Fixed", func() { schedule.Fixed(0) }, "schedule: Fixed: d must be positive, got 0s"},
		{"Linear", func() { schedule.Linear(0) }, "schedule: Linear: base must be positive, got 0s"},
		{"LinearWith initial", func() { schedule.LinearWith(-1, 0) }, "schedule: LinearWith: initial must not be negative, got -1ns"},
		{"LinearWith increment", func() { schedule.LinearWith(0, -1) }, "schedule: LinearWith: increment must not be negative, got -1ns"},
		{"Exponential", func() { schedule.Exponential(-time.Millisecond) }, "schedule: Exponential: base must be positive, got -1ms"},
		{"ExponentialWith base", func() { schedule.ExponentialWith(0, 2) }, "schedule: ExponentialWith: base must be positive, got 0s"},
		{"ExponentialWith factor", func() { schedule.ExponentialWith(time.Second, 0.5) }, "schedule: ExponentialWith: factor must be a finite number of at least 1, got 0.5"},
		{"ExponentialWith NaN", func() { schedule.ExponentialWith(time.Second, math.NaN()) }, "schedule: ExponentialWith: factor must be a finite number of at least 1, got NaN"},
		{"ExponentialWith Inf", func() { schedule.ExponentialWith(time.Second, math.Inf(1)) }, "schedule: ExponentialWith: factor must be a finite number of at least 1, got +Inf"},
		{"Fibonacci", func() { schedule.Fibonacci(0) }, "schedule: Fibonacci: base must be positive, got 0s"},
		{"DecorrelatedJitter base", func() { schedule.DecorrelatedJitter(0, time.Second) }, "schedule: DecorrelatedJitter: base must be positive, got 0s"},
		{"DecorrelatedJitter max", func() { schedule.DecorrelatedJitter(time.Second, time.Millisecond) }, "schedule: DecorrelatedJitter: maxDelay must be at least base (1s), got 1ms"},
		{"Jitter above 1", func() { s.Jitter(1.5) }, "schedule: Jitter: f must be in [0, 1], got 1.5"},
		{"Jitter negative", func() { schedule.Jitter(s, -0.1) }, "schedule: Jitter: f must be in [0, 1], got -0.1"},
		{"Jitter NaN", func() { s.Jitter(math.NaN()) }, "schedule: Jitter: f must be in [0, 1], got NaN"},
		{"Capped", func() { s.Capped(-1) }, "schedule: Capped: maxDelay must not be negative, got -1ns"},
		{"UpTo", func() { s.UpTo(0) }, "schedule: UpTo: budget must be positive, got 0s"},
		{"ResetAfter", func() { s.ResetAfter(0) }, "schedule: ResetAfter: quiet must be positive, got 0s"},
		{"Options.MaxRetries", func() { schedule.FromOptions(schedule.Options{MaxRetries: -1}) }, "schedule: Options: MaxRetries must not be negative, got -1"},
		{"Options.Initial", func() { schedule.FromOptions(schedule.Options{Initial: -1}) }, "schedule: Options: Initial must not be negative, got -1ns"},
		{"Options.Max", func() { schedule.FromOptions(schedule.Options{Max: -1}) }, "schedule: Options: Max must not be negative, got -1ns"},
		{"Options.Max below Initial", func() { schedule.FromOptions(schedule.Options{Initial: time.Second, Max: time.Millisecond}) }, "schedule: Options: Max (1ms) must be at least Initial (1s)"},
		{"Options.Factor", func() { schedule.FromOptions(schedule.Options{Factor: 0.9}) }, "schedule: Options: Factor must be a finite number of at least 1, got 0.9"},
		{"Options.Jitter", func() { schedule.FromOptions(schedule.Options{Jitter: 2}) }, "schedule: Options: Jitter must be in [0, 1], got 2"},
		{"Options.Strategy", func() { schedule.FromOptions(schedule.Options{Strategy: "exponentail"}) },
			`schedule: Options: unknown Strategy "exponentail" (want "exponential", "linear", "fixed", "jitter", "full-jitter" or "decorrelated-jitter")`},
		{"Options.Strategy and Delay", func() {
			schedule.FromOptions(schedule.Options{Strategy: schedule.StrategyFixed, Delay: func(int, any) time.Duration { return 0 }})
		}, `schedule: Options: set Strategy ("fixed") or Delay, not both`},
		{"Options.Factor for linear", func() { schedule.FromOptions(schedule.Options{Strategy: schedule.StrategyLinear, Factor: 2}) },
			`schedule: Options: Factor applies to the exponential and full-jitter strategies only, not "linear"`},
		{"Options.Increment for exponential", func() { schedule.FromOptions(schedule.Options{Increment: time.Second}) },
			`schedule: Options: Increment applies to the linear strategy only, not "exponential"`},
		{"Options.Jitter for full-jitter", func() { schedule.FromOptions(schedule.Options{Strategy: schedule.StrategyFullJitter, Jitter: 0.1}) },
			`schedule: Options: Jitter does not apply to the "full-jitter" strategy, which draws its own`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := panicMessage(tt.f); got != tt.want {
				t.Errorf("panic: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGoodArgumentsDoNotPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"Recurs(0)":          func() { schedule.Recurs(0) },
		"Spaced(0)":          func() { schedule.Spaced(0) },
		"LinearWith(0, 0)":   func() { schedule.LinearWith(0, 0) },
		"ExponentialWith(1)": func() { schedule.ExponentialWith(time.Nanosecond, 1) },
		"DecorrelatedJitter": func() { schedule.DecorrelatedJitter(time.Second, time.Second) },
		"Jitter(0) and (1)":  func() { schedule.Forever().Jitter(0).Jitter(1) },
		"Capped(0)":          func() { schedule.Forever().Capped(0) },
		"Options with Delay": func() {
			schedule.FromOptions(schedule.Options{Delay: func(int, any) time.Duration { return 0 }, Jitter: 0.5})
		},
		"Options max=initial": func() { schedule.FromOptions(schedule.Options{Initial: time.Second, Max: time.Second}) },
	} {
		if got := panicMessage(f); got != "" {
			t.Errorf("%s: got panic %q, want none", name, got)
		}
	}
}

func TestOptionsMaxBelowDefaultInitialPanics(t *testing.T) {
	tests := []struct {
		o    schedule.Options
		want string
	}{
		{schedule.Options{Strategy: schedule.StrategyDecorrelatedJitter, Max: 50 * time.Millisecond}, "schedule: Options: Max (50ms) must be at least the default Initial (100ms)"},
		{schedule.Options{Strategy: schedule.StrategyLinear, Max: 500 * time.Millisecond}, "schedule: Options: Max (500ms) must be at least the default Initial (1s)"},
	}
	for _, tt := range tests {
		if got := panicMessage(func() { schedule.FromOptions(tt.o) }); got != tt.want {
			t.Errorf("%+v: got panic %q, want %q", tt.o, got, tt.want)
		}
	}
}
