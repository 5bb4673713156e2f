package cache_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// The property test runs random plans of Gets (some of them interrupted
// after a while), invalidations and refreshes against caches of random
// options, in virtual time, and checks the two promises of a cache:
//
//   - it never runs two lookups of one key at once;
//   - it never serves an expired value, nor one looked up before an
//     invalidation that preceded the Get.
//
// Every event happens at a whole millisecond, except invalidations, which
// happen half a millisecond later, so that "before" and "after" are never
// ambiguous.

// stamped is a looked-up value: which lookup of its key made it, when
// that lookup started, and when it ended (when the value was stored).
type stamped struct {
	key             string
	n               int
	started, loaded time.Duration
}

// recorder is the lookup of the property test, recording what ran when.
type recorder struct {
	t0   time.Time
	took map[string]time.Duration

	mu      sync.Mutex
	calls   map[string]int
	running map[string]int
	overlap string
}

func (r *recorder) since() time.Duration { return time.Since(r.t0) }

func (r *recorder) lookup(k string) effect.Effect[any, error, stamped] {
	begin := effect.Sync[any, error](func() stamped {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls[k]++
		r.running[k]++
		if r.running[k] > 1 && r.overlap == "" {
			r.overlap = fmt.Sprintf("%d lookups of %s at once at %v", r.running[k], k, r.since())
		}
		return stamped{key: k, n: r.calls[k], started: r.since()}
	})
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[any, error, stamped] {
		return effect.FlatMap(begin, func(v stamped) effect.Effect[any, error, stamped] {
			return restore.Apply(effect.AndThen(effect.Sleep[any, error](r.took[k]), effect.Sync[any, error](func() stamped {
				v.loaded = r.since()
				return v
			}))).Ensuring(effect.Sync[any, error](func() struct{} {
				r.mu.Lock()
				r.running[k]--
				r.mu.Unlock()
				return struct{}{}
			}))
		})
	})
}

// step is one event of a plan.
type step struct {
	At   int    // ms
	Key  int    // 0..2
	Kind int    // 0-5 Get, 6 Get interrupted after Stay ms, 7 Invalidate, 8 Refresh
	Stay int    // ms
	key  string // set by the property
}

func genStep() gopter.Gen {
	return gopter.CombineGens(gen.IntRange(0, 40), gen.IntRange(0, 2), gen.IntRange(0, 8), gen.IntRange(0, 6)).
		Map(func(v []any) step { return step{At: v[0].(int), Key: v[1].(int), Kind: v[2].(int), Stay: v[3].(int)} })
}

type cacheConfig struct {
	TTL, RefreshAhead, Capacity int
	Took                        [3]int
}

func genConfig() gopter.Gen {
	return gopter.CombineGens(gen.IntRange(1, 20), gen.IntRange(0, 10), gen.IntRange(0, 3),
		gen.IntRange(0, 6), gen.IntRange(1, 6), gen.IntRange(1, 12)).
		Map(func(v []any) cacheConfig {
			c := cacheConfig{TTL: v[0].(int), RefreshAhead: v[1].(int), Capacity: v[2].(int), Took: [3]int{v[3].(int), v[4].(int), v[5].(int)}}
			if c.RefreshAhead >= c.TTL {
				c.RefreshAhead = 0
			}
			return c
		})
}

// outcome is what a Get or Refresh of the plan saw: when it started and
// ended, and its value if it succeeded.
type outcome struct {
	step       step
	start, end time.Duration
	ok         bool
	v          stamped
}

func TestPropertyCacheNeverOverlapsLookupsNorServesExpiredValues(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 150
	props := gopter.NewProperties(params)
	props.Property("one lookup per key at a time; no expired or invalidated value served", prop.ForAll(
		func(cfg cacheConfig, plan []step) string {
			var msg string
			effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
				msg = runPlan(rt, cfg, plan)
			})
			return msg
		},
		genConfig(), gen.SliceOfN(25, genStep()),
	))
	props.TestingRun(t)
}

// runPlan runs plan against a cache made with cfg and returns "" if every
// promise held, or what broke.
func runPlan(rt *effect.Runtime, cfg cacheConfig, plan []step) string {
	keys := []string{"a", "b", "c"}
	rec := &recorder{t0: time.Now(), took: map[string]time.Duration{}, calls: map[string]int{}, running: map[string]int{}}
	for i, k := range keys {
		rec.took[k] = time.Duration(cfg.Took[i]) * time.Millisecond
	}
	ttl := time.Duration(cfg.TTL) * time.Millisecond
	opts := cache.Options{TTL: ttl, RefreshAhead: time.Duration(cfg.RefreshAhead) * time.Millisecond, Capacity: cfg.Capacity}
	var (
		mu            sync.Mutex
		invalidations = map[string][]time.Duration{}
		outcomes      []outcome
	)
	prog := effect.FlatMap(cache.New(rec.lookup, opts), func(c *cache.Cache[string, stamped, any, error]) effect.Effect[any, error, struct{}] {
		run := func(s step) effect.Effect[any, error, struct{}] {
			s.key = keys[s.Key]
			at := time.Duration(s.At) * time.Millisecond
			if s.Kind == 7 {
				return effect.AndThen(effect.Sleep[any, error](at+time.Millisecond/2), sync0(func() {
					mu.Lock()
					invalidations[s.key] = append(invalidations[s.key], rec.since())
					mu.Unlock()
					c.Invalidate(s.key)
				}))
			}
			get := c.Get(s.key)
			if s.Kind == 8 {
				get = c.Refresh(s.key)
			}
			if s.Kind == 6 {
				get = get.Timeout(time.Duration(s.Stay) * time.Millisecond)
			}
			var start time.Duration
			timed := effect.AndThen(sync0(func() { start = rec.since() }), effect.ToExit(get))
			return effect.AndThen(effect.Sleep[any, error](at), effect.FlatMap(timed, func(x effect.Exit[error, stamped]) effect.Effect[any, error, struct{}] {
				return sync0(func() {
					v, ok := x.Value()
					mu.Lock()
					outcomes = append(outcomes, outcome{step: s, start: start, end: rec.since(), ok: ok, v: v})
					mu.Unlock()
				})
			}))
		}
		return effect.Void(effect.ForEachPar(plan, run, effect.Par{}))
	})
	if _, err := rt.Run(context.Background(), effect.Scoped(prog), nil); err != nil {
		return "run: " + err.Error()
	}
	if rec.overlap != "" {
		return rec.overlap
	}
	for _, o := range outcomes {
		if !o.ok {
			if o.step.Kind != 6 {
				return fmt.Sprintf("%+v failed", o.step)
			}
			continue
		}
		if o.v.key != o.step.key {
			return fmt.Sprintf("%+v got the value of %s", o.step, o.v.key)
		}
		if o.end-o.v.loaded >= ttl {
			return fmt.Sprintf("%+v at %v got %+v, loaded %v before: expired (TTL %v)", o.step, o.end, o.v, o.end-o.v.loaded, ttl)
		}
		for _, inv := range invalidations[o.step.key] {
			if inv < o.start && o.v.started < inv {
				return fmt.Sprintf("%+v started at %v got %+v, looked up before the invalidation at %v", o.step, o.start, o.v, inv)
			}
		}
		if o.step.Kind == 8 && o.v.loaded < o.start {
			return fmt.Sprintf("Refresh %+v started at %v got the stored %+v", o.step, o.start, o.v)
		}
	}
	return ""
}
