package batch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// The property test runs random plans of Gets and GetAlls, from separate
// fibers at random (virtual) times, some of them interrupted after a
// while, against loaders of random options, and checks:
//
//   - every request that was not interrupted is answered exactly once,
//     with its own key's answer: "v<key>", or a *MissingError for a key
//     the backend does not have — never a zero value;
//   - every call of the resolver respects the size limit and asks each of
//     its keys once, and no key is in two calls at once;
//   - every key the resolver is asked was asked by a caller before, and
//     was answered to every caller who waited for it;
//   - with the cache on, a key is loaded by at most one call that was not
//     interrupted.

type planStep struct {
	At, Stay  int   // ms; Stay > 0 interrupts the caller after Stay ms
	Keys      []int // one key: Get; more: GetAll
	interrupt bool
}

func genPlanStep() gopter.Gen {
	return gopter.CombineGens(gen.IntRange(0, 25), gen.IntRange(0, 8), gen.SliceOfN(3, gen.IntRange(-1, 7)), gen.IntRange(1, 3)).
		Map(func(v []any) planStep {
			keys := v[2].([]int)
			n := min(v[3].(int), len(keys))
			if n == 0 {
				keys, n = []int{0}, 1
			}
			stay := v[1].(int)
			return planStep{At: v[0].(int), Stay: stay, Keys: keys[:n], interrupt: stay > 0 && stay < 4}
		})
}

type loaderConfig struct {
	Window, MaxSize, Took int
	Cache                 bool
}

func genLoaderConfig() gopter.Gen {
	return gopter.CombineGens(gen.IntRange(0, 5), gen.IntRange(0, 4), gen.IntRange(0, 5), gen.Bool()).
		Map(func(v []any) loaderConfig {
			return loaderConfig{Window: v[0].(int), MaxSize: v[1].(int), Took: v[2].(int), Cache: v[3].(bool)}
		})
}

type answerRec struct {
	step       int
	start, end time.Duration
	exit       effect.Exit[error, []string]
}

func TestPropertyEveryRequestAnsweredOnceWithinTheSizeLimit(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 150
	props := gopter.NewProperties(params)
	props.Property("each request answered once with its own key; batches within limits", prop.ForAll(
		func(cfg loaderConfig, plan []planStep) string {
			var msg string
			effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
				msg = runLoaderPlan(rt, cfg, plan)
			})
			return msg
		},
		genLoaderConfig(), gen.SliceOfN(20, genPlanStep()),
	))
	props.TestingRun(t)
}

func runLoaderPlan(rt *effect.Runtime, cfg loaderConfig, plan []planStep) string {
	be := newBackend(time.Duration(cfg.Took) * time.Millisecond)
	opts := batch.Options{Window: time.Duration(cfg.Window) * time.Millisecond, MaxSize: cfg.MaxSize, Cache: cfg.Cache}
	var (
		mu      sync.Mutex
		answers []answerRec
	)
	prog := effect.FlatMap(batch.New(be.resolve, opts), func(l *intLoader) eff.Effect[struct{}] {
		run := func(i int) eff.Effect[struct{}] {
			s := plan[i]
			var ask eff.Effect[[]string]
			if len(s.Keys) == 1 {
				ask = effect.Map(l.Get(s.Keys[0]), func(v string) []string { return []string{v} })
			} else {
				ask = l.GetAll(s.Keys)
			}
			if s.interrupt {
				ask = ask.Timeout(time.Duration(s.Stay) * time.Millisecond)
			}
			var start time.Duration
			timed := effect.AndThen(effect.Sync[any, error](func() struct{} { start = time.Since(be.t0); return struct{}{} }), effect.ToExit(ask))
			return effect.AndThen(effect.Sleep[any, error](time.Duration(s.At)*time.Millisecond), effect.FlatMap(timed, func(x effect.Exit[error, []string]) eff.Effect[struct{}] {
				return effect.Sync[any, error](func() struct{} {
					mu.Lock()
					answers = append(answers, answerRec{step: i, start: start, end: time.Since(be.t0), exit: x})
					mu.Unlock()
					return struct{}{}
				})
			}))
		}
		return effect.Void(effect.ForEachPar(ints(0, len(plan)), run, effect.Par{}))
	})
	if _, err := rt.Run(context.Background(), effect.Scoped(prog), nil); err != nil {
		return "run: " + err.Error()
	}
	if be.overlap != "" {
		be.mu.Lock()
		defer be.mu.Unlock()
		return fmt.Sprintf("%s; calls %+v", be.overlap, be.calls)
	}
	// Each step answered exactly once.
	seen := make([]int, len(plan))
	for _, a := range answers {
		seen[a.step]++
	}
	for i, n := range seen {
		if n != 1 {
			return fmt.Sprintf("step %d answered %d times", i, n)
		}
	}
	// Calls within the limit, each key once.
	be.mu.Lock()
	calls := slices.Clone(be.calls)
	be.mu.Unlock()
	for _, c := range calls {
		if cfg.MaxSize > 0 && len(c.keys) > cfg.MaxSize {
			return fmt.Sprintf("call %v over the limit %d", c.keys, cfg.MaxSize)
		}
		sorted := slices.Sorted(slices.Values(c.keys))
		if len(slices.Compact(sorted)) != len(c.keys) {
			return fmt.Sprintf("call %v asks a key twice", c.keys)
		}
	}
	// Every answer is its own keys' answers.
	for _, a := range answers {
		s := plan[a.step]
		vals, err := a.exit.Get()
		if err != nil {
			if s.interrupt && errors.Is(err, effect.ErrTimeout) {
				continue
			}
			var me *batch.MissingError
			if !errors.As(err, &me) || !slices.Contains(s.Keys, me.Key.(int)) || me.Key.(int) >= 0 {
				return fmt.Sprintf("step %d %+v failed: %v", a.step, s, err)
			}
			continue
		}
		for j, k := range s.Keys {
			if k < 0 {
				return fmt.Sprintf("step %d %+v: missing key %d got %q", a.step, s, k, vals[j])
			}
			if want := fmt.Sprintf("v%d", k); vals[j] != want {
				return fmt.Sprintf("step %d %+v: key %d got %q", a.step, s, k, vals[j])
			}
		}
	}
	// Every key asked of the resolver was asked by a caller before.
	for _, c := range calls {
		for _, k := range c.keys {
			asked := false
			for _, a := range answers {
				if a.start <= c.start && slices.Contains(plan[a.step].Keys, k) {
					asked = true
				}
			}
			if !asked {
				return fmt.Sprintf("call %v at %v asks %d, which nobody asked", c.keys, c.start, k)
			}
		}
	}
	if cfg.Cache {
		loaded := map[int]int{}
		for _, c := range calls {
			for _, k := range c.keys {
				if k >= 0 && !c.interrupted {
					if loaded[k]++; loaded[k] > 1 {
						return fmt.Sprintf("key %d loaded twice with the cache on: calls %+v", k, calls)
					}
				}
			}
		}
	}
	return ""
}
