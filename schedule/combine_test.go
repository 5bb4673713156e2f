package schedule_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestUnion(t *testing.T) {
	tests := []struct {
		name string
		s    schedule.Schedule[int]
		want []decision[int]
	}{
		{
			"the shorter delay",
			schedule.Spaced(time.Second).Union(schedule.Spaced(300 * time.Millisecond)),
			[]decision[int]{{300e6, 1, true}, {300e6, 2, true}},
		},
		{
			"continues on the right once the left stops, keeping the left's last output",
			schedule.Recurs(2).Union(schedule.Spaced(time.Second)),
			[]decision[int]{{0, 1, true}, {0, 2, true}, {time.Second, 2, true}, {time.Second, 2, true}},
		},
		{
			"continues on the left once the right stops",
			schedule.Spaced(time.Second).Union(schedule.Recurs(1)),
			[]decision[int]{{0, 1, true}, {time.Second, 2, true}, {time.Second, 3, true}},
		},
		{
			"stops when both stop",
			schedule.Recurs(1).Union(schedule.Recurs(2)),
			[]decision[int]{{0, 1, true}, {0, 1, true}, {0, 1, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.want)
			if got := simulate(tt.s, n, 0, nil); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUnionOfExponentialAndSpacedCaps(t *testing.T) {
	checkDelays(t, schedule.Exponential(100*time.Millisecond).Union(schedule.Spaced(500*time.Millisecond)), ms(100, 200, 400, 500, 500))
}

func TestIntersect(t *testing.T) {
	got := simulate(schedule.Exponential(100*time.Millisecond).Intersect(schedule.Spaced(300*time.Millisecond)), 4, 0, nil)
	want := []decision[time.Duration]{{300e6, 100e6, true}, {300e6, 200e6, true}, {400e6, 400e6, true}, {800e6, 800e6, true}}
	if !slices.Equal(got, want) {
		t.Errorf("longer delay: got %v, want %v", got, want)
	}
	got = simulate(schedule.Exponential(100*time.Millisecond).Intersect(schedule.Recurs(2)), 5, 0, nil)
	want = []decision[time.Duration]{{100e6, 100e6, true}, {200e6, 200e6, true}, {0, 400e6, false}}
	if !slices.Equal(got, want) {
		t.Errorf("at most 2 retries: got %v, want %v", got, want)
	}
}

func TestAndThen(t *testing.T) {
	s := schedule.Spaced(100 * time.Millisecond).Intersect(schedule.Recurs(2)).AndThen(schedule.Spaced(time.Second).Intersect(schedule.Recurs(2)))
	got := simulate(s, 10, 0, nil)
	want := []decision[int]{{100e6, 1, true}, {100e6, 2, true}, {time.Second, 1, true}, {time.Second, 2, true}, {0, 3, false}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if fn := simulate(schedule.AndThen(schedule.Recurs(1), schedule.Spaced(time.Second)), 3, 0, nil); !slices.Equal(fn,
		[]decision[int]{{0, 1, true}, {time.Second, 1, true}, {time.Second, 2, true}}) {
		t.Errorf("AndThen function: got %v", fn)
	}
}

func TestAndThenStartsTheSecondWhenTheFirstStops(t *testing.T) {
	// Attempts take 3s. The first schedule allows one retry after 1s; the second is a 10s grid that
	// must be laid from the takeover at 7s, not from the start of the run.
	s := schedule.Spaced(time.Second).Intersect(schedule.Recurs(1)).AndThen(schedule.Fixed(10 * time.Second))
	got := simulate(s, 3, 3*time.Second, nil)
	want := []decision[int]{{time.Second, 1, true}, {10 * time.Second, 1, true}, {7 * time.Second, 2, true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCombinatorFunctionsMatchMethods(t *testing.T) {
	a, b := schedule.Exponential(100*time.Millisecond), schedule.Spaced(300*time.Millisecond)
	if x, y := simulate(schedule.Union(a, b), 6, 0, nil), simulate(a.Union(b), 6, 0, nil); !slices.Equal(x, y) {
		t.Errorf("Union: function gave %v, method %v", x, y)
	}
	if x, y := simulate(schedule.Intersect(a, b), 6, 0, nil), simulate(a.Intersect(b), 6, 0, nil); !slices.Equal(x, y) {
		t.Errorf("Intersect: function gave %v, method %v", x, y)
	}
}

func TestCombinatorLaws(t *testing.T) {
	var stop schedule.Schedule[int]
	s := schedule.Exponential(10 * time.Millisecond).Jitter(0.5).Intersect(schedule.Recurs(8)).Seed(3)
	other := schedule.Fibonacci(15 * time.Millisecond).FullJitter().Intersect(schedule.Recurs(5)).Seed(4)
	want := simulate(s, 20, time.Millisecond, nil)
	laws := map[string][]decision[time.Duration]{
		"s ∩ Forever = s": simulate(s.Intersect(schedule.Forever()), 20, time.Millisecond, nil),
		"s ∪ stop = s":    simulate(s.Union(stop), 20, time.Millisecond, nil),
		"Map(s, id) = s":  simulate(schedule.Map(s, func(d time.Duration) time.Duration { return d }), 20, time.Millisecond, nil),
		"s.Capped(∞) = s": simulate(s.Capped(1<<62), 20, time.Millisecond, nil),
		"s.UpTo(∞) = s":   simulate(s.UpTo(1<<62), 20, time.Millisecond, nil),
		"s.Jitter(0) = s": simulate(s.Jitter(0), 20, time.Millisecond, nil),
	}
	for name, got := range laws {
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	if got := simulate(s.Intersect(stop), 3, 0, nil); len(got) != 1 || got[0].OK {
		t.Errorf("s ∩ stop: got %v, want a stop at once", got)
	}
	// Union and Intersect are commutative in their decisions (not in their output).
	for name, pair := range map[string][2]schedule.Schedule[time.Duration]{
		"union":     {s.Union(other).Delays(), other.Union(s).Delays()},
		"intersect": {s.Intersect(other).Delays(), other.Intersect(s).Delays()},
	} {
		if a, b := simulate(pair[0], 20, time.Millisecond, nil), simulate(pair[1], 20, time.Millisecond, nil); !slices.Equal(a, b) {
			t.Errorf("%s: s with other gave %v, other with s gave %v", name, a, b)
		}
	}
}
