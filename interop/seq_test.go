package interop_test

import (
	"context"
	"iter"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop"
)

// counting yields 1..n and records that its cleanup ran, as a range loop's
// break would run it.
func counting(n int, cleaned *int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer func() { *cleaned++ }()
		for i := 1; i <= n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func collectInto(dst *[]int) func(int) effect.Effect[any, error, struct{}] {
	return func(v int) effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { *dst = append(*dst, v); return struct{}{} })
	}
}

func TestForEachSeq(t *testing.T) {
	var got []int
	cleaned := 0
	e := interop.ForEachSeq(counting(4, &cleaned), collectInto(&got))
	effecttest.MustSucceed(t, effect.RunExit(context.Background(), e, nil))
	if !slices.Equal(got, []int{1, 2, 3, 4}) || cleaned != 1 {
		t.Fatalf("got %v, cleaned %d; want 1..4, cleaned once", got, cleaned)
	}
	// The effect is a description: each run ranges anew.
	effecttest.MustSucceed(t, effect.RunExit(context.Background(), e, nil))
	if len(got) != 8 || cleaned != 2 {
		t.Fatalf("after a second run: %d values, cleaned %d; want 8, 2", len(got), cleaned)
	}
}

func TestForEachSeqStopsTheSeq(t *testing.T) {
	cleaned := 0
	x := effect.RunExit(context.Background(), interop.ForEachSeq(counting(100, &cleaned), func(v int) effect.Effect[any, error, struct{}] {
		if v == 3 {
			return effect.Fail[any, struct{}](errBoom)
		}
		return effect.Unit[any, error]()
	}), nil)
	effecttest.AssertFailsWith(t, x, errBoom)
	if cleaned != 1 {
		t.Fatalf("failure: the seq's cleanup ran %d times, want once", cleaned)
	}

	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cleaned := 0
		slow := func(int) effect.Effect[any, error, struct{}] { return effect.Sleep[any, error](time.Second) }
		x := rt.RunExit(context.Background(), effect.Timeout(interop.ForEachSeq(counting(100, &cleaned), slow), 2500*time.Millisecond), nil)
		effecttest.AssertFailsWith(t, x, error(effect.ErrTimeout))
		if cleaned != 1 {
			t.Fatalf("interruption: the seq's cleanup ran %d times, want once", cleaned)
		}
	})
}

func TestForEachSeqPanics(t *testing.T) {
	bad := func(yield func(int) bool) {
		yield(1)
		panic("seq broke")
	}
	x := effect.RunExit(context.Background(), interop.ForEachSeq(bad, func(int) effect.Effect[any, error, struct{}] { return effect.Unit[any, error]() }), nil)
	effecttest.AssertDefect(t, x, "seq broke")
}

func TestForEachSeq2(t *testing.T) {
	m := map[string]int{"a": 1, "b": 2, "c": 3}
	got := map[string]int{}
	e := interop.ForEachSeq2(maps.All(m), func(k string, v int) effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { got[k] = v; return struct{}{} })
	})
	effecttest.MustSucceed(t, effect.RunExit(context.Background(), e, nil))
	if !maps.Equal(got, m) {
		t.Fatalf("got %v, want %v", got, m)
	}
}
