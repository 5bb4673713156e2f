package layer_test

import (
	"sync/atomic"
	"testing"

	"github.com/gogoscope/gogoscope/layer"
)

type pair struct{ A, B string }

func TestSharedLayerIsBuiltOncePerBuild(t *testing.T) {
	j := &journal{}
	var runs atomic.Int32
	shared := layer.Sync[error](func(in string) string { runs.Add(1); return in + "/shared" })
	// shared appears four times: twice directly, twice under other layers.
	left := shared.To(resource(j, "left"))
	right := shared.To(resource(j, "right"))
	app := layer.Struct(
		layer.Field(left, func(p *pair, v string) { p.A = v }),
		layer.Field(right, func(p *pair, v string) { p.B = v }),
		layer.Field(shared, func(p *pair, v string) { p.A += "|" + v }),
		layer.Field(shared.Named("also shared"), func(p *pair, v string) { p.B += "|" + v }),
	)
	v, scope := mustBuild(t, app, "in")
	defer mustClose(t, scope)
	if got := runs.Load(); got != 1 {
		t.Fatalf("shared constructor ran %d times, want 1", got)
	}
	if want := (pair{"in/shared/left|in/shared", "in/shared/right|in/shared"}); v != want {
		t.Fatalf("value: got %+v want %+v", v, want)
	}

	// A second build builds again: memoization is per build.
	_, scope2 := mustBuild(t, app, "in")
	mustClose(t, scope2)
	if got := runs.Load(); got != 2 {
		t.Fatalf("after a second build the constructor ran %d times, want 2", got)
	}
}

func TestSharedResourceIsAcquiredAndReleasedOnce(t *testing.T) {
	j := &journal{}
	pool := resource(j, "pool")
	app := layer.Struct(
		layer.Field(pool.To(resource(j, "users")), func(p *pair, v string) { p.A = v }),
		layer.Field(pool.To(resource(j, "orders")), func(p *pair, v string) { p.B = v }),
	)
	_, scope := mustBuild(t, app, "db")
	mustClose(t, scope)
	for _, ev := range []string{"acquire pool", "release pool", "acquire users", "release users", "acquire orders", "release orders"} {
		if n := j.count(ev); n != 1 {
			t.Fatalf("%q happened %d times, want 1 (events %q)", ev, n, j.get())
		}
	}
	if got := j.get(); got[0] != "acquire pool" || got[len(got)-1] != "release pool" {
		t.Fatalf("the shared pool must be acquired first and released last: %q", got)
	}
}

func TestFreshLayerIsBuiltAtEachUse(t *testing.T) {
	j := &journal{}
	conn := resource(j, "conn").Fresh()
	app := layer.Struct(
		layer.Field(conn, func(p *pair, v string) { p.A = v }),
		layer.Field(conn, func(p *pair, v string) { p.B = v }),
	)
	_, scope := mustBuild(t, app, "db")
	mustClose(t, scope)
	if a, r := j.count("acquire conn"), j.count("release conn"); a != 2 || r != 2 {
		t.Fatalf("fresh layer: %d acquisitions and %d releases, want 2 and 2", a, r)
	}
	// The dependencies of a fresh layer are still shared.
	var runs atomic.Int32
	base := layer.Sync[error](func(in string) string { runs.Add(1); return in })
	fresh := base.To(layer.Sync[error](func(s string) string { return s })).Fresh()
	app2 := layer.Struct(
		layer.Field(fresh, func(p *pair, v string) { p.A = v }),
		layer.Field(fresh, func(p *pair, v string) { p.B = v }),
	)
	_, scope2 := mustBuild(t, app2, "x")
	mustClose(t, scope2)
	if got := runs.Load(); got != 1 {
		t.Fatalf("dependency of a fresh layer ran %d times, want 1", got)
	}
}
