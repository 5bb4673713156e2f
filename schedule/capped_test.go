package schedule_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestCapped(t *testing.T) {
	// The output stays the uncapped delay; the delay is capped.
	want := []decision[time.Duration]{{100e6, 100e6, true}, {200e6, 200e6, true}, {300e6, 400e6, true}, {300e6, 800e6, true}}
	s := schedule.Exponential(100 * time.Millisecond)
	if got := simulate(s.Capped(300*time.Millisecond), 4, 0, nil); !slices.Equal(got, want) {
		t.Errorf("method: got %v, want %v", got, want)
	}
	if got := simulate(schedule.Capped(s, 300*time.Millisecond), 4, 0, nil); !slices.Equal(got, want) {
		t.Errorf("function: got %v, want %v", got, want)
	}
	checkDelays(t, s.Capped(0), []time.Duration{0, 0, 0})
}

func TestCapAndJitterOrder(t *testing.T) {
	s := schedule.Spaced(time.Second).Seed(1)
	for i, d := range delaysOf(s.Jitter(0.5).Capped(time.Second), 200) {
		if d > time.Second {
			t.Fatalf("Jitter then Capped, delay %d: got %v, want at most 1s", i+1, d)
		}
	}
	if got := slices.Max(delaysOf(s.Capped(time.Second).Jitter(0.5), 200)); got <= time.Second {
		t.Errorf("Capped then Jitter: largest delay %v, want some above the cap", got)
	}
}
