// Package adaptertest is the table of tests that every HTTP adapter of
// gogoscope passes: net/http, chi, gin and echo. An adapter's test gives a
// [Harness] that mounts the table's routes in its framework's idiom; [Run]
// serves them on a real loopback server and checks status mapping, request
// scopes, client disconnects, graceful shutdown and leaks.
package adaptertest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
	"github.com/gogoscope/gogoscope/schedule"
)

// Env is the environment of the table's routes.
type Env struct {
	Greeting string
	Events   *Events
}

// Eff is the effect shape of the routes.
type Eff[A any] = effect.Effect[Env, error, A]

// Events records what happened, in order, and lets a test wait for an
// event.
type Events struct {
	mu      sync.Mutex
	list    []string
	changed chan struct{}
}

// NewEvents returns an empty record.
func NewEvents() *Events { return &Events{changed: make(chan struct{})} }

// Add records ev.
func (e *Events) Add(ev string) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

// List returns the events so far.
func (e *Events) List() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// Count returns how many times ev was recorded.
func (e *Events) Count(ev string) int {
	n := 0
	for _, x := range e.List() {
		if x == ev {
			n++
		}
	}
	return n
}

// WaitFor waits until ev has been recorded, and fails t if it is not
// within a generous bound (the bound only keeps a broken build from
// hanging; nothing is timed).
func (e *Events) WaitFor(t testing.TB, ev string) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		found := slices.Contains(e.list, ev)
		ch := e.changed
		e.mu.Unlock()
		if found {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("event %q never happened; events: %q", ev, e.List())
		}
	}
}

// Index returns the position of ev in the record, or -1.
func (e *Events) Index(ev string) int { return slices.Index(e.List(), ev) }

// AppLayer builds the test environment from two resources, a "db" and a
// "cache" built on it, so that a test can check that the shutdown releases
// them in reverse order ("close cache" before "close db").
func AppLayer(ev *Events) *layer.Layer[any, error, Env] {
	db := layer.Resource(
		func(context.Context, any) (string, error) { ev.Add("open db"); return "db", nil },
		func(string) error { ev.Add("close db"); return nil })
	cache := layer.Resource(
		func(context.Context, string) (Env, error) {
			ev.Add("open cache")
			return Env{Greeting: "hello", Events: ev}, nil
		},
		func(Env) error { ev.Add("close cache"); return nil })
	return db.To(cache)
}

// LogBuffer is a slog handler's output, safe for concurrent use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was logged.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Logger returns a logger writing text records of every level to b.
func (b *LogBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Contains reports whether the log holds every one of parts.
func (b *LogBuffer) Contains(parts ...string) bool {
	s := b.String()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// NotFoundError is the typed failure that the table's status mapping turns
// into a 404.
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s not found", e.What) }

// testCtx returns a context for one client call, bounded so that a broken
// adapter fails rather than hangs.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Owned runs e, which makes a resource (a breaker, a semaphore), in a
// scope of a runtime of its own, both closed at the end of the test, and
// returns the resource.
func Owned[A any](t testing.TB, e effect.Effect[any, error, A]) A {
	t.Helper()
	rt := effect.NewRuntime()
	scope := rt.NewScope()
	t.Cleanup(func() {
		scope.Close(context.Background())
		rt.Shutdown(context.Background())
	})
	v, err := rt.Run(context.Background(), effect.Extend(scope, e), nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Quick is a retry schedule for tests: at once (1 ms), up to n times.
func Quick(n int) schedule.Schedule[time.Duration] {
	return schedule.Delays(schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(n)))
}
