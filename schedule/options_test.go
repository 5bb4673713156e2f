package schedule_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestFromOptionsDelays(t *testing.T) {
	tests := []struct {
		name string
		o    schedule.Options
		want []time.Duration
	}{
		{"zero Options: 3 exponential retries from 100ms", schedule.Options{}, ms(100, 200, 400)},
		{"exponential", schedule.Options{Strategy: schedule.StrategyExponential, MaxRetries: 5}, ms(100, 200, 400, 800, 1600)},
		{"exponential with a cap", schedule.Options{MaxRetries: 5, Initial: time.Second, Max: 5 * time.Second}, ms(1000, 2000, 4000, 5000, 5000)},
		{"exponential default cap is 30s", schedule.Options{MaxRetries: 12, Initial: time.Second}, ms(1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000, 30000)},
		{"exponential default cap rises to Initial", schedule.Options{MaxRetries: 2, Initial: time.Minute}, ms(60000, 60000)},
		{"exponential factor 3", schedule.Options{MaxRetries: 3, Factor: 3}, ms(100, 300, 900)},
		{"linear", schedule.Options{Strategy: schedule.StrategyLinear}, ms(1000, 2000, 3000)},
		{"linear with increment", schedule.Options{Strategy: schedule.StrategyLinear, MaxRetries: 5, Initial: 100 * time.Millisecond, Increment: 50 * time.Millisecond}, ms(100, 150, 200, 250, 300)},
		{"linear with a cap", schedule.Options{Strategy: schedule.StrategyLinear, MaxRetries: 4, Max: 2500 * time.Millisecond}, ms(1000, 2000, 2500, 2500)},
		{"fixed", schedule.Options{Strategy: schedule.StrategyFixed}, ms(1000, 1000, 1000)},
		{"fixed 250ms", schedule.Options{Strategy: schedule.StrategyFixed, Initial: 250 * time.Millisecond, MaxRetries: 2}, ms(250, 250)},
		{"custom", schedule.Options{MaxRetries: 4, Delay: func(n int, _ any) time.Duration { return time.Duration(n*n) * time.Millisecond }}, ms(1, 4, 9, 16)},
		{"custom negative is zero", schedule.Options{MaxRetries: 2, Delay: func(int, any) time.Duration { return -time.Second }}, ms(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := schedule.FromOptions(tt.o)
			got := simulate(s, 20, 0, errBoom)
			var delays []time.Duration
			for _, d := range got[:len(got)-1] {
				if d.Out != d.Delay {
					t.Errorf("output %v, want the delay %v", d.Out, d.Delay)
				}
				delays = append(delays, d.Delay)
			}
			if !slices.Equal(delays, tt.want) || got[len(got)-1].OK {
				t.Errorf("got %v, want delays %v then a stop", got, tt.want)
			}
		})
	}
}

func TestFromOptionsRandomStrategies(t *testing.T) {
	within := func(lo, hi time.Duration) func(n int, d time.Duration) (time.Duration, time.Duration, bool) {
		return func(int, time.Duration) (time.Duration, time.Duration, bool) { return lo, hi, true }
	}
	tests := []struct {
		name   string
		o      schedule.Options
		bounds func(n int, previous time.Duration) (lo, hi time.Duration, ok bool)
	}{
		{"jitter default ±10% of 1s", schedule.Options{Strategy: schedule.StrategyJitter, MaxRetries: 50}, within(900*time.Millisecond, 1100*time.Millisecond)},
		{"jitter ±50% of 200ms", schedule.Options{Strategy: schedule.StrategyJitter, MaxRetries: 50, Initial: 200 * time.Millisecond, Jitter: 0.5}, within(100*time.Millisecond, 300*time.Millisecond)},
		{"exponential ±30%", schedule.Options{MaxRetries: 6, Jitter: 0.3}, func(n int, _ time.Duration) (time.Duration, time.Duration, bool) {
			d := float64((100 * time.Millisecond) << (n - 1))
			return time.Duration(d * (1 - 0.3)), time.Duration(d * (1 + 0.3)), true
		}},
		{"full-jitter", schedule.Options{Strategy: schedule.StrategyFullJitter, MaxRetries: 12}, func(n int, _ time.Duration) (time.Duration, time.Duration, bool) {
			return 0, min((100*time.Millisecond)<<(n-1), 30*time.Second), true
		}},
		{"decorrelated-jitter", schedule.Options{Strategy: schedule.StrategyDecorrelatedJitter, MaxRetries: 30, Max: 2 * time.Second}, func(_ int, previous time.Duration) (time.Duration, time.Duration, bool) {
			return 100 * time.Millisecond, min(2*time.Second, 3*max(previous, 100*time.Millisecond)), true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range uint64(20) {
				got := delaysOf(schedule.FromOptions(tt.o).Seed(seed), 100)
				if len(got) != tt.o.MaxRetries {
					t.Fatalf("got %d retries, want %d", len(got), tt.o.MaxRetries)
				}
				var previous time.Duration
				for i, d := range got {
					lo, hi, _ := tt.bounds(i+1, previous)
					if d < lo || d > hi {
						t.Fatalf("seed %d, delay %d: got %v, want within [%v, %v]", seed, i+1, d, lo, hi)
					}
					previous = d
				}
			}
		})
	}
}

func TestFromOptionsRetryIfAndOnRetry(t *testing.T) {
	errFatal := errors.New("fatal")
	type call struct {
		err     error
		attempt int
		delay   time.Duration
	}
	var calls []call
	s := schedule.FromOptions(schedule.Options{
		MaxRetries: 5,
		RetryIf:    func(err error) bool { return !errors.Is(err, errFatal) },
		OnRetry:    func(err error, attempt int, delay time.Duration) { calls = append(calls, call{err, attempt, delay}) },
	})
	d := s.Start(t0)
	var oks []bool
	for _, err := range []error{errBoom, errBoom, errFatal} {
		_, _, ok := d.Next(t0, err)
		oks = append(oks, ok)
	}
	if want := []bool{true, true, false}; !slices.Equal(oks, want) {
		t.Errorf("decisions: got %v, want %v", oks, want)
	}
	if want := []call{{errBoom, 1, 100e6}, {errBoom, 2, 200e6}}; !slices.Equal(calls, want) {
		t.Errorf("OnRetry calls: got %v, want %v", calls, want)
	}
}

func TestFromOptionsOnRetryIsNotCalledOnTheLastFailure(t *testing.T) {
	calls := 0
	s := schedule.FromOptions(schedule.Options{MaxRetries: 2, OnRetry: func(error, int, time.Duration) { calls++ }})
	if got := simulate(s, 10, 0, errBoom); len(got) != 3 {
		t.Fatalf("got %d decisions, want 3", len(got))
	}
	if calls != 2 {
		t.Errorf("OnRetry: got %d calls, want 2", calls)
	}
}
