package layer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

func TestChainBuildsInOrderAndReleasesInReverse(t *testing.T) {
	j := &journal{}
	app := resource(j, "config").To(resource(j, "pool")).To(resource(j, "repo")).To(resource(j, "service"))
	v, scope := mustBuild(t, app, "root")
	if want := "root/config/pool/repo/service"; v != want {
		t.Fatalf("value: got %q want %q", v, want)
	}
	wantEvents(t, j, "acquire config", "acquire pool", "acquire repo", "acquire service")
	mustClose(t, scope)
	wantEvents(t, j, "acquire config", "acquire pool", "acquire repo", "acquire service",
		"release service", "release repo", "release pool", "release config")
	mustClose(t, scope) // closing again does nothing
	if n := len(j.get()); n != 8 {
		t.Fatalf("second Close: got %d events want 8", n)
	}
}

func TestStructBuildsDependenciesFirstAndReleasesDependentsFirst(t *testing.T) {
	j := &journal{}
	cfg := resource(j, "config")
	type env struct{ Pool, Cache string }
	both := layer.Struct(
		layer.Field(cfg.To(resource(j, "pool")), func(e *env, v string) { e.Pool = v }),
		layer.Field(cfg.To(resource(j, "cache")), func(e *env, v string) { e.Cache = v }),
	)
	app := both.To(layer.Sync[error](func(e env) string { return e.Pool + "+" + e.Cache })).To(resource(j, "service"))
	v, scope := mustBuild(t, app, "root")
	if want := "root/config/pool+root/config/cache/service"; v != want {
		t.Fatalf("value: got %q want %q", v, want)
	}
	got := j.get()
	if len(got) != 4 || got[0] != "acquire config" || got[3] != "acquire service" {
		t.Fatalf("acquisitions: got %q, want config first and service last", got)
	}
	mid := got[1:3]
	slices.Sort(mid)
	if !slices.Equal(mid, []string{"acquire cache", "acquire pool"}) {
		t.Fatalf("acquisitions: got %q, want pool and cache between config and service", got)
	}
	acquired := j.get()
	mustClose(t, scope)
	var want []string
	for _, ev := range slices.Backward(acquired) {
		want = append(want, "release "+strings.TrimPrefix(ev, "acquire "))
	}
	if got := j.get()[4:]; !slices.Equal(got, want) {
		t.Fatalf("releases: got %q want %q (the reverse of the acquisitions)", got, want)
	}
}

func TestProvideReleasesAfterTheEffectAndItsFinalizers(t *testing.T) {
	j := &journal{}
	app := resource(j, "config").To(resource(j, "pool"))
	prog := effect.FlatMap(effect.Environment[string, error](), func(env string) effect.Effect[string, error, int] {
		j.add("use " + env)
		return effect.As(effect.AddFinalizer(func(error) effect.Effect[string, error, struct{}] {
			return effect.Sync[string, error](func() struct{} { j.add("effect finalizer"); return struct{}{} })
		}), len(env))
	})
	run := layer.Provide(prog, app)
	n, err := effect.Run(context.Background(), run, "root")
	if err != nil || n != len("root/config/pool") {
		t.Fatalf("Provide: got (%d, %v) want (%d, nil)", n, err, len("root/config/pool"))
	}
	wantEvents(t, j, "acquire config", "acquire pool", "use root/config/pool",
		"effect finalizer", "release pool", "release config")

	// The effect is a reusable value: running it again builds again.
	j.reset()
	if _, err := effect.Run(context.Background(), run, "again"); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, j, "acquire config", "acquire pool", "use again/config/pool",
		"effect finalizer", "release pool", "release config")
}

func TestAcquireKeepsResourcesUntilTheScopeCloses(t *testing.T) {
	j := &journal{}
	app := resource(j, "config").To(resource(j, "pool"))
	prog := effect.Scoped(effect.FlatMap(layer.Acquire(app), func(v string) effect.Effect[string, error, string] {
		return effect.Sync[string, error](func() string { j.add("scope still open"); return v })
	}).AndThen(effect.Sync[string, error](func() struct{} { j.add("after"); return struct{}{} })))
	if _, err := effect.Run(context.Background(), prog, "root"); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, j, "acquire config", "acquire pool", "scope still open", "after", "release pool", "release config")
}
