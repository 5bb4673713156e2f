package effecttest

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// sleepy takes the permit, waits 3 s and gives it back; with safe, the give
// is a finalizer; without, an interruption in the wait leaks the permit.
func sleepy(p *permits, safe bool) effect.Effect[any, error, int] {
	wait := effect.Sleep[any, error](3 * time.Second).AndThen(effect.Succeed[any, error](7))
	if safe {
		return effect.AcquireUseRelease(p.take(), func(struct{}) effect.Effect[any, error, int] { return wait },
			func(struct{}, effect.Exit[error, int]) effect.Effect[any, error, struct{}] { return p.give() })
	}
	return effect.FlatMap(p.take().AndThen(wait), func(v int) effect.Effect[any, error, int] { return p.give().As(v) })
}

func TestSweepTimesGridAndOutcomes(t *testing.T) {
	Test(t, func(t *testing.T, _ *effect.Runtime) {
		var p *permits
		var ats []time.Duration
		n := SweepTimes(t, 4*time.Second, time.Second, 2, func() effect.Effect[any, error, int] {
			p = &permits{free: 1}
			return sleepy(p, true)
		}, func(t testing.TB, at time.Duration, x effect.Exit[error, int]) {
			ats = append(ats, at)
			if p.free != 1 {
				t.Errorf("at %v: %d permits free, want 1", at, p.free)
			}
			switch {
			case at < 3*time.Second:
				AssertInterrupted(t, x)
			case at > 3*time.Second:
				AssertSucceeds(t, x, 7)
			case !x.IsInterrupted():
				// At the instant the sleep ends either may go first.
				AssertSucceeds(t, x, 7)
			}
		})
		want := []time.Duration{0, 0, time.Second, time.Second, 2 * time.Second, 2 * time.Second,
			3 * time.Second, 3 * time.Second, 4 * time.Second, 4 * time.Second}
		if n != len(want) || !slices.Equal(ats, want) {
			t.Fatalf("SweepTimes ran %d trials at %v, want %d at %v", n, ats, len(want), want)
		}
	})
}

// The step sweep cannot reach an interruption of a fiber parked in a wait
// from outside; the timed trials do, and find the leak.
func TestSweepTimesFindsALeakInAWait(t *testing.T) {
	Test(t, func(t *testing.T, _ *effect.Runtime) {
		var p *permits
		f := &fakeTB{}
		SweepTimes(f, 2*time.Second, time.Second, 1, func() effect.Effect[any, error, int] {
			p = &permits{free: 1}
			return sleepy(p, false)
		}, func(t testing.TB, at time.Duration, x effect.Exit[error, int]) {
			if p.free != 1 {
				t.Errorf("at %v: %d permits free", at, p.free)
			}
		})
		// At 0 s the fiber is interrupted before it takes the permit; at
		// 1 s and 2 s it waits in its sleep, holding it.
		want := []string{"at 1s: 0 permits free", "at 2s: 0 permits free"}
		if !slices.Equal(f.errs, want) {
			t.Fatalf("reports %q, want %q", f.errs, want)
		}
	})
}

func TestSweepTimesReportsLeftoverFibers(t *testing.T) {
	Test(t, func(t *testing.T, _ *effect.Runtime) {
		f := &fakeTB{}
		SweepTimes(f, time.Second, time.Second, 1, func() effect.Effect[any, error, int] {
			return effect.ForkDaemon(effect.Never[any, error, int]()).As(1)
		}, func(testing.TB, time.Duration, effect.Exit[error, int]) {})
		if len(f.errs) == 0 {
			t.Fatalf("the daemon left alive was not reported")
		}
	})
}

func TestSweepTimesPanicsOnBadArguments(t *testing.T) {
	mk := func() effect.Effect[any, error, int] { return effect.Succeed[any, error](1) }
	check := func(testing.TB, time.Duration, effect.Exit[error, int]) {}
	for _, c := range []struct {
		name        string
		span, every time.Duration
		repeat      int
		want        string
	}{
		{"every 0", time.Second, 0, 1, "effecttest.SweepTimes: every must be > 0"},
		{"negative span", -1, time.Second, 1, "effecttest.SweepTimes: span must be >= 0"},
		{"repeat 0", time.Second, time.Second, 0, "effecttest.SweepTimes: repeat must be >= 1"},
	} {
		func() {
			defer func() {
				if r := recover(); r != c.want {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.want)
				}
			}()
			SweepTimes(t, c.span, c.every, c.repeat, mk, check)
		}()
	}
}
