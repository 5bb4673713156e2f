package layer_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// journal records events from any goroutine, in order.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (j *journal) add(ev string) {
	j.mu.Lock()
	j.events = append(j.events, ev)
	j.mu.Unlock()
}

func (j *journal) get() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.events)
}

func (j *journal) count(ev string) int {
	n := 0
	for _, e := range j.get() {
		if e == ev {
			n++
		}
	}
	return n
}

func (j *journal) reset() {
	j.mu.Lock()
	j.events = nil
	j.mu.Unlock()
}

// resource returns a layer that turns its input string into in+"/"+name,
// recording "acquire name" and, at release, "release name".
func resource(j *journal, name string) *layer.Layer[string, error, string] {
	return layer.AcquireRelease(
		effect.AccessEffect(func(in string) effect.Effect[string, error, string] {
			return effect.Sync[string, error](func() string { j.add("acquire " + name); return in + "/" + name })
		}),
		func(string) effect.Effect[string, error, struct{}] {
			return effect.Sync[string, error](func() struct{} { j.add("release " + name); return struct{}{} })
		}).Named(name)
}

// failing returns a layer that acquires a resource named name and then
// fails with err.
func failing(j *journal, name string, err error) *layer.Layer[string, error, string] {
	return layer.FromEffect(effect.AndThen(
		layer.Acquire(resource(j, name)),
		effect.Fail[string, string](err))).Named(name)
}

func wantEvents(t *testing.T, j *journal, want ...string) {
	t.Helper()
	if got := j.get(); !slices.Equal(got, want) {
		t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
}

func mustBuild[RIn, E, ROut any](t *testing.T, l *layer.Layer[RIn, E, ROut], in RIn) (ROut, *effect.Scope) {
	t.Helper()
	v, s, err := layer.Build(context.Background(), l, in)
	if err != nil {
		t.Fatalf("Build: unexpected error %v", err)
	}
	return v, s
}

func mustClose(t *testing.T, s *effect.Scope) {
	t.Helper()
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("Close: unexpected error %v", err)
	}
}

func layerErr(t *testing.T, err error) *layer.Error {
	t.Helper()
	var le *layer.Error
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) holds no *layer.Error", err, err)
	}
	return le
}
