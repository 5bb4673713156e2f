package schedule_test

import (
	"math"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestBackoffDelays(t *testing.T) {
	tests := []struct {
		name string
		s    schedule.Schedule[time.Duration]
		want []time.Duration
	}{
		{"Exponential", schedule.Exponential(100 * time.Millisecond), ms(100, 200, 400, 800, 1600, 3200)},
		{"ExponentialWith factor 3", schedule.ExponentialWith(10*time.Millisecond, 3), ms(10, 30, 90, 270, 810)},
		{"ExponentialWith factor 1.5", schedule.ExponentialWith(100*time.Millisecond, 1.5), []time.Duration{100e6, 150e6, 225e6, 337.5e6, 506.25e6}},
		{"ExponentialWith factor 1", schedule.ExponentialWith(time.Second, 1), []time.Duration{time.Second, time.Second, time.Second}},
		{"Linear", schedule.Linear(100 * time.Millisecond), ms(100, 200, 300, 400, 500)},
		{"LinearWith", schedule.LinearWith(100*time.Millisecond, 50*time.Millisecond), ms(100, 150, 200, 250, 300)},
		{"Fibonacci", schedule.Fibonacci(10 * time.Millisecond), ms(10, 10, 20, 30, 50, 80, 130, 210)},
		{"Exponential capped", schedule.Exponential(100 * time.Millisecond).Capped(time.Second), ms(100, 200, 400, 800, 1000, 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDelays(t, tt.s, tt.want)
		})
	}
}

func TestBackoffOutputIsTheDelay(t *testing.T) {
	for _, d := range simulate(schedule.Fibonacci(time.Second), 5, 0, nil) {
		if d.Out != d.Delay {
			t.Errorf("got output %v for delay %v, want them equal", d.Out, d.Delay)
		}
	}
}

func TestBackoffSaturates(t *testing.T) {
	const maxDuration = time.Duration(math.MaxInt64)
	tests := []struct {
		name string
		s    schedule.Schedule[time.Duration]
	}{
		{"Exponential", schedule.Exponential(time.Hour)},
		{"Fibonacci", schedule.Fibonacci(time.Hour)},
		{"Linear", schedule.Linear(math.MaxInt64 / 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := delaysOf(tt.s, 200)
			for i := 1; i < len(got); i++ {
				if got[i] < got[i-1] {
					t.Fatalf("delay %d: got %v after %v, want no decrease", i+1, got[i], got[i-1])
				}
			}
			if last := got[len(got)-1]; last != maxDuration {
				t.Errorf("delay 200: got %v, want the largest Duration", last)
			}
		})
	}
}
