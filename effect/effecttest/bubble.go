package effecttest

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Test runs body inside a new [testing/synctest] bubble, with rt a fresh
// runtime made by [NewRuntime] inside that bubble. Time is virtual there:
// sleeps, timeouts and schedules take no real time, and [Advance] and
// [WaitIdle] steer it. When body returns (or stops with t.Fatal), Test waits
// until the bubble is idle, reports every fiber still alive and every scope
// made by hand that was never closed (with a dump of the runtime), and shuts
// rt down. A body that means to leave fibers running stops them itself, for
// example with rt.Shutdown.
//
// Fibers and channels made in the bubble belong to it: do not share them
// with goroutines outside. A fiber blocked forever in an uninterruptible
// region makes the bubble deadlock, and synctest panics with the stacks.
func Test(t *testing.T, body func(t *testing.T, rt *effect.Runtime)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		body(t, NewRuntime(t))
	})
}

// Run runs e in a new testing/synctest bubble on a fresh runtime, as [Test]
// does, and returns its exit. Leftover fibers are reported through t.
func Run[E, A any](t *testing.T, e effect.Effect[any, E, A]) effect.Exit[E, A] {
	t.Helper()
	x, _ := RunTimed(t, e)
	return x
}

// RunTimed runs e as [Run] does and also returns how much virtual time it
// took: the sum of the sleeps, timeouts and schedule delays on its critical
// path, exactly, since no real time passes in the bubble.
func RunTimed[E, A any](t *testing.T, e effect.Effect[any, E, A]) (effect.Exit[E, A], time.Duration) {
	t.Helper()
	var (
		x  effect.Exit[E, A]
		el time.Duration
	)
	Test(t, func(t *testing.T, rt *effect.Runtime) {
		start := time.Now()
		x = rt.RunExit(context.Background(), e, nil)
		el = time.Since(start)
	})
	return x, el
}

// Advance lets d of virtual time pass and then waits until every goroutine of
// the bubble is blocked ([WaitIdle]): each fiber whose timer fell due in that
// time has run as far as it can. It must be called from inside a bubble
// ([Test]), typically from the test body while fibers started with
// rt.Start run.
func Advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

// WaitIdle blocks until every other goroutine of the bubble is durably
// blocked ([synctest.Wait]): every fiber has run until it waits on a timer,
// a channel, a join or an interruption. It must be called from inside a
// bubble. Use it after starting or waking fibers, before looking at what
// they did.
func WaitIdle() { synctest.Wait() }

// NewRuntime returns a fresh runtime for the test t that is checked when the
// test ends (t.Cleanup): once the runtime is idle (inside a bubble) or after
// a grace of up to a second of real time (outside one), every fiber still
// alive and every scope opened by hand ([effect.MakeScope],
// [effect.Runtime.NewScope]) and never closed is reported with t.Errorf,
// with a dump of the fiber tree; then the runtime is shut down, so that no
// goroutine outlives the test. The checks are skipped when t has already
// failed; the shutdown never is.
func NewRuntime(t testing.TB) *effect.Runtime {
	t.Helper()
	rt := effect.NewRuntime()
	w := &watch{open: map[effect.ScopeID]effect.ScopeInfo{}}
	rt.AddHooks(effect.Hooks{
		ScopeOpen:  w.opened,
		ScopeClose: w.closed,
	})
	t.Cleanup(func() {
		settle(rt)
		if !t.Failed() {
			reportFibers(t, rt, "effecttest: fibers outlived the test")
			if left := w.leftOpen(); len(left) > 0 {
				var dump bytes.Buffer
				_ = rt.Dump(&dump)
				t.Errorf("effecttest: %d scope(s) never closed: %v\n%s", len(left), left, dump.String())
			}
		}
		_ = rt.Shutdown(context.Background())
	})
	return rt
}

// watch records the explicit scopes of a runtime that are open.
type watch struct {
	mu   sync.Mutex
	open map[effect.ScopeID]effect.ScopeInfo
}

func (w *watch) opened(s effect.ScopeInfo) {
	w.mu.Lock()
	w.open[s.ID] = s
	w.mu.Unlock()
}

func (w *watch) closed(s effect.ScopeInfo) {
	w.mu.Lock()
	delete(w.open, s.ID)
	w.mu.Unlock()
}

func (w *watch) leftOpen() []effect.ScopeID {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]effect.ScopeID, 0, len(w.open))
	for id := range w.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// settle waits until rt has no live fiber: inside a bubble until the bubble
// is idle, outside one for up to a second of real time.
func settle(rt *effect.Runtime) {
	if inBubble() {
		return
	}
	for deadline := time.Now().Add(time.Second); len(rt.Fibers()) > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// inBubble waits for the bubble to be idle and reports true, or reports
// false when the caller is not in a bubble.
func inBubble() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	synctest.Wait()
	return true
}
