package schedule_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestElapsed(t *testing.T) {
	got := simulate(schedule.Elapsed(), 3, 2*time.Second, nil)
	want := []decision[time.Duration]{{0, 2 * time.Second, true}, {0, 4 * time.Second, true}, {0, 6 * time.Second, true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A clock that went backwards counts as no time.
	if _, out, _ := schedule.Elapsed().Start(t0).Next(t0.Add(-time.Second), nil); out != 0 {
		t.Errorf("backwards clock: got %v, want 0", out)
	}
}

func TestUpTo(t *testing.T) {
	tests := []struct {
		name    string
		s       schedule.Schedule[time.Duration]
		attempt time.Duration
		want    []decision[time.Duration]
	}{
		{
			"stops when the next delay would overshoot",
			schedule.Exponential(100 * time.Millisecond).UpTo(time.Second), 0,
			[]decision[time.Duration]{{100e6, 100e6, true}, {200e6, 200e6, true}, {400e6, 400e6, true}, {0, 800e6, false}},
		},
		{
			"counts the attempts' own time",
			schedule.Exponential(100 * time.Millisecond).UpTo(time.Second), 50 * time.Millisecond,
			[]decision[time.Duration]{{100e6, 100e6, true}, {200e6, 200e6, true}, {400e6, 400e6, true}, {0, 800e6, false}},
		},
		{
			"an attempt may begin exactly at the budget",
			schedule.Spaced(500 * time.Millisecond).Delays().UpTo(time.Second), 0,
			[]decision[time.Duration]{{500e6, 500e6, true}, {500e6, 500e6, true}, {0, 500e6, false}},
		},
		{
			"an attempt that overran the budget stops the run",
			schedule.Spaced(0).Delays().UpTo(time.Second), 2 * time.Second,
			[]decision[time.Duration]{{0, 0, false}},
		},
		{
			"the inner schedule's stop is kept",
			schedule.Exponential(time.Millisecond).Intersect(schedule.Recurs(1)).UpTo(time.Hour), 0,
			[]decision[time.Duration]{{1e6, 1e6, true}, {0, 2e6, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := simulate(tt.s, 10, tt.attempt, nil); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUpToFunctionMatchesMethod(t *testing.T) {
	s := schedule.Exponential(100 * time.Millisecond)
	got := simulate(schedule.UpTo(s, time.Second), 10, 0, nil)
	want := simulate(s.UpTo(time.Second), 10, 0, nil)
	if !slices.Equal(got, want) {
		t.Errorf("UpTo(s, b): got %v, want s.UpTo(b)'s %v", got, want)
	}
}
