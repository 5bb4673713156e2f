package schedule_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestMap(t *testing.T) {
	label := func(n int) string { return fmt.Sprintf("#%d", n) }
	want := []decision[string]{{0, "#1", true}, {0, "#2", true}, {0, "#2", false}}
	if got := simulate(schedule.Recurs(2).Map(label), 5, 0, nil); !slices.Equal(got, want) {
		t.Errorf("method: got %v, want %v", got, want)
	}
	if got := simulate(schedule.Map(schedule.Recurs(2), label), 5, 0, nil); !slices.Equal(got, want) {
		t.Errorf("function: got %v, want %v", got, want)
	}
}

func TestDelays(t *testing.T) {
	s := schedule.Exponential(100 * time.Millisecond).Capped(300 * time.Millisecond).Intersect(schedule.Recurs(3))
	want := []decision[time.Duration]{{100e6, 100e6, true}, {200e6, 200e6, true}, {300e6, 300e6, true}, {0, 0, false}}
	if got := simulate(s.Delays(), 5, 0, nil); !slices.Equal(got, want) {
		t.Errorf("method: got %v, want %v", got, want)
	}
	if got := simulate(schedule.Delays(s), 5, 0, nil); !slices.Equal(got, want) {
		t.Errorf("function: got %v, want %v", got, want)
	}
	// Delays gives different schedules a common output type.
	mixed := schedule.Spaced(time.Second).Intersect(schedule.Recurs(1)).Delays().AndThen(schedule.Linear(time.Minute))
	checkDelays(t, mixed, []time.Duration{time.Second, time.Minute, 2 * time.Minute})
}
