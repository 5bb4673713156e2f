package schedule_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// TestNextDoesNotAllocate checks the contract of Driver.Next: no allocation, through every
// constructor and combinator, seeded or not.
func TestNextDoesNotAllocate(t *testing.T) {
	base := 100 * time.Millisecond
	cases := map[string]schedule.Schedule[time.Duration]{
		"Recurs":             schedule.Recurs(1 << 40).Delays(),
		"Spaced":             schedule.Spaced(base).Delays(),
		"Fixed":              schedule.Fixed(base).Delays(),
		"Linear":             schedule.Linear(base),
		"LinearWith":         schedule.LinearWith(base, time.Millisecond),
		"Exponential":        schedule.Exponential(base),
		"ExponentialWith":    schedule.ExponentialWith(base, 1.5),
		"Fibonacci":          schedule.Fibonacci(base),
		"Elapsed":            schedule.Elapsed(),
		"DecorrelatedJitter": schedule.DecorrelatedJitter(base, time.Minute),
		"Jitter":             schedule.Exponential(base).Jitter(0.3),
		"FullJitter":         schedule.Exponential(base).FullJitter(),
		"EqualJitter":        schedule.Exponential(base).EqualJitter(),
		"Seed":               schedule.Exponential(base).FullJitter().Seed(1),
		"Capped":             schedule.Exponential(base).Capped(time.Second),
		"UpTo":               schedule.Exponential(base).Capped(time.Second).UpTo(1 << 62),
		"Union":              schedule.Exponential(base).Union(schedule.Spaced(time.Second)),
		"Intersect":          schedule.Exponential(base).Intersect(schedule.Recurs(1 << 40)),
		"AndThen":            schedule.Linear(base).WhileOutput(func(d time.Duration) bool { return d < time.Second }).AndThen(schedule.Spaced(time.Second).Delays()),
		"WhileInput":         schedule.WhileInput(schedule.Linear(base), func(err error) bool { return err != nil }),
		"UntilInput":         schedule.Linear(base).UntilInput(func(err error) bool { return err == nil }),
		"WhileOutput":        schedule.Linear(base).WhileOutput(func(time.Duration) bool { return true }),
		"UntilOutput":        schedule.Linear(base).UntilOutput(func(time.Duration) bool { return false }),
		"Map":                schedule.Map(schedule.Spaced(base), func(n int) time.Duration { return time.Duration(n) }),
		"Tap":                schedule.Linear(base).Tap(func(schedule.Decision[time.Duration]) {}),
		"ResetAfter":         schedule.Exponential(base).ResetAfter(time.Millisecond),
		"FromOptions":        schedule.FromOptions(schedule.Options{MaxRetries: 1 << 40, Jitter: 0.2, RetryIf: func(error) bool { return true }, OnRetry: func(error, int, time.Duration) {}}),
		"composed": schedule.Exponential(base).Capped(5 * time.Second).Jitter(0.2).
			Union(schedule.Spaced(time.Minute)).Intersect(schedule.Recurs(1 << 40)).
			UpTo(1 << 62).ResetAfter(time.Hour).Seed(42).Tap(func(schedule.Decision[time.Duration]) {}),
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			d := s.Start(t0)
			now := t0
			allocs := testing.AllocsPerRun(200, func() {
				now = now.Add(time.Millisecond)
				delay, _, ok := d.Next(now, errBoom)
				if !ok {
					t.Fatal("schedule stopped")
				}
				now = now.Add(delay)
			})
			if allocs != 0 {
				t.Errorf("Next: got %v allocs per call, want 0", allocs)
			}
		})
	}
}

// TestStartInIsStart checks StartIn against Start: the same decisions from a Driver the caller
// holds, a second StartIn dropping the run before it (seeded jitter replays, the count restarts),
// one allocation fewer, and a nil Driver refused by name.
func TestStartInIsStart(t *testing.T) {
	s := schedule.Exponential(10 * time.Millisecond).FullJitter().Seed(7).Intersect(schedule.Recurs(4))
	decisions := func(d *schedule.Driver[time.Duration]) (out []time.Duration) {
		for {
			delay, _, ok := d.Next(t0, nil)
			if !ok {
				return out
			}
			out = append(out, delay)
		}
	}
	want := decisions(s.Start(t0))
	if len(want) != 4 {
		t.Fatalf("Start: %d decisions, want 4", len(want))
	}
	var held schedule.Driver[time.Duration]
	s.StartIn(&held, t0)
	if got := decisions(&held); !slices.Equal(got, want) {
		t.Fatalf("StartIn: %v, want %v", got, want)
	}
	if held.Attempt() != 5 {
		t.Fatalf("attempts after the run: %d, want 5", held.Attempt())
	}
	s.StartIn(&held, t0)
	if held.Attempt() != 0 {
		t.Fatalf("a second StartIn kept the attempt count %d", held.Attempt())
	}
	if got := decisions(&held); !slices.Equal(got, want) {
		t.Fatalf("a second StartIn: %v, want %v", got, want)
	}
	r := schedule.Recurs(3)
	startAllocs := testing.AllocsPerRun(100, func() { _ = r.Start(t0) })
	var d schedule.Driver[int]
	inAllocs := testing.AllocsPerRun(100, func() { r.StartIn(&d, t0) })
	if inAllocs != startAllocs-1 {
		t.Fatalf("allocations: StartIn %v, Start %v; want one fewer", inAllocs, startAllocs)
	}
	if msg := panicMessage(func() { r.StartIn(nil, t0) }); !strings.Contains(msg, "StartIn") || !strings.Contains(msg, "d must not be nil") {
		t.Fatalf("nil Driver: panic %q", msg)
	}
}
