package schedule_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestResetAfter(t *testing.T) {
	s := schedule.Exponential(100 * time.Millisecond).ResetAfter(time.Minute)
	// attempt lists how long each attempt runs before it fails.
	attempt := []time.Duration{time.Second, time.Second, time.Second, 2 * time.Minute, time.Second, time.Minute}
	want := ms(100, 200, 400, 100, 200, 100)
	now := t0
	d := s.Start(now)
	var got []time.Duration
	for _, a := range attempt {
		now = now.Add(a)
		delay, _, ok := d.Next(now, errBoom)
		if !ok {
			t.Fatal("stopped")
		}
		got = append(got, delay)
		now = now.Add(delay)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestResetAfterIgnoresTheWait(t *testing.T) {
	// Delays grow past the quiet period, but short attempts never reset the backoff.
	checkDelays(t, schedule.Exponential(time.Second).ResetAfter(3*time.Second), ms(1000, 2000, 4000, 8000, 16000))
	checkDelays(t, schedule.ResetAfter(schedule.Exponential(time.Second), 3*time.Second), ms(1000, 2000, 4000, 8000))
}

func TestResetAfterRestartsTheBudget(t *testing.T) {
	// UpTo inside ResetAfter: a long quiet attempt gives the run a fresh budget.
	s := schedule.Spaced(time.Second).UpTo(2 * time.Second).ResetAfter(time.Minute)
	now := t0
	d := s.Start(now)
	var oks []bool
	for _, a := range []time.Duration{0, 0, time.Hour, 0} {
		now = now.Add(a)
		delay, _, ok := d.Next(now, nil)
		oks = append(oks, ok)
		now = now.Add(delay)
	}
	if want := []bool{true, true, true, true}; !slices.Equal(oks, want) {
		t.Errorf("got %v, want %v", oks, want)
	}
}
