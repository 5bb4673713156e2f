package layer_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// Clock is a service: an interface that effects use and tests replace.
type Clock interface{ Now() int }

type realClock struct{}

func (realClock) Now() int { return 1_700_000_000 }

type fakeClock struct{ t int }

func (c fakeClock) Now() int { return c.t }

// countingClock is a spy that decorates another clock.
type countingClock struct {
	inner Clock
	mu    sync.Mutex
	calls int
}

func (c *countingClock) Now() int { c.mu.Lock(); c.calls++; c.mu.Unlock(); return c.inner.Now() }

// Env is the environment of the test program.
type Env struct {
	Clock Clock
	Store string
}

func testGraph(j *journal) (app *layer.Layer[string, error, Env], clock *layer.Layer[string, error, Clock], store *layer.Layer[string, error, string]) {
	clock = layer.AcquireRelease(
		effect.Sync[string, error](func() Clock { j.add("acquire real clock"); return realClock{} }),
		func(Clock) effect.Effect[string, error, struct{}] {
			return effect.Sync[string, error](func() struct{} { j.add("release real clock"); return struct{}{} })
		}).Named("clock")
	store = resource(j, "store")
	app = layer.Struct(
		layer.Field(clock, func(e *Env, c Clock) { e.Clock = c }),
		layer.Field(store, func(e *Env, s string) { e.Store = s }),
	)
	return app, clock, store
}

// now is an effect that uses the Clock service of its environment.
var now = effect.Access[Env, error](func(e Env) int { return e.Clock.Now() })

func TestOverrideReplacesAServiceWithoutBuildingIt(t *testing.T) {
	j := &journal{}
	app, clock, _ := testGraph(j)
	got, err := effect.Run(context.Background(), layer.Provide(now, app.Override(clock.Replace(fakeClock{42}))), "db")
	if err != nil || got != 42 {
		t.Fatalf("overridden: got (%d, %v) want (42, nil)", got, err)
	}
	if j.count("acquire real clock") != 0 {
		t.Fatalf("the replaced layer was built: %q", j.get())
	}
	if j.count("acquire store") != 1 || j.count("release store") != 1 {
		t.Fatalf("the other layers must still be built and released: %q", j.get())
	}

	// The original graph is unchanged.
	j.reset()
	got, err = effect.Run(context.Background(), layer.Provide(now, app), "db")
	if err != nil || got != 1_700_000_000 || j.count("acquire real clock") != 1 {
		t.Fatalf("original: got (%d, %v), events %q", got, err, j.get())
	}
}

func TestReplaceWithCanDecorateTheOriginal(t *testing.T) {
	j := &journal{}
	app, clock, _ := testGraph(j)
	var spy *countingClock
	spyLayer := clock.Map(func(c Clock) Clock { spy = &countingClock{inner: c}; return spy })
	prog := effect.FlatMap(now, func(a int) effect.Effect[Env, error, int] {
		return effect.Map(now, func(b int) int { return a + b })
	})
	got, err := effect.Run(context.Background(), layer.Provide(prog, app.Override(clock.ReplaceWith(spyLayer))), "db")
	if err != nil || got != 2*1_700_000_000 {
		t.Fatalf("got (%d, %v)", got, err)
	}
	if spy == nil || spy.calls != 2 {
		t.Fatalf("the spy must see 2 calls, got %+v", spy)
	}
	if j.count("acquire real clock") != 1 || j.count("release real clock") != 1 {
		t.Fatalf("the decorated original must be built and released once: %q", j.get())
	}
}

func TestOverrideAppliesToNamedAndFreshCopiesAndDeepInTheGraph(t *testing.T) {
	j := &journal{}
	_, clock, _ := testGraph(j)
	// The clock is deep inside: app → report → clock (a named copy).
	report := clock.Named("wall clock").To(layer.Sync[error](func(c Clock) string {
		if c.Now() == 7 {
			return "fake"
		}
		return "real"
	}))
	fresh := clock.Fresh().Map(func(c Clock) string { return strconv.Itoa(c.Now()) })
	type out struct{ A, B string }
	app := layer.Struct(
		layer.Field(report, func(o *out, s string) { o.A = s }),
		layer.Field(fresh, func(o *out, s string) { o.B = s }),
	)
	v, scope := mustBuild(t, layer.Override(app, clock.Replace(fakeClock{7})), "db")
	mustClose(t, scope)
	if v.A != "fake" || v.B != "7" || j.count("acquire real clock") != 0 {
		t.Fatalf("got %+v, events %q; want the fake clock everywhere", v, j.get())
	}
}

func TestOuterOverrideWins(t *testing.T) {
	j := &journal{}
	app, clock, _ := testGraph(j)
	inner := app.Override(clock.Replace(fakeClock{1}))
	outer := inner.Override(clock.Replace(fakeClock{2}))
	got, err := effect.Run(context.Background(), layer.Provide(now, outer), "db")
	if err != nil || got != 2 {
		t.Fatalf("got (%d, %v) want (2, nil)", got, err)
	}
	got, err = effect.Run(context.Background(), layer.Provide(now, inner), "db")
	if err != nil || got != 1 {
		t.Fatalf("inner alone: got (%d, %v) want (1, nil)", got, err)
	}
}

func TestOverrideOfAnAbsentLayerDoesNothing(t *testing.T) {
	j := &journal{}
	app, _, _ := testGraph(j)
	other := layer.Succeed[string, error, Clock](realClock{})
	v, scope := mustBuild(t, app.Override(other.Replace(fakeClock{3})), "db")
	mustClose(t, scope)
	if v.Clock.Now() != 1_700_000_000 {
		t.Fatalf("got clock %v, want the real one", v.Clock)
	}
	want := []string{"acquire real clock", "acquire store", "release store", "release real clock"}
	got := j.get()
	if !slices.Equal(got, want) && !slices.Equal(got, []string{"acquire store", "acquire real clock", "release real clock", "release store"}) {
		t.Fatalf("events %q", got)
	}
}
