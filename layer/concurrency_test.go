package layer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// sleepy returns a layer that sleeps d (virtual time in a bubble) and
// then builds name, counting its runs.
func sleepy(name string, d time.Duration, runs *atomic.Int32) *layer.Layer[any, error, string] {
	return layer.FromEffect(effect.AndThen(
		effect.Sleep[any, error](d),
		effect.Sync[any, error](func() string { runs.Add(1); return name }))).Named(name)
}

func TestIndependentLayersBuildConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int32
		a, b := sleepy("a", time.Second, &runs), sleepy("b", time.Second, &runs)
		together := layer.Struct(
			layer.Field(a, func(p *pair, v string) { p.A = v }),
			layer.Field(b, func(p *pair, v string) { p.B = v }),
		)
		start := time.Now()
		v, scope := mustBuild(t, together, nil)
		mustClose(t, scope)
		if elapsed := time.Since(start); elapsed != time.Second {
			t.Fatalf("Struct of two 1s layers took %v of virtual time, want 1s", elapsed)
		}
		if v != (pair{"a", "b"}) || runs.Load() != 2 {
			t.Fatalf("got %+v after %d runs", v, runs.Load())
		}

		// The control: a chain of the same two layers is sequential.
		start = time.Now()
		chain := a.To(layer.FromEffect(effect.AndThen(effect.Sleep[string, error](time.Second), effect.Environment[string, error]())))
		_, scope = mustBuild(t, chain, nil)
		mustClose(t, scope)
		if elapsed := time.Since(start); elapsed != 2*time.Second {
			t.Fatalf("chain of two 1s layers took %v of virtual time, want 2s", elapsed)
		}
	})
}

func TestSharedLayerRequestedConcurrentlyIsBuiltOnceWhileOthersWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int32
		shared := sleepy("shared", time.Second, &runs)
		// Three parts reach shared at the same moment; two must wait for
		// the first instead of building it again.
		app := layer.Struct(
			layer.Field(shared, func(p *pair, v string) { p.A = v }),
			layer.Field(shared.Map(func(s string) string { return s + "!" }), func(p *pair, v string) { p.B = v }),
			layer.Field(shared.Named("alias"), func(p *pair, v string) { p.A += "+" + v }),
		)
		start := time.Now()
		v, scope := mustBuild(t, app, nil)
		mustClose(t, scope)
		if runs.Load() != 1 || time.Since(start) != time.Second || v != (pair{"shared+shared", "shared!"}) {
			t.Fatalf("got %+v after %d runs in %v; want {shared+shared shared!} after 1 run in 1s", v, runs.Load(), time.Since(start))
		}
	})
}

func TestFailureStopsSlowSiblingsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int32
		slow := sleepy("slow", time.Hour, &runs)
		bad := layer.FromEffect(effect.AndThen(effect.Sleep[any, error](time.Second), effect.Fail[any, string](errBoom))).Named("bad")
		app := layer.Struct(
			layer.Field(slow, func(p *pair, v string) { p.A = v }),
			layer.Field(bad, func(p *pair, v string) { p.B = v }),
		)
		start := time.Now()
		_, _, err := layer.Build(context.Background(), app, nil)
		if le := layerErr(t, err); le.Layer != "bad" {
			t.Fatalf("Build: got %v want the failure of \"bad\"", err)
		}
		if elapsed := time.Since(start); elapsed != time.Second || runs.Load() != 0 {
			t.Fatalf("failed after %v with %d slow runs; want 1s and 0", elapsed, runs.Load())
		}
	})
}

func TestBackgroundFiberOfALayerLivesUntilTheScopeCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := &journal{}
		var ticks atomic.Int32
		ticker := effect.Forever(effect.AndThen(effect.Sleep[any, error](time.Second),
			effect.Sync[any, error](func() struct{} { ticks.Add(1); return struct{}{} })))
		flusher := layer.FromEffect(effect.As(effect.Fork(effect.OnInterrupt(ticker, func(error) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { j.add("flusher stopped"); return struct{}{} })
		})), "flusher"))
		app := flusher.To(layer.Sync[error](func(s string) string { return s }))
		_, scope := mustBuild(t, app, nil)
		time.Sleep(3*time.Second + time.Millisecond)
		synctest.Wait()
		if got := ticks.Load(); got != 3 {
			t.Fatalf("background fiber ticked %d times in 3s, want 3", got)
		}
		mustClose(t, scope)
		wantEvents(t, j, "flusher stopped")
	})
}

func TestInterruptedOwnerOfASharedLayerDoesNotHideTheRealFailure(t *testing.T) {
	// part A builds shared (1s) beside bad, which fails at 0.5s and so
	// interrupts shared's build. Part B started waiting for shared at
	// 0.1s. The build must fail with bad's failure, not with the
	// interruption that B's wait observed.
	for range 300 {
		synctest.Test(t, func(t *testing.T) {
			var runs atomic.Int32
			shared := sleepy("shared", time.Second, &runs)
			bad := layer.FromEffect(effect.AndThen(effect.Sleep[any, error](500*time.Millisecond), effect.Fail[any, string](errBoom))).Named("bad")
			partA := layer.Struct(
				layer.Field(shared, func(p *pair, v string) { p.A = v }),
				layer.Field(bad, func(p *pair, v string) { p.B = v }),
			).Map(func(p pair) string { return p.A })
			partB := sleepy("delay", 100*time.Millisecond, &runs).Map(func(string) any { return nil }).To(shared)
			app := layer.Struct(
				layer.Field(partA, func(p *pair, v string) { p.A = v }),
				layer.Field(partB, func(p *pair, v string) { p.B = v }),
			)
			_, _, err := layer.Build(context.Background(), app, nil)
			if le := layerErr(t, err); le.Layer != "bad" || !errors.Is(err, errBoom) {
				t.Fatalf("Build: got %v, want bad's failure", err)
			}
		})
	}
}

func TestCancellingTheBuildStopsOwnersAndWaitersAndReleases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := &journal{}
		var runs atomic.Int32
		pool := layer.FromEffect(effect.AndThen(layer.Acquire(resource(j, "pool")), effect.Environment[string, error]()))
		slow := pool.To(layer.FromEffect(effect.AndThen(effect.Sleep[string, error](time.Hour),
			effect.Sync[string, error](func() string { runs.Add(1); return "slow" })))).Named("slow")
		app := layer.Struct(
			layer.Field(slow, func(p *pair, v string) { p.A = v }),
			layer.Field(slow.Map(func(s string) string { return s + "!" }), func(p *pair, v string) { p.B = v }),
		)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(500*time.Millisecond, cancel)
		start := time.Now()
		_, scope, err := layer.Build(ctx, app, "db")
		if !errors.Is(err, context.Canceled) || time.Since(start) != 500*time.Millisecond {
			t.Fatalf("Build: got %v after %v, want cancellation after 500ms", err, time.Since(start))
		}
		if runs.Load() != 0 || !scope.IsClosed() {
			t.Fatalf("slow ran %d times, scope closed %v", runs.Load(), scope.IsClosed())
		}
		wantEvents(t, j, "acquire pool", "release pool")
	})
}
