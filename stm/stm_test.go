package stm

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

type eff[A any] = effect.Effect[any, error, A]

func unit() struct{} { return struct{}{} }

func TestCommitMakesWritesVisible(t *testing.T) {
	a, b := NewTRef(10), NewTRef("x")
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int {
		a.Set(tx, a.Get(tx)+5)
		if got := a.Get(tx); got != 15 {
			t.Errorf("read after write: got %d, want 15", got)
		}
		b.Set(tx, "y")
		if a.Load() != 10 || b.Load() != "x" {
			t.Error("a write is visible before the commit")
		}
		return a.Get(tx)
	}))
	effecttest.AssertSucceeds(t, x, 15)
	if a.Load() != 15 || b.Load() != "y" {
		t.Fatalf("after the commit: a=%d b=%q, want 15 y", a.Load(), b.Load())
	}
}

func TestZeroTRef(t *testing.T) {
	var r TRef[int]
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int { return r.Update(tx, func(v int) int { return v + 1 }) }))
	effecttest.AssertSucceeds(t, x, 1)
	if r.Load() != 1 {
		t.Fatalf("Load = %d, want 1", r.Load())
	}
}

func TestUpdateSwapModify(t *testing.T) {
	r := NewTRef(3)
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) [3]int {
		u := r.Update(tx, func(v int) int { return v * 2 })
		s := r.Swap(tx, 100)
		m := r.Modify[int](tx, func(v int) (int, int) { return v + 1, v - 1 })
		return [3]int{u, s, m}
	}))
	effecttest.AssertSucceeds(t, x, [3]int{6, 6, 101})
	if r.Load() != 99 {
		t.Fatalf("Load = %d, want 99", r.Load())
	}
}

func TestFailCommitsNothing(t *testing.T) {
	r := NewTRef(1)
	boom := errors.New("insufficient")
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int {
		r.Set(tx, 2)
		tx.Fail(boom)
		t.Error("Fail returned")
		return 0
	}))
	effecttest.AssertFailsWith(t, x, boom)
	if r.Load() != 1 {
		t.Fatalf("a failed transaction committed: %d", r.Load())
	}
}

func TestPanicIsDefectCommitsNothing(t *testing.T) {
	r := NewTRef(1)
	var deferred bool
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int {
		defer func() { deferred = true }()
		r.Set(tx, 2)
		panic("bug")
	}))
	effecttest.AssertDefect(t, x, "bug")
	if r.Load() != 1 || !deferred {
		t.Fatalf("after a panic: r=%d deferred=%v, want 1 true", r.Load(), deferred)
	}
	// The commit lock is free: another transaction commits.
	effecttest.AssertSucceeds(t, effecttest.Run(t, Atomically[any](func(tx *Tx) int { return r.Update(tx, func(v int) int { return v + 1 }) })), 2)
}

func TestTxUsedAfterItsTransactionPanics(t *testing.T) {
	r := NewTRef(0)
	var kept *Tx
	effecttest.MustSucceed(t, effecttest.Run(t, Atomically[any](func(tx *Tx) int { kept = tx; return r.Get(tx) })))
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	r.Set(kept, 1)
}

func TestRetryWaitsForAChangeOfWhatItRead(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		flag, other := NewTRef(false), NewTRef(0)
		var attempts atomic.Int32
		fb := rt.Start(context.Background(), Atomically[any](func(tx *Tx) string {
			attempts.Add(1)
			tx.Check(flag.Get(tx))
			return "woken"
		}), nil)
		effecttest.WaitIdle()
		if n := attempts.Load(); n != 1 {
			t.Fatalf("attempts before any change: %d, want 1", n)
		}
		if waiters(&flag.tbase) != 1 {
			t.Fatalf("waiters on flag: %d, want 1", waiters(&flag.tbase))
		}
		// A commit of a TRef it did not read does not wake it.
		effecttest.MustSucceed(t, runIn(rt, Atomically[any](func(tx *Tx) int { return other.Update(tx, func(v int) int { return v + 1 }) })))
		effecttest.WaitIdle()
		if n := attempts.Load(); n != 1 {
			t.Fatalf("attempts after an unrelated commit: %d, want 1", n)
		}
		effecttest.MustSucceed(t, runIn(rt, Atomically[any](func(tx *Tx) struct{} { flag.Set(tx, true); return unit() })))
		<-fb.Done()
		x, _ := fb.Poll()
		v, err := x.Get()
		if v != "woken" || err != nil || attempts.Load() != 2 {
			t.Fatalf("got %q, %v after %d attempts; want woken, nil, 2", v, err, attempts.Load())
		}
		if waiters(&flag.tbase) != 0 {
			t.Fatalf("waiters left on flag: %d", waiters(&flag.tbase))
		}
	})
}

func TestRetryWithoutReadsFailsAtOnce(t *testing.T) {
	r := NewTRef(0)
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int {
		r.Set(tx, 1)
		tx.Retry()
		return 0
	}))
	effecttest.AssertFailsWith(t, x, ErrRetryWithoutReads)
	if r.Load() != 0 {
		t.Fatal("a retrying transaction committed")
	}
}

func TestFailRejectsNil(t *testing.T) {
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int { tx.Fail(nil); return 0 }))
	effecttest.AssertDefect(t, x, "stm: Tx.Fail: err must not be nil")
}

func TestRecoveredSignalsStillCount(t *testing.T) {
	r := NewTRef(0)
	swallow := func(f func()) {
		defer func() { _ = recover() }()
		f()
	}
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int {
		r.Set(tx, 5)
		swallow(func() { tx.Fail(errors.New("kept")) })
		return 1
	}))
	if x.Err() == nil || x.Err().Error() != "kept" || r.Load() != 0 {
		t.Fatalf("a recovered Fail: exit %v, r=%d; want the failure, 0", x, r.Load())
	}
}

func TestInterruptedRetryLeavesNoTrace(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		a, b := NewTRef(0), NewTRef(0)
		prog := Atomically[any](func(tx *Tx) int {
			tx.Check(a.Get(tx)+b.Get(tx) > 0)
			return 1
		}).Timeout(time.Second)
		x := runIn(rt, prog)
		var te *effect.TimeoutError
		if !errors.As(x.Err(), &te) {
			t.Fatalf("exit %v, want a timeout", x)
		}
		if waiters(&a.tbase) != 0 || waiters(&b.tbase) != 0 {
			t.Fatalf("waiters left: a=%d b=%d", waiters(&a.tbase), waiters(&b.tbase))
		}
	})
}

func runIn[A any](rt *effect.Runtime, e eff[A]) effect.Exit[error, A] {
	return rt.RunExit(context.Background(), e, nil)
}

// waiters returns how many retrying transactions wait on b.
func waiters(b *tbase) int {
	commitMu.Lock()
	defer commitMu.Unlock()
	return b.waiters.Len()
}

var errBoom = errors.New("boom")

func reflectType[T any]() reflect.Type { return reflect.TypeFor[T]() }
