package effecttest

import (
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// permits is a toy semaphore of one permit.
type permits struct{ free int }

func (p *permits) take() effect.Effect[any, error, struct{}] {
	return effect.Sync[any, error](func() struct{} { p.free--; return struct{}{} })
}

func (p *permits) give() effect.Effect[any, error, struct{}] {
	return effect.Sync[any, error](func() struct{} { p.free++; return struct{}{} })
}

// work is the use of the permit: a few steps and an interruptible wait.
var work = effect.Map(effect.Sleep[any, error](time.Second).AndThen(effect.Succeed[any, error](1)), func(i int) int { return i + 1 })

func TestSweepInterruptsSafeCode(t *testing.T) {
	Test(t, func(t *testing.T, _ *effect.Runtime) {
		var p *permits
		interrupted := 0
		steps := SweepInterrupts(t, func() effect.Effect[any, error, int] {
			p = &permits{free: 1}
			return effect.AcquireUseRelease(p.take(), func(struct{}) effect.Effect[any, error, int] { return work },
				func(struct{}, effect.Exit[error, int]) effect.Effect[any, error, struct{}] { return p.give() })
		}, func(t testing.TB, step int, x effect.Exit[error, int]) {
			if p.free != 1 {
				t.Errorf("step %d: %d permits free after the run, want 1", step, p.free)
			}
			if step == 0 {
				AssertSucceeds(t, x, 2)
			} else if x.IsInterrupted() {
				interrupted++
				AssertInterruptedWith(t, x, effect.ErrStepHook)
			}
		})
		if steps < 3 {
			t.Fatalf("swept %d steps, want several", steps)
		}
		if interrupted == 0 {
			t.Fatalf("no run was interrupted in %d steps", steps)
		}
	})
}

func TestSweepInterruptsFindsALeak(t *testing.T) {
	Test(t, func(t *testing.T, _ *effect.Runtime) {
		var p *permits
		f := &fakeTB{}
		SweepInterrupts(f, func() effect.Effect[any, error, int] {
			p = &permits{free: 1}
			// Buggy: an interruption between take and give leaks the permit.
			return effect.FlatMap(p.take().AndThen(work), func(v int) effect.Effect[any, error, int] { return p.give().As(v) })
		}, func(t testing.TB, step int, x effect.Exit[error, int]) {
			if p.free != 1 {
				t.Errorf("step %d: %d permits free", step, p.free)
			}
		})
		if len(f.errs) == 0 {
			t.Fatalf("the sweep did not find the leak")
		}
	})
}

func TestSweepInterruptsReportsLeftoverFibers(t *testing.T) {
	Test(t, func(t *testing.T, _ *effect.Runtime) {
		f := &fakeTB{}
		SweepInterrupts(f, func() effect.Effect[any, error, int] {
			return effect.ForkDaemon(effect.Never[any, error, int]()).As(1)
		}, func(testing.TB, int, effect.Exit[error, int]) {})
		if len(f.errs) == 0 {
			t.Fatalf("the daemon left alive was not reported")
		}
	})
}
