package batch_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// The interruption sweeps run a Get (or GetAll) once to count the steps of
// its fiber, then once more for every step k, interrupting the fiber right
// before step k (effecttest.SweepInterrupts), each time on a fresh loader;
// then they interrupt it from outside at every half millisecond of its
// run, three times each (effecttest.SweepTimes), which reaches it while
// parked in a wait.
// After every run they check that the books balance: nobody waits, nothing
// is pending or in flight, every key the swept caller asked was either
// sent and answered, or dropped, and the other callers got their answers.

const sweepMin = 5

type sweepCase struct {
	name string
	opts batch.Options
	// prime starts helper callers on the owner runtime before the swept
	// operation; they must get their answers whatever happens to it.
	prime func(l *intLoader, h *helpers)
	op    func(l *intLoader) eff.Effect[[]string]
	check func(t testing.TB, at string, x effect.Exit[error, []string], s batch.Stats, be *backend)
}

type helpers struct {
	owner *effect.Runtime
	fbs   []*effect.Fiber[error, string]
	want  []string
}

func (h *helpers) start(e eff.Effect[string], want string) {
	h.fbs = append(h.fbs, h.owner.Start(context.Background(), e, nil))
	h.want = append(h.want, want)
}

func (h *helpers) wait(t testing.TB, at string) {
	t.Helper()
	for i, fb := range h.fbs {
		x, _ := fb.Wait(context.Background())
		if v, ok := x.Value(); !ok || v != h.want[i] {
			t.Fatalf("%s: another caller got %v, want %s", at, x, h.want[i])
		}
	}
	h.fbs, h.want = nil, nil
}

func one(l *intLoader, k int) eff.Effect[[]string] {
	return effect.Map(l.Get(k), func(v string) []string { return []string{v} })
}

func TestSweepGet(t *testing.T) {
	cases := []sweepCase{{
		name: "Get that opens a batch, alone",
		opts: batch.Options{Window: time.Millisecond},
		op:   func(l *intLoader) eff.Effect[[]string] { return one(l, 1) },
		check: func(t testing.TB, at string, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if x.IsSuccess() && (s.Batches != 1 || s.Abandoned != 0) {
				t.Fatalf("%s: succeeded with %+v", at, s)
			}
			if s.Batches+s.Dropped != s.Requests {
				t.Fatalf("%s: the key was neither sent nor dropped: %+v", at, s)
			}
			if uint64(be.interrupts()) > s.Abandoned {
				t.Fatalf("%s: resolver interrupted %d times, %d batches abandoned", at, be.interrupts(), s.Abandoned)
			}
		},
	}, {
		name: "Get that fills a batch, alone",
		opts: batch.Options{Window: time.Hour, MaxSize: 1},
		op:   func(l *intLoader) eff.Effect[[]string] { return one(l, 1) },
		check: func(t testing.TB, at string, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if s.Batches+s.Dropped != s.Requests || uint64(be.interrupts()) > s.Abandoned {
				t.Fatalf("%s: %+v, %d interrupted", at, s, be.interrupts())
			}
		},
	}, {
		name: "Get that joins a batch with another caller",
		opts: batch.Options{Window: time.Millisecond},
		prime: func(l *intLoader, h *helpers) {
			h.start(l.Get(2), "v2")
			effecttest.WaitIdle()
		},
		op: func(l *intLoader) eff.Effect[[]string] { return one(l, 1) },
		check: func(t testing.TB, at string, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if s.Batches != 1 || s.Abandoned != 0 || be.interrupts() != 0 {
				t.Fatalf("%s: %+v; want one batch, never interrupted", at, s)
			}
		},
	}, {
		name: "Get of a key another caller asked",
		opts: batch.Options{Window: time.Millisecond},
		prime: func(l *intLoader, h *helpers) {
			h.start(l.Get(1), "v1")
			effecttest.WaitIdle()
		},
		op: func(l *intLoader) eff.Effect[[]string] { return one(l, 1) },
		check: func(t testing.TB, at string, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if s.Batches != 1 || s.Keys != 1 || s.Dropped != 0 || be.interrupts() != 0 {
				t.Fatalf("%s: %+v", at, s)
			}
		},
	}, {
		name: "GetAll over two batches, with a shared key",
		opts: batch.Options{Window: time.Millisecond, MaxSize: 2},
		prime: func(l *intLoader, h *helpers) {
			h.start(l.Get(3), "v3")
			effecttest.WaitIdle()
		},
		op: func(l *intLoader) eff.Effect[[]string] { return l.GetAll([]int{1, 2, 3}) },
		check: func(t testing.TB, at string, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if uint64(be.interrupts()) > s.Abandoned {
				t.Fatalf("%s: resolver interrupted %d times, %d abandoned", at, be.interrupts(), s.Abandoned)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				owner := effect.NewRuntime()
				t.Cleanup(func() { _ = owner.Shutdown(context.Background()) })
				var (
					l     *intLoader
					be    *backend
					close func()
					h     = &helpers{owner: owner}
				)
				t.Cleanup(func() {
					if close != nil {
						close()
					}
				})
				mk := func() eff.Effect[[]string] {
					if close != nil {
						close()
					}
					be = newBackend(time.Millisecond)
					l, close = openLoader(t, owner, be, tc.opts)
					if tc.prime != nil {
						tc.prime(l, h)
					}
					return tc.op(l)
				}
				books := func(t testing.TB, at string, x effect.Exit[error, []string]) {
					t.Helper()
					h.wait(t, at)
					effecttest.WaitIdle()
					if !x.IsSuccess() && !x.IsInterrupted() {
						t.Fatalf("%s: %v", at, x)
					}
					s := l.Stats()
					if s.Waiting != 0 || s.InFlight != 0 || s.Pending != 0 {
						t.Fatalf("%s: %+v; want nobody waiting, nothing pending or in flight", at, s)
					}
					if s.Keys+s.Dropped != s.Requests-s.Shared-s.CacheHits {
						t.Fatalf("%s: a key was neither sent nor dropped: %+v", at, s)
					}
					if be.overlap != "" {
						t.Fatalf("%s: %s", at, be.overlap)
					}
					tc.check(t, at, x, s, be)
				}
				var (
					began time.Time
					took  time.Duration
				)
				steps := effecttest.SweepInterrupts(t, func() eff.Effect[[]string] {
					e := mk()
					began = time.Now()
					return e
				}, func(t testing.TB, step int, x effect.Exit[error, []string]) {
					t.Helper()
					if step == 0 {
						took = time.Since(began)
					}
					at := "uninterrupted"
					if step > 0 {
						at = fmt.Sprintf("interrupted before step %d", step)
					}
					books(t, at, x)
				})
				if steps < sweepMin {
					t.Fatalf("swept only %d steps", steps)
				}
				// From outside, at every half millisecond of the run, three
				// times each: while the caller waits, and at the instants
				// when its wait ends.
				trials := effecttest.SweepTimes(t, took+time.Millisecond, time.Millisecond/2, 3, mk,
					func(t testing.TB, at time.Duration, x effect.Exit[error, []string]) {
						t.Helper()
						books(t, fmt.Sprintf("interrupted from outside at %v", at), x)
					})
				t.Logf("swept %d interruption points, %d timed trials over %v", steps, trials, took)
			})
		})
	}
}
