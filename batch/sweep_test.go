package batch_test

import (
	"context"
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
// before step k (effecttest.SweepInterrupts), each time on a fresh loader.
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
	check func(t testing.TB, step int, x effect.Exit[error, []string], s batch.Stats, be *backend)
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

func (h *helpers) wait(t testing.TB, step int) {
	t.Helper()
	for i, fb := range h.fbs {
		x, _ := fb.Wait(context.Background())
		if v, ok := x.Value(); !ok || v != h.want[i] {
			t.Fatalf("interrupted at step %d: another caller got %v, want %s", step, x, h.want[i])
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
		check: func(t testing.TB, step int, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if x.IsSuccess() && (s.Batches != 1 || s.Abandoned != 0) {
				t.Fatalf("step %d: succeeded with %+v", step, s)
			}
			if s.Batches+s.Dropped != s.Requests {
				t.Fatalf("step %d: the key was neither sent nor dropped: %+v", step, s)
			}
			if uint64(be.interrupts()) > s.Abandoned {
				t.Fatalf("step %d: resolver interrupted %d times, %d batches abandoned", step, be.interrupts(), s.Abandoned)
			}
		},
	}, {
		name: "Get that fills a batch, alone",
		opts: batch.Options{Window: time.Hour, MaxSize: 1},
		op:   func(l *intLoader) eff.Effect[[]string] { return one(l, 1) },
		check: func(t testing.TB, step int, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if s.Batches+s.Dropped != s.Requests || uint64(be.interrupts()) > s.Abandoned {
				t.Fatalf("step %d: %+v, %d interrupted", step, s, be.interrupts())
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
		check: func(t testing.TB, step int, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if s.Batches != 1 || s.Abandoned != 0 || be.interrupts() != 0 {
				t.Fatalf("step %d: %+v; want one batch, never interrupted", step, s)
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
		check: func(t testing.TB, step int, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if s.Batches != 1 || s.Keys != 1 || s.Dropped != 0 || be.interrupts() != 0 {
				t.Fatalf("step %d: %+v", step, s)
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
		check: func(t testing.TB, step int, x effect.Exit[error, []string], s batch.Stats, be *backend) {
			if uint64(be.interrupts()) > s.Abandoned {
				t.Fatalf("step %d: resolver interrupted %d times, %d abandoned", step, be.interrupts(), s.Abandoned)
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
				check := func(t testing.TB, step int, x effect.Exit[error, []string]) {
					t.Helper()
					h.wait(t, step)
					effecttest.WaitIdle()
					if !x.IsSuccess() && !x.IsInterrupted() {
						t.Fatalf("step %d: %v", step, x)
					}
					s := l.Stats()
					if s.Waiting != 0 || s.InFlight != 0 || s.Pending != 0 {
						t.Fatalf("step %d: %+v; want nobody waiting, nothing pending or in flight", step, s)
					}
					if s.Keys+s.Dropped != s.Requests-s.Shared-s.CacheHits {
						t.Fatalf("step %d: a key was neither sent nor dropped: %+v", step, s)
					}
					if be.overlap != "" {
						t.Fatalf("step %d: %s", step, be.overlap)
					}
					tc.check(t, step, x, s, be)
				}
				steps := effecttest.SweepInterrupts(t, mk, check)
				if steps < sweepMin {
					t.Fatalf("swept only %d steps", steps)
				}
				t.Logf("swept %d interruption points", steps)
			})
		})
	}
}
