package stm

import (
	"context"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

func TestOrElseTakesTheFirstThatDoesNotRetry(t *testing.T) {
	a, b, c := NewTRef(0), NewTRef(7), NewTRef(0)
	take := func(r *TRef[int], name string) func(*Tx) string {
		return func(tx *Tx) string {
			c.Update(tx, func(v int) int { return v + 1 }) // undone if this branch retries
			v := r.Get(tx)
			tx.Check(v > 0)
			r.Set(tx, v-1)
			return name
		}
	}
	x := effecttest.Run(t, Atomically[any](OrElse(take(a, "a"), take(b, "b"))))
	effecttest.AssertSucceeds(t, x, "b")
	if a.Load() != 0 || b.Load() != 6 || c.Load() != 1 {
		t.Fatalf("a=%d b=%d c=%d, want 0 6 1: the retried branch's write must be undone", a.Load(), b.Load(), c.Load())
	}
}

func TestOrElseUndoesNestedWritesExactly(t *testing.T) {
	r := NewTRef("start")
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) string {
		r.Set(tx, "outer")
		got := OrElse(func(tx *Tx) string {
			r.Set(tx, "first")
			inner := OrElse(func(tx *Tx) string {
				r.Set(tx, "deep")
				r.Set(tx, "deeper") // in place: same branch
				tx.Retry()
				return ""
			}, func(tx *Tx) string { return r.Get(tx) })(tx)
			if inner != "first" {
				t.Errorf("after the inner retry: %q, want first", inner)
			}
			r.Set(tx, "first again")
			tx.Retry()
			return ""
		}, func(tx *Tx) string {
			v := r.Get(tx)
			r.Set(tx, "second")
			return v
		})(tx)
		if got != "outer" {
			t.Errorf("the second branch saw %q, want outer", got)
		}
		// Two OrElses in a row at the same depth: the second's undo must
		// not be confused by the first's cells.
		OrElse(func(tx *Tx) int { r.Set(tx, "kept"); return 0 })(tx)
		OrElse(func(tx *Tx) int { r.Set(tx, "dropped"); tx.Retry(); return 0 }, func(*Tx) int { return 0 })(tx)
		return r.Get(tx)
	}))
	effecttest.AssertSucceeds(t, x, "kept")
	if r.Load() != "kept" {
		t.Fatalf("committed %q, want kept", r.Load())
	}
}

func TestOrElseAllRetryWaitsForAnyBranchRead(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		a, b := NewTRef(0), NewTRef(0)
		need := func(r *TRef[int]) func(*Tx) int {
			return func(tx *Tx) int { v := r.Get(tx); tx.Check(v > 0); return v }
		}
		fb := rt.Start(context.Background(), Atomically[any](OrElse(need(a), need(b))), nil)
		effecttest.WaitIdle()
		if waiters(&a.tbase) != 1 || waiters(&b.tbase) != 1 {
			t.Fatalf("waiters a=%d b=%d, want 1 1", waiters(&a.tbase), waiters(&b.tbase))
		}
		// Only the first branch read a: a change of a must wake it.
		effecttest.MustSucceed(t, runIn(rt, Atomically[any](func(tx *Tx) struct{} { a.Set(tx, 4); return unit() })))
		<-fb.Done()
		x, _ := fb.Poll()
		effecttest.AssertSucceeds(t, x, 4)
		if waiters(&a.tbase) != 0 || waiters(&b.tbase) != 0 {
			t.Fatal("waiters left")
		}
	})
}

func TestOrElseDoesNotCatchFailOrPanic(t *testing.T) {
	r := NewTRef(0)
	second := func(tx *Tx) int { r.Set(tx, 2); return 2 }
	x := effecttest.Run(t, Atomically[any](OrElse(func(tx *Tx) int { r.Set(tx, 1); tx.Fail(errBoom); return 0 }, second)))
	effecttest.AssertFailsWith(t, x, errBoom)
	y := effecttest.Run(t, Atomically[any](OrElse(func(tx *Tx) int { r.Set(tx, 1); panic("bug") }, second)))
	effecttest.AssertDefect(t, y, "bug")
	if r.Load() != 0 {
		t.Fatalf("committed %d", r.Load())
	}
}

func TestOrElseRejectsNil(t *testing.T) {
	for name, f := range map[string]func(){
		"first": func() { OrElse[int](nil) },
		"rest":  func() { OrElse(func(*Tx) int { return 0 }, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
