package effect_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// 100,000 scoped operations, each acquiring a resource, forking a child
// into its scope and releasing both when the scope closes, leave the heap
// where it started: no scope, finalizer, fiber or registry entry is kept
// after its operation ended. The bound is generous (a retained byte per
// operation would already pass 0.1 MB; a retained scope is hundreds of
// bytes), so that the collector's own variation cannot fail it.
func TestHeapReturnsAfterManyScopes(t *testing.T) {
	const n = 100_000
	rt := effect.NewRuntime()
	defer func() { _ = rt.Shutdown(context.Background()) }()
	released := 0
	op := func(i int) effect.Effect[any, error, int] {
		return effect.Scoped(effect.FlatMap(
			effect.AcquireRelease(
				effect.Sync[any, error](func() []byte { return make([]byte, 64) }),
				func([]byte) effect.Effect[any, error, struct{}] {
					return effect.Sync[any, error](func() struct{} { released++; return struct{}{} })
				}),
			func(b []byte) effect.Effect[any, error, int] {
				return effect.AndThen(effect.Fork(effect.Never[any, error, struct{}]()), effect.Succeed[any, error](len(b)+i))
			}))
	}
	run := func(from, to int) {
		for i := from; i < to; i++ {
			if v, err := rt.Run(context.Background(), op(i), nil); err != nil || v != 64+i {
				t.Fatalf("run %d: %v, %v", i, v, err)
			}
		}
	}
	run(0, 1000) // warm up pools and the registry's maps
	before := heapInUse()
	run(1000, n)
	after := heapInUse()
	if released != n {
		t.Fatalf("released %d resources, want %d", released, n)
	}
	if fs := rt.Fibers(); len(fs) != 0 {
		t.Fatalf("%d fibers still registered", len(fs))
	}
	grew := int64(after) - int64(before)
	t.Logf("heap in use: %d B before, %d B after %d scoped operations (%+d B)", before, after, n-1000, grew)
	if grew > 4<<20 {
		t.Fatalf("the heap grew by %d B over %d scoped operations: something is retained", grew, n-1000)
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
