package schedule_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestSpaced(t *testing.T) {
	got := simulate(schedule.Spaced(time.Second), 3, 5*time.Second, errBoom)
	want := []decision[int]{{time.Second, 1, true}, {time.Second, 2, true}, {time.Second, 3, true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFixed(t *testing.T) {
	const d = 10 * time.Second
	tests := []struct {
		name string
		// ends are the times, after the start, at which successive attempts end.
		ends []time.Duration
		want []time.Duration
	}{
		{"instant attempts wait a full step", []time.Duration{0, d, 2 * d}, []time.Duration{d, d, d}},
		{"short attempts wait for the boundary", []time.Duration{3 * time.Second, d + 4*time.Second}, []time.Duration{7 * time.Second, 6 * time.Second}},
		{"an overrun waits for the next boundary", []time.Duration{25 * time.Second, 31 * time.Second}, []time.Duration{5 * time.Second, 9 * time.Second}},
		{"an attempt ending on a boundary starts the next at once", []time.Duration{2 * d}, []time.Duration{0}},
		{"a used boundary is not reused", []time.Duration{0, d}, []time.Duration{d, d}},
		{"a long overrun skips the missed boundaries", []time.Duration{0, 55 * time.Second}, []time.Duration{d, 5 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			drv := schedule.Fixed(d).Start(t0)
			var got []time.Duration
			for _, end := range tt.ends {
				delay, _, ok := drv.Next(t0.Add(end), nil)
				if !ok {
					t.Fatal("Fixed stopped")
				}
				got = append(got, delay)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFixedResetRestartsTheGrid(t *testing.T) {
	drv := schedule.Fixed(10 * time.Second).Start(t0)
	drv.Next(t0.Add(3*time.Second), nil)
	drv.Reset(t0.Add(4 * time.Second))
	if delay, _, _ := drv.Next(t0.Add(5*time.Second), nil); delay != 9*time.Second {
		t.Errorf("after Reset: got %v, want 9s", delay)
	}
}
