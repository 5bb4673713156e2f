package effecttest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// SweepInterrupts proves that an effect is safe to interrupt at any point.
// It runs the effect that mk builds once on a fresh runtime, counting the
// steps of its root fiber (with [effect.Runtime.SetStepHook]); then, for
// each step k from 1 to that count, it builds the effect again with mk and
// runs it on a fresh runtime that interrupts the root fiber right before its
// k-th step, as if another fiber had interrupted it there (the reason is
// [effect.ErrStepHook]). After each run, the uninterrupted one first (step
// 0), it reports any fiber left alive ([AssertNoFibers]) and calls check
// with the step and the exit; check asserts what must hold whatever the
// interruption point: a permit given back, a finalizer run exactly once.
// SweepInterrupts returns the number of steps swept.
//
// mk must build everything the run changes afresh (the semaphore, the pool,
// the counters) so that each run starts from the same state; check reads the
// state of the last run. In an uninterruptible region the interruption waits
// for the region's end, as it would for any interrupter. Runs that sleep
// take real time unless SweepInterrupts is called inside a testing/synctest
// bubble ([Test]). The cost is that of one run per step: keep the swept
// effect to the operation under test.
func SweepInterrupts[E, A any](t testing.TB, mk func() effect.Effect[any, E, A], check func(t testing.TB, step int, x effect.Exit[E, A])) int {
	t.Helper()
	x, steps := sweepRun(t, mk, 0)
	check(t, 0, x)
	for k := 1; k <= steps; k++ {
		x, _ := sweepRun(t, mk, k)
		check(t, k, x)
	}
	return steps
}

// sweepRun runs mk() on a fresh runtime that interrupts the root fiber right
// before its step k (never, for k = 0), and returns the exit and the number
// of steps the root fiber took.
func sweepRun[E, A any](t testing.TB, mk func() effect.Effect[any, E, A], k int) (effect.Exit[E, A], int) {
	t.Helper()
	rt := effect.NewRuntime()
	// The root fiber takes the first step of a run: nothing else exists
	// before it forks. Its steps run on this goroutine (RunExit runs the
	// root fiber on the caller's), so only root's hook calls touch n; the
	// other fibers only read root, which is set before any of them starts.
	var root atomic.Uint64
	n := 0
	rt.SetStepHook(func(id effect.FiberID) bool {
		if root.Load() == 0 {
			root.Store(uint64(id))
		}
		if uint64(id) != root.Load() {
			return false
		}
		n++
		return n == k
	})
	x := rt.RunExit(context.Background(), mk(), nil)
	if !AssertNoFibers(t, rt) {
		t.Logf("effecttest: sweep: the fibers above were left by the run interrupted at step %d", k)
	}
	_ = rt.Shutdown(context.Background())
	return x, n
}
