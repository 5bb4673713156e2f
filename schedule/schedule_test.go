package schedule_test

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestZeroScheduleStopsAtOnce(t *testing.T) {
	var s schedule.Schedule[int]
	d := s.Start(t0)
	if delay, out, ok := d.Next(t0, errBoom); ok || delay != 0 || out != 0 {
		t.Errorf("Next: got (%v, %v, %v), want (0, 0, false)", delay, out, ok)
	}
	// The zero Schedule composes as a schedule that stops at once.
	if got := simulate(schedule.Spaced(time.Second).Intersect(s), 3, 0, nil); len(got) != 1 || got[0].OK {
		t.Errorf("Spaced.Intersect(zero): got %v, want one stop", got)
	}
	if got := delaysOf(s.Union(schedule.Spaced(time.Second)), 2); len(got) != 2 {
		t.Errorf("zero.Union(Spaced): got %v, want two delays", got)
	}
}

func TestZeroDriverStops(t *testing.T) {
	var d schedule.Driver[string]
	if _, _, ok := d.Next(t0, nil); ok {
		t.Error("zero Driver: Next continued, want stop")
	}
	if got := d.Attempt(); got != 1 {
		t.Errorf("Attempt: got %d, want 1", got)
	}
	d.Reset(t0)
	if got := d.Attempt(); got != 0 {
		t.Errorf("Attempt after Reset: got %d, want 0", got)
	}
}

func TestDriverStaysStopped(t *testing.T) {
	// WhileInput would continue again on a good input; the driver must not.
	s := schedule.WhileInput(schedule.Forever(), func(in int) bool { return in > 0 })
	d := s.Start(t0)
	inputs := []int{1, 0, 1, 1}
	wantOK := []bool{true, false, false, false}
	wantOut := []int{1, 2, 2, 2}
	for i, in := range inputs {
		_, out, ok := d.Next(t0, in)
		if ok != wantOK[i] || out != wantOut[i] {
			t.Errorf("decision %d: got (%v, %v), want (%v, %v)", i+1, out, ok, wantOut[i], wantOK[i])
		}
	}
	if got := d.Attempt(); got != len(inputs) {
		t.Errorf("Attempt: got %d, want %d", got, len(inputs))
	}
	d.Reset(t0)
	if _, out, ok := d.Next(t0, 1); !ok || out != 1 {
		t.Errorf("after Reset: got (%v, %v), want (1, true)", out, ok)
	}
}

func TestDriverResetStartsOver(t *testing.T) {
	s := schedule.Exponential(100 * time.Millisecond).Jitter(0.5).Seed(7).Intersect(schedule.Recurs(4))
	d := s.Start(t0)
	var first []time.Duration
	for range 4 {
		delay, _, _ := d.Next(t0, errBoom)
		first = append(first, delay)
	}
	d.Reset(t0)
	for i := range 4 {
		delay, _, _ := d.Next(t0, errBoom)
		if delay != first[i] {
			t.Errorf("decision %d after Reset: got %v, want %v", i+1, delay, first[i])
		}
	}
	if got := d.Attempt(); got != 4 {
		t.Errorf("Attempt: got %d, want 4", got)
	}
	if _, _, ok := d.Next(t0, errBoom); ok {
		t.Error("decision 5 continued, want stop after 4 retries")
	}
}

// TestDriverInSynctest runs a hand-written retry loop on real timers inside a synctest bubble, the
// way the effect runtime consumes a schedule: the virtual time spent is the sum of the delays.
func TestDriverInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		d := schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(3)).Start(start)
		attempts := 0
		for {
			attempts++
			time.Sleep(10 * time.Millisecond) // the attempt's own work, then it fails
			delay, _, ok := d.Next(time.Now(), errBoom)
			if !ok {
				break
			}
			time.Sleep(delay)
		}
		if attempts != 4 {
			t.Errorf("attempts: got %d, want 4", attempts)
		}
		want := 4*10*time.Millisecond + (100+200+400)*time.Millisecond
		if got := time.Since(start); got != want {
			t.Errorf("virtual time: got %v, want %v", got, want)
		}
	})
}

// TestResetEqualsStart checks, for every kind of schedule, that a driver reset at some time makes
// the same decisions as a fresh driver started then.
func TestResetEqualsStart(t *testing.T) {
	unit := time.Millisecond
	cases := map[string]schedule.Schedule[time.Duration]{
		"Recurs":             schedule.Recurs(4).Delays(),
		"Spaced":             schedule.Spaced(unit).Delays(),
		"Fixed":              schedule.Fixed(7 * unit).Delays(),
		"LinearWith":         schedule.LinearWith(unit, 2*unit),
		"Exponential":        schedule.Exponential(unit),
		"Fibonacci":          schedule.Fibonacci(unit),
		"Elapsed":            schedule.Elapsed(),
		"DecorrelatedJitter": schedule.DecorrelatedJitter(unit, time.Second).Seed(1),
		"Jitter":             schedule.Exponential(unit).Jitter(0.5).EqualJitter().FullJitter().Seed(2),
		"Capped":             schedule.Exponential(unit).Capped(5 * unit),
		"UpTo":               schedule.Exponential(unit).UpTo(40 * unit),
		"Union":              schedule.Recurs(2).Delays().Union(schedule.Linear(unit).Intersect(schedule.Recurs(5))),
		"AndThen":            schedule.Recurs(2).Delays().AndThen(schedule.Fixed(5 * unit).Delays()),
		"WhileInput":         schedule.WhileInput(schedule.Linear(unit), func(n int) bool { return n < 5 }),
		"WhileOutput":        schedule.Elapsed().WhileOutput(func(d time.Duration) bool { return d < 20*unit }),
		"Map":                schedule.Map(schedule.Spaced(unit), func(n int) time.Duration { return time.Duration(n) }),
		"Tap":                schedule.Linear(unit).Tap(func(schedule.Decision[time.Duration]) {}),
		"ResetAfter":         schedule.Exponential(unit).ResetAfter(3 * unit),
		"Options":            schedule.FromOptions(schedule.Options{MaxRetries: 5, Delay: func(n int, _ any) time.Duration { return time.Duration(n) * unit }}),
	}
	// run makes ten decisions from start with attempts of growing length, inputs 0, 1, 2, ….
	run := func(d *schedule.Driver[time.Duration], start time.Time) []decision[time.Duration] {
		var got []decision[time.Duration]
		now := start
		for i := range 10 {
			now = now.Add(time.Duration(i) * unit)
			delay, out, ok := d.Next(now, i)
			got = append(got, decision[time.Duration]{delay, out, ok})
			now = now.Add(delay)
		}
		return got
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			restart := t0.Add(time.Hour)
			want := run(s.Start(restart), restart)
			d := s.Start(t0)
			run(d, t0)
			d.Reset(restart)
			if got := run(d, restart); !slices.Equal(got, want) {
				t.Errorf("after Reset: got %v, want %v", got, want)
			}
		})
	}
}
