package layer_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/layer"
)

// sweepLayer is a layer that waits d, then acquires a resource named name,
// tracked by res (acquire recorded at once, release when the build's scope
// closes).
func sweepLayer(res *effecttest.Resources, name string, d time.Duration) *layer.Layer[any, error, string] {
	return layer.FromEffect(effecttest.Track(res, name,
		effect.AndThen(effect.Sleep[any, error](d), effect.Succeed[any, error](name)),
		func(string) effect.Effect[any, error, struct{}] { return effect.Unit[any, error]() })).Named(name)
}

// sweepApp builds db and cache at once (Struct), then svc on both, and uses
// the result for a millisecond inside a scope, so that the run is: two
// concurrent acquisitions, a chained one, a use, three releases.
func sweepApp(res *effecttest.Resources) effect.Effect[any, error, string] {
	both := layer.Struct(
		layer.Field(sweepLayer(res, "db", time.Millisecond), func(p *pair, v string) { p.A = v }),
		layer.Field(sweepLayer(res, "cache", 2*time.Millisecond), func(p *pair, v string) { p.B = v }),
	)
	svc := both.To(layer.FromEffect(effect.AccessEffect(func(p pair) effect.Effect[pair, error, string] {
		return effecttest.Track(res, "svc",
			effect.AndThen(effect.Sleep[pair, error](time.Millisecond), effect.Succeed[pair, error](p.A+"+"+p.B)),
			func(string) effect.Effect[pair, error, struct{}] { return effect.Unit[pair, error]() })
	})).Named("svc"))
	return effect.Scoped(effect.FlatMap(layer.Acquire(svc), func(v string) effect.Effect[any, error, string] {
		return effect.AndThen(effect.Sleep[any, error](time.Millisecond), effect.Succeed[any, error]("used "+v))
	}))
}

// checkSweptBuild asserts what must hold wherever a build was interrupted:
// every resource acquired released exactly once, svc (built on db and cache)
// released before both, no defect, no failure but the interruption; and,
// uninterrupted, the built value.
func checkSweptBuild(t testing.TB, at string, res *effecttest.Resources, x effect.Exit[error, string]) {
	t.Helper()
	if !res.AssertReleased(t) {
		t.Errorf("%s: events %v", at, res.Events())
	}
	c := x.Cause()
	if len(c.Defects()) > 0 || len(c.Failures()) > 0 {
		t.Errorf("%s: unexpected cause %v", at, x)
	}
	ev := res.Events()
	if i := slices.Index(ev, "release svc"); i >= 0 {
		for _, dep := range []string{"release db", "release cache"} {
			if j := slices.Index(ev, dep); j >= 0 && j < i {
				t.Errorf("%s: %q before \"release svc\": %v", at, dep, ev)
			}
		}
	}
	if at == "uninterrupted" {
		if v, ok := x.Value(); !ok || v != "used db+cache" {
			t.Errorf("%s: exit %v, want \"used db+cache\"", at, x)
		}
	}
}

// A layer build interrupted at every step of its root fiber, and from
// outside at every half millisecond of its virtual run: nothing acquired is
// left held, nothing is released twice, dependants go before what they were
// built on.
func TestSweepLayerBuild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var res *effecttest.Resources
		var took time.Duration
		steps := effecttest.SweepInterrupts(t,
			func() effect.Effect[any, error, string] {
				res = &effecttest.Resources{}
				return sweepApp(res)
			},
			func(t testing.TB, step int, x effect.Exit[error, string]) {
				at := "uninterrupted"
				if step > 0 {
					at = fmt.Sprintf("root interrupted before its step %d", step)
				}
				checkSweptBuild(t, at, res, x)
			})
		if steps < 5 {
			t.Fatalf("the build took %d steps of its root; the sweep swept almost nothing", steps)
		}
		began := time.Now()
		res = &effecttest.Resources{}
		_ = effect.NewRuntime().RunExit(context.Background(), sweepApp(res), nil)
		took = time.Since(began)
		trials := 0
		for at := time.Duration(0); at <= took+time.Millisecond; at += time.Millisecond / 2 {
			for range 3 {
				res := &effecttest.Resources{}
				rt := effect.NewRuntime()
				fb := rt.Start(context.Background(), sweepApp(res), nil)
				time.Sleep(at)
				fb.InterruptFromGo()
				x, err := fb.Wait(context.Background())
				if err != nil {
					t.Fatalf("Wait: %v", err)
				}
				effecttest.AssertNoFibers(t, rt)
				_ = rt.Shutdown(context.Background())
				checkSweptBuild(t, fmt.Sprintf("interrupted from outside at %v", at), res, x)
				trials++
			}
		}
		t.Logf("%d steps of the root, %d timed trials over %v", steps, trials, took)
	})
}
