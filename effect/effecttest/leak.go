package effecttest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// AssertNoFibers reports an error, with a dump of the fiber tree, unless rt
// has no live fiber: every fiber it ran has ended. Call it when everything
// should be over, after a run, or inside a bubble after [WaitIdle]: a
// fiber that is still ending shows as alive. [Test] and [NewRuntime] call it
// for you at the end of a test.
func AssertNoFibers(t testing.TB, rt *effect.Runtime) bool {
	t.Helper()
	return reportFibers(t, rt, "effecttest: fibers still alive")
}

func reportFibers(t testing.TB, rt *effect.Runtime, msg string) bool {
	t.Helper()
	fibers := rt.Fibers()
	if len(fibers) == 0 {
		return true
	}
	var dump bytes.Buffer
	_ = rt.Dump(&dump)
	t.Errorf("%s: %d fiber(s)\n%s", msg, len(fibers), dump.String())
	return false
}

// AssertScopeClosed reports an error unless s has been closed. It sees a
// scope whose closing has begun as closed: call it once the effect that
// closes s has returned. Whether the scope released what it held is what a
// [Resources] tracker tells.
func AssertScopeClosed(t testing.TB, s *effect.Scope) bool {
	t.Helper()
	if !s.IsClosed() {
		t.Errorf("effecttest: scope #%v is still open", s.ID())
		return false
	}
	return true
}

// Resources tracks test resources: which were acquired, which released, in
// what order, so that a test can check that a scope released everything it
// held, exactly once and in reverse order. The zero Resources is ready to
// use and safe for concurrent use.
type Resources struct {
	mu     sync.Mutex
	held   map[string]int
	events []string
	errs   []string
}

// Acquire returns an effect that acquires a resource named name in the
// current scope and succeeds with the name: the acquisition is recorded at
// once, the release when the scope closes ([effect.AcquireRelease]).
func (r *Resources) Acquire[R, E any](name string) effect.Effect[R, E, string] {
	return Track(r, name, effect.Succeed[R, E](name), func(string) effect.Effect[R, E, struct{}] {
		return effect.Unit[R, E]()
	})
}

// Track returns acquire with its release registered in the current scope, as
// [effect.AcquireRelease] does, and both recorded in r under name.
func Track[R, E, A, X any](r *Resources, name string, acquire effect.Effect[R, E, A], release func(A) effect.Effect[R, E, X]) effect.Effect[R, E, A] {
	return effect.AcquireRelease(
		effect.Tap(acquire, func(A) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { r.record(name, true); return struct{}{} })
		}),
		func(a A) effect.Effect[R, E, X] {
			return effect.Ensuring(release(a), effect.Sync[R, E](func() struct{} { r.record(name, false); return struct{}{} }))
		})
}

func (r *Resources) record(name string, acquire bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held == nil {
		r.held = map[string]int{}
	}
	if acquire {
		r.held[name]++
		r.events = append(r.events, "acquire "+name)
		return
	}
	r.events = append(r.events, "release "+name)
	if r.held[name] == 0 {
		r.errs = append(r.errs, "released "+name+" that was not held")
		return
	}
	r.held[name]--
	if r.held[name] == 0 {
		delete(r.held, name)
	}
}

// Held returns the names of the resources acquired and not yet released,
// sorted, a name once per holding.
func (r *Resources) Held() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for name, n := range r.held {
		for range n {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Events returns what happened, in order: "acquire a", "release a", ...
func (r *Resources) Events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// AssertReleased reports an error unless every resource acquired has been
// released exactly once.
func (r *Resources) AssertReleased(t testing.TB) bool {
	t.Helper()
	held := r.Held()
	r.mu.Lock()
	errs := slices.Clone(r.errs)
	r.mu.Unlock()
	if len(held) == 0 && len(errs) == 0 {
		return true
	}
	var msg []string
	if len(held) > 0 {
		msg = append(msg, fmt.Sprintf("never released: %v", held))
	}
	msg = append(msg, errs...)
	t.Errorf("effecttest: resources: %s (events: %v)", strings.Join(msg, "; "), r.Events())
	return false
}
