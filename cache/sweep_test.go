package cache_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// The interruption sweeps run a Get once to count the steps of its fiber,
// then once more for every step k, interrupting the fiber right before
// step k (effecttest.SweepInterrupts), each time on a fresh cache;
// then they interrupt it from outside at every half millisecond of its
// run, three times each (effecttest.SweepTimes), which reaches it while
// parked in a wait. After
// every run they check that the cache's books balance exactly: nobody is
// left waiting, no lookup is left in flight, every lookup either stored its
// value or was abandoned (and then interrupted, if it had started), other
// callers got their value, and no two lookups of a key overlapped.

// sweepMin is the fewest steps a sweep must have found, so that a sweep
// that silently swept nothing fails.
const sweepMin = 3

type sweepCase struct {
	name string
	opts cache.Options
	// prime runs on the owner runtime before the swept Get: it may store
	// entries, or start helper callers that must get "k#1" whatever happens
	// to the swept one.
	prime func(c *strCache, h *helpers)
	// op is the swept operation.
	op func(c *strCache) eff.Effect[string]
	// check asserts the stats after the run, with the swept run's exit.
	check func(t testing.TB, at string, x effect.Exit[error, string], s cache.Stats, src *source, stored string)
}

// helpers are callers started on the owner runtime, outside the swept
// fiber, whose results are checked after each run.
type helpers struct {
	owner *effect.Runtime
	fbs   []*effect.Fiber[error, string]
}

func (h *helpers) start(e eff.Effect[string]) {
	h.fbs = append(h.fbs, h.owner.Start(context.Background(), e, nil))
}

func (h *helpers) wait(t testing.TB, at string, want string) {
	t.Helper()
	for _, fb := range h.fbs {
		x, _ := fb.Wait(context.Background())
		if v, ok := x.Value(); !ok || v != want {
			t.Fatalf("%s: another caller got %v, want %s", at, x, want)
		}
	}
	h.fbs = nil
}

func TestSweepGet(t *testing.T) {
	cases := []sweepCase{{
		name: "miss that starts the lookup, alone",
		op:   func(c *strCache) eff.Effect[string] { return c.Get("k") },
		check: func(t testing.TB, at string, x effect.Exit[error, string], s cache.Stats, src *source, stored string) {
			if x.IsSuccess() && (s.Entries != 1 || s.Abandoned != 0) {
				t.Fatalf("%s: succeeded but %+v", at, s)
			}
			if s.Loads != s.Abandoned+uint64(s.Entries) {
				t.Fatalf("%s: %d lookups, %d abandoned, %d stored", at, s.Loads, s.Abandoned, s.Entries)
			}
			if uint64(src.interrupts()) > s.Abandoned {
				t.Fatalf("%s: %d lookups interrupted, %d abandoned", at, src.interrupts(), s.Abandoned)
			}
		},
	}, {
		name: "miss that joins a lookup in flight",
		prime: func(c *strCache, h *helpers) {
			h.start(c.Get("k"))
			effecttest.WaitIdle()
		},
		op: func(c *strCache) eff.Effect[string] { return c.Get("k") },
		check: func(t testing.TB, at string, x effect.Exit[error, string], s cache.Stats, src *source, stored string) {
			if s.Loads != 1 || s.Abandoned != 0 || s.Entries != 1 || src.interrupts() != 0 {
				t.Fatalf("%s: %+v, %d lookups interrupted; want one lookup, stored, never interrupted", at, s, src.interrupts())
			}
		},
	}, {
		name: "refresh ahead of expiry",
		opts: cache.Options{TTL: 10 * time.Millisecond, RefreshAhead: 5 * time.Millisecond},
		prime: func(c *strCache, h *helpers) {
			c.Set("k", "k#0")
			time.Sleep(6 * time.Millisecond) // due for a refresh
		},
		op: func(c *strCache) eff.Effect[string] { return c.Get("k") },
		check: func(t testing.TB, at string, x effect.Exit[error, string], s cache.Stats, src *source, stored string) {
			if v, ok := x.Value(); ok && v != "k#0" {
				t.Fatalf("%s: got %q, want the old k#0", at, v)
			}
			// A refresh, once started, is the cache's: it is not abandoned
			// when its starter is interrupted.
			if s.Abandoned != 0 || s.Entries != 1 || src.interrupts() != 0 {
				t.Fatalf("%s: %+v", at, s)
			}
		},
	}, {
		name: "Refresh",
		prime: func(c *strCache, h *helpers) {
			c.Set("k", "k#0")
		},
		op: func(c *strCache) eff.Effect[string] { return c.Refresh("k") },
		check: func(t testing.TB, at string, x effect.Exit[error, string], s cache.Stats, src *source, stored string) {
			want := "k#1" // the refresh stored its value
			if s.Abandoned == 1 || s.Loads == 0 {
				want = "k#0" // or it never ran, or was abandoned
			}
			if s.Loads > 1 || s.Entries != 1 || stored != want {
				t.Fatalf("%s: %+v; want %s stored", at, s, want)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				owner := effect.NewRuntime()
				t.Cleanup(func() { _ = owner.Shutdown(context.Background()) })
				var (
					c     *strCache
					src   *source
					close func()
					h     = &helpers{owner: owner}
				)
				t.Cleanup(func() {
					if close != nil {
						close()
					}
				})
				mk := func() eff.Effect[string] {
					if close != nil {
						close()
					}
					src = newSource(time.Millisecond)
					c, close = openCache(t, owner, src, tc.opts)
					if tc.prime != nil {
						tc.prime(c, h)
					}
					return tc.op(c)
				}
				books := func(t testing.TB, at string, x effect.Exit[error, string]) {
					t.Helper()
					h.wait(t, at, "k#1")
					time.Sleep(5 * time.Millisecond) // a refresh ahead ends
					effecttest.WaitIdle()
					if v, ok := x.Value(); !x.IsInterrupted() && (!ok || (v != "k#1" && v != "k#0")) {
						t.Fatalf("%s: %v", at, x)
					}
					s := c.Stats()
					if s.Waiting != 0 || s.InFlight != 0 {
						t.Fatalf("%s: %d waiting, %d in flight; want none", at, s.Waiting, s.InFlight)
					}
					if src.overlap() > 1 {
						t.Fatalf("%s: %d lookups of one key at once", at, src.overlap())
					}
					stored, _ := c.Peek("k")
					tc.check(t, at, x, s, src, stored)
				}
				var (
					began time.Time
					took  time.Duration
				)
				steps := effecttest.SweepInterrupts(t, func() eff.Effect[string] {
					e := mk()
					began = time.Now()
					return e
				}, func(t testing.TB, step int, x effect.Exit[error, string]) {
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
					func(t testing.TB, at time.Duration, x effect.Exit[error, string]) {
						t.Helper()
						books(t, fmt.Sprintf("interrupted from outside at %v", at), x)
					})
				t.Logf("swept %d interruption points, %d timed trials over %v", steps, trials, took)
			})
		})
	}
}
