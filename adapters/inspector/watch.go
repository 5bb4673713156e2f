package inspector

import (
	"errors"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// watcher follows one runtime for the inspector: hooks record when fibers
// start and how they end, and when explicit scopes open; between
// snapshots it remembers since when each fiber has been in its state.
type watcher struct {
	rt     *effect.Runtime
	remove func()
	begun  time.Time

	mu      sync.Mutex
	started map[effect.FiberID]time.Time
	scopes  map[effect.ScopeID]Scope
	states  map[effect.FiberID]state

	nStarted, nSucceeded, nFailed, nDefects, nInterrupted atomic.Int64
}

// state is a fiber's state as last seen, and since when.
type state struct {
	status, blockedOn string
	since             time.Time
}

func watch(rt *effect.Runtime) *watcher {
	w := &watcher{rt: rt, begun: time.Now(), started: map[effect.FiberID]time.Time{},
		scopes: map[effect.ScopeID]Scope{}, states: map[effect.FiberID]state{}}
	w.remove = rt.AddHooks(effect.Hooks{
		FiberStart: func(f effect.FiberInfo) {
			w.nStarted.Add(1)
			now := time.Now()
			w.mu.Lock()
			w.started[f.ID] = now
			w.mu.Unlock()
		},
		FiberEnd: func(f effect.FiberInfo, err error) {
			var d *effect.Defect
			switch {
			case err == nil:
				w.nSucceeded.Add(1)
			case errors.As(err, &d):
				w.nDefects.Add(1)
			case errors.Is(err, effect.ErrInterrupted):
				w.nInterrupted.Add(1)
			default:
				w.nFailed.Add(1)
			}
			w.mu.Lock()
			delete(w.started, f.ID)
			delete(w.states, f.ID)
			w.mu.Unlock()
		},
		ScopeOpen: func(s effect.ScopeInfo) {
			sc := Scope{ID: uint64(s.ID), Parent: uint64(s.Parent), Owner: uint64(s.Owner), Label: s.Label, Opened: time.Now()}
			w.mu.Lock()
			w.scopes[s.ID] = sc
			w.mu.Unlock()
		},
		ScopeClose: func(s effect.ScopeInfo) {
			w.mu.Lock()
			delete(w.scopes, s.ID)
			w.mu.Unlock()
		},
	})
	return w
}

// collect adds the runtime's fibers, scopes and metrics to s, at most max
// fibers.
func (w *watcher) collect(s *Snapshot, max int) {
	infos := w.rt.Fibers()
	now := s.Taken
	w.mu.Lock()
	counts := map[string]int{}
	for i, f := range infos {
		counts[f.Status.String()]++
		st := state{status: f.Status.String(), blockedOn: f.BlockedOn}
		prev, ok := w.states[f.ID]
		if ok && prev.status == st.status && prev.blockedOn == st.blockedOn {
			st.since = prev.since
		} else {
			st.since = now
		}
		w.states[f.ID] = st
		if i >= max {
			continue
		}
		s.Fibers = append(s.Fibers, Fiber{
			ID: uint64(f.ID), Parent: uint64(f.Parent), Scope: uint64(f.Scope),
			Status: st.status, BlockedOn: f.BlockedOn, Since: st.since,
			Started: w.started[f.ID], Interrupting: f.Interrupting,
		})
	}
	for _, sc := range w.scopes {
		s.Scopes = append(s.Scopes, sc)
	}
	nScopes := len(w.scopes)
	w.mu.Unlock()
	if len(infos) > max {
		s.Truncated = len(infos) - max
	}
	sortScopes(s.Scopes)

	s.Metrics = append(s.Metrics,
		Metric{Name: "fibers live", Value: float64(len(infos))},
		Metric{Name: "fibers running", Value: float64(counts["running"])},
		Metric{Name: "fibers suspended", Value: float64(counts["suspended"])},
		Metric{Name: "explicit scopes open", Value: float64(nScopes)},
		Metric{Name: "fibers started", Value: float64(w.nStarted.Load()), Help: "since the inspector began watching"},
		Metric{Name: "fibers succeeded", Value: float64(w.nSucceeded.Load())},
		Metric{Name: "fibers failed", Value: float64(w.nFailed.Load())},
		Metric{Name: "fibers died (defects)", Value: float64(w.nDefects.Load())},
		Metric{Name: "fibers interrupted", Value: float64(w.nInterrupted.Load())},
		Metric{Name: "watching for", Value: now.Sub(w.begun).Seconds(), Unit: "seconds"},
	)
}

// processMetrics are the Go runtime's: goroutines and heap.
func processMetrics() []Metric {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	heap := 0.0
	if sample[0].Value.Kind() == metrics.KindUint64 {
		heap = float64(sample[0].Value.Uint64())
	}
	return []Metric{
		{Name: "goroutines", Value: float64(runtime.NumGoroutine())},
		{Name: "heap in use", Value: heap, Unit: "bytes"},
	}
}

func (w *watcher) close() { w.remove() }
