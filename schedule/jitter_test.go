package schedule_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestJitterStaysInBounds(t *testing.T) {
	const d = time.Second
	tests := []struct {
		name   string
		s      schedule.Schedule[int]
		lo, hi time.Duration
	}{
		{"Jitter(0.2)", schedule.Spaced(d).Jitter(0.2), 800 * time.Millisecond, 1200 * time.Millisecond},
		{"Jitter(1)", schedule.Spaced(d).Jitter(1), 0, 2 * d},
		{"Jitter(0)", schedule.Spaced(d).Jitter(0), d, d},
		{"FullJitter", schedule.Spaced(d).FullJitter(), 0, d},
		{"EqualJitter", schedule.Spaced(d).EqualJitter(), d / 2, d},
	}
	for _, tt := range tests {
		for _, seeded := range []bool{false, true} {
			s := tt.s
			if seeded {
				s = s.Seed(3)
			}
			got := delaysOf(s, 1000)
			lo, hi := slices.Min(got), slices.Max(got)
			if lo < tt.lo || hi > tt.hi {
				t.Errorf("%s (seeded %v): delays in [%v, %v], want within [%v, %v]", tt.name, seeded, lo, hi, tt.lo, tt.hi)
			}
			// 1000 draws cover most of the range: the jitter is really applied.
			if spread := tt.hi - tt.lo; hi-lo < spread*9/10 {
				t.Errorf("%s (seeded %v): delays in [%v, %v], want them spread over [%v, %v]", tt.name, seeded, lo, hi, tt.lo, tt.hi)
			}
		}
	}
}

func TestDecorrelatedJitter(t *testing.T) {
	base, maxDelay := 100*time.Millisecond, 5*time.Second
	got := delaysOf(schedule.DecorrelatedJitter(base, maxDelay).Seed(11), 500)
	previous := base
	for i, d := range got {
		if d < base || d > min(maxDelay, 3*previous) {
			t.Fatalf("delay %d: got %v, want within [%v, min(%v, 3·%v)]", i+1, d, base, maxDelay, previous)
		}
		previous = d
	}
	if slices.Max(got) < maxDelay*9/10 {
		t.Errorf("max delay: got %v, want close to the cap %v", slices.Max(got), maxDelay)
	}
}

func TestSeedMakesRunsReproducible(t *testing.T) {
	s := schedule.Exponential(100 * time.Millisecond).Capped(10 * time.Second).FullJitter().
		Union(schedule.DecorrelatedJitter(time.Second, time.Minute)).Seed(99)
	first := delaysOf(s, 50)
	if again := delaysOf(s, 50); !slices.Equal(first, again) {
		t.Errorf("same seed: got %v, then %v, want equal runs", first, again)
	}
	if other := delaysOf(s.Seed(100), 50); !slices.Equal(first, other) {
		t.Errorf("outer seed overrode the inner one: got %v, want %v", other, first)
	}
	unseeded := schedule.Exponential(100 * time.Millisecond).Capped(10 * time.Second).FullJitter()
	if other := delaysOf(unseeded.Seed(100), 50); slices.Equal(first, other) {
		t.Error("different seeds gave equal runs")
	}
}

func TestUnseededDriversDiffer(t *testing.T) {
	s := schedule.Spaced(time.Hour).FullJitter()
	if a, b := delaysOf(s, 10), delaysOf(s, 10); slices.Equal(a, b) {
		t.Errorf("two unseeded runs drew the same delays %v", a)
	}
}

func TestJitterKeepsStopAndOutput(t *testing.T) {
	got := simulate(schedule.Exponential(time.Second).FullJitter().Seed(1).Intersect(schedule.Recurs(2)), 5, 0, nil)
	if len(got) != 3 || got[2].OK || got[2].Delay != 0 {
		t.Fatalf("got %v, want two continues and a stop with no delay", got)
	}
	if got[0].Out != time.Second || got[1].Out != 2*time.Second {
		t.Errorf("outputs: got %v and %v, want the unjittered 1s and 2s", got[0].Out, got[1].Out)
	}
}

func TestJitterFunctionsMatchMethods(t *testing.T) {
	s := schedule.Exponential(100 * time.Millisecond)
	pairs := []struct {
		name           string
		function, meth schedule.Schedule[time.Duration]
	}{
		{"Jitter", schedule.Jitter(s, 0.5), s.Jitter(0.5)},
		{"FullJitter", schedule.FullJitter(s), s.FullJitter()},
		{"EqualJitter", schedule.EqualJitter(s), s.EqualJitter()},
	}
	for _, p := range pairs {
		if a, b := delaysOf(schedule.Seed(p.function, 5), 20), delaysOf(p.meth.Seed(5), 20); !slices.Equal(a, b) {
			t.Errorf("%s: function gave %v, method %v", p.name, a, b)
		}
	}
}
