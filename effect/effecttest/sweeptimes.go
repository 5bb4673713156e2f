package effecttest

import (
	"context"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// SweepTimes proves that an effect is safe to interrupt from outside at any
// instant of its run, complementing [SweepInterrupts]. For each instant at
// of the grid 0, every, 2×every, ... up to and including span, it runs
// repeat trials: it builds the effect afresh with mk, starts it on a fresh
// runtime, sleeps until at, interrupts the fiber from Go
// ([effect.Fiber.InterruptFromGo]), waits for it to end, reports any fiber
// left alive ([AssertNoFibers]), shuts the runtime down, and calls check
// with at and the exit. It returns the number of trials run.
//
// The two sweeps reach different points. The step sweep interrupts a fiber
// right before each of its steps; the timed trials interrupt it while it is
// parked in a wait (a sleep, a semaphore, a queue), which no step hook
// reaches, and at the very instants when a helper completes that wait,
// where the order of the two is up to the scheduler — hence repeat, to try
// both orders. A trial whose run ended before at is an uninterrupted run:
// check must accept both outcomes for instants near the run's end.
//
// Call SweepTimes inside a testing/synctest bubble ([Test], or
// synctest.Test): the sleeps are then virtual, take no real time, and at
// falls at an exact instant of the run; outside one they are real sleeps
// and the instants approximate. A usual span is the virtual time that the
// uninterrupted run took (measured at step 0 of [SweepInterrupts]) plus one
// every, and every is half the period of the sleeps in the scenario.
//
// mk must build everything the run changes afresh, as for
// [SweepInterrupts]; check reads the state of the last trial. SweepTimes
// panics if every is not positive, span is negative or repeat is below 1.
func SweepTimes[E, A any](t testing.TB, span, every time.Duration, repeat int, mk func() effect.Effect[any, E, A], check func(t testing.TB, at time.Duration, x effect.Exit[E, A])) int {
	t.Helper()
	switch {
	case every <= 0:
		panic("effecttest.SweepTimes: every must be > 0")
	case span < 0:
		panic("effecttest.SweepTimes: span must be >= 0")
	case repeat < 1:
		panic("effecttest.SweepTimes: repeat must be >= 1")
	}
	trials := 0
	for at := time.Duration(0); at <= span; at += every {
		for range repeat {
			rt := effect.NewRuntime()
			fb := rt.Start(context.Background(), mk(), nil)
			time.Sleep(at)
			fb.InterruptFromGo()
			x, err := fb.Wait(context.Background())
			if err != nil {
				t.Fatalf("effecttest: SweepTimes: waiting for the trial interrupted at %v: %v", at, err)
			}
			if !AssertNoFibers(t, rt) {
				t.Logf("effecttest: SweepTimes: the fibers above were left by the trial interrupted at %v", at)
			}
			_ = rt.Shutdown(context.Background())
			check(t, at, x)
			trials++
		}
	}
	return trials
}
