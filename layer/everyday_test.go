package layer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/layer"
)

// ctxProbe is a resource that keeps the context it was opened with and
// records, when it is closed, whether that context was still alive.
type ctxProbe struct {
	ctx          context.Context
	aliveAtClose bool
}

func openProbe(ctx context.Context) (*ctxProbe, error) { return &ctxProbe{ctx: ctx}, nil }

func (p *ctxProbe) Close() error {
	p.aliveAtClose = p.ctx.Err() == nil
	return nil
}

// The context handed to open lives until close has run, and not longer: for
// Open, for Resource, and through a graph.
func TestOpenContextLivesUntilCloseHasRun(t *testing.T) {
	type key struct{}
	base := context.WithValue(context.Background(), key{}, "v")
	for _, tc := range []struct {
		name string
		l    *layer.Layer[any, error, *ctxProbe]
	}{
		{"Open", layer.Open(openProbe, (*ctxProbe).Close)},
		{"Resource", layer.Value("in").To(layer.Resource(func(ctx context.Context, _ string) (*ctxProbe, error) {
			return openProbe(ctx)
		}, (*ctxProbe).Close))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, scope, err := layer.Build(base, tc.l, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.ctx.Err(); err != nil {
				t.Fatalf("open's context ended before the scope closed: %v", err)
			}
			if p.ctx.Value(key{}) != "v" {
				t.Fatal("open's context lost the values of the build's context")
			}
			if _, ok := p.ctx.Deadline(); ok {
				t.Fatal("open's context has a deadline")
			}
			if err := scope.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !p.aliveAtClose {
				t.Fatal("open's context was cancelled before close ran")
			}
			if !errors.Is(p.ctx.Err(), context.Canceled) {
				t.Fatalf("open's context after close: got %v, want it cancelled", p.ctx.Err())
			}
		})
	}
}

// A failing open cancels its context at once and fails the layer, naming it.
func TestOpenFailureCancelsItsContextAndNamesTheLayer(t *testing.T) {
	var seen context.Context
	boom := errors.New("refused")
	l := layer.Open(func(ctx context.Context) (int, error) { seen = ctx; return 0, boom },
		func(int) error { t.Error("close ran for a resource that was never opened"); return nil }).Named("conn")
	_, _, err := layer.Build(context.Background(), l, nil)
	var le *layer.Error
	if !errors.As(err, &le) || le.Layer != "conn" || !errors.Is(err, boom) {
		t.Fatalf("got %v, want a *layer.Error naming conn and wrapping the failure", err)
	}
	if seen == nil || seen.Err() == nil {
		t.Fatal("the context of a failed open is still alive")
	}
}

// Try's context is a call's: cancelled when f returns.
func TestTryContextEndsWithTheCall(t *testing.T) {
	var seen context.Context
	l := layer.Try(func(ctx context.Context) (int, error) { seen = ctx; return 7, ctx.Err() })
	v, scope, err := layer.Build(context.Background(), l, nil)
	if err != nil || v != 7 {
		t.Fatalf("got %v, %v want 7, nil", v, err)
	}
	defer scope.Close(context.Background())
	if seen.Err() == nil {
		t.Fatal("Try's context outlived the call")
	}
}

// From runs its constructor once per build, even when the layer is used
// twice in the graph, and New's layer is a graph node like any other.
func TestFromAndNewBuildOncePerBuild(t *testing.T) {
	var loads atomic.Int32
	cfg := layer.From(func() int { loads.Add(1); return 20 })
	double := cfg.To(layer.New(func(n int) int { return 2 * n }))
	sum := layer.Struct(
		layer.Field(cfg, func(s *int, n int) { *s += n }),
		layer.Field(double, func(s *int, n int) { *s += n }),
	)
	for build := 1; build <= 2; build++ {
		got, err := eff.Run(context.Background(), layer.Provide(eff.For[int]().Env(), sum))
		if err != nil || got != 60 {
			t.Fatalf("build %d: got %v, %v want 60, nil", build, got, err)
		}
		if n := loads.Load(); n != int32(build) {
			t.Fatalf("after build %d: the constructor ran %d times", build, n)
		}
	}
}

// A panic in From's or New's function is a defect that names the layer.
func TestPanicInFromIsADefectNamingTheLayer(t *testing.T) {
	l := layer.From(func() int { panic("no settings") }).Named("settings")
	_, _, err := layer.Build(context.Background(), l, nil)
	var le *layer.Error
	if !errors.As(err, &le) || le.Layer != "settings" {
		t.Fatalf("got %v, want a *layer.Error naming settings", err)
	}
}
