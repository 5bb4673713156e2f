package ratelimit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/ratelimit"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// params are random limiter parameters; kind picks the algorithm.
type params struct {
	Kind  int
	Rate  int64 // also the windows' Limit
	PerMs int64
	Burst int64
}

func (p params) alg() ratelimit.Algorithm {
	per := time.Duration(p.PerMs) * time.Millisecond
	switch p.Kind % 4 {
	case 0:
		return ratelimit.TokenBucket{Rate: p.Rate, Per: per, Burst: p.Burst}
	case 1:
		return ratelimit.GCRA{Rate: p.Rate, Per: per, Burst: p.Burst}
	case 2:
		return ratelimit.FixedWindow{Limit: p.Rate, Window: per}
	default:
		return ratelimit.SlidingWindow{Limit: p.Rate, Window: per}
	}
}

func (p params) capacity() int64 {
	if p.Kind%4 < 2 && p.Burst > 0 {
		return p.Burst
	}
	return p.Rate
}

type grant struct{ at, cost int64 } // nanoseconds since the limiter was made

// violation returns a description of the first window in which the
// admissions exceed what the algorithm allows, or "".
func (p params) violation(gs []grant) string {
	per := p.PerMs * int64(time.Millisecond)
	sum := func(from, to int64) (s int64) { // admissions with from <= at < to
		for _, g := range gs {
			if g.at >= from && g.at < to {
				s += g.cost
			}
		}
		return s
	}
	for _, g := range gs {
		switch p.Kind % 4 {
		case 0, 1: // any closed interval [g.at, h.at]: burst + rate × length
			for _, h := range gs {
				if h.at < g.at {
					continue
				}
				allowed := p.capacity() + p.Rate*(h.at-g.at)/per
				if s := sum(g.at, h.at+1); s > allowed {
					return fmt.Sprintf("%d admitted in [%v, %v], allowed %d", s, time.Duration(g.at), time.Duration(h.at), allowed)
				}
			}
		case 2: // each aligned window
			k := g.at / per
			if s := sum(k*per, (k+1)*per); s > p.Rate {
				return fmt.Sprintf("%d admitted in window %d, limit %d", s, k, p.Rate)
			}
		default: // any window [g.at, g.at+per)
			if s := sum(g.at, g.at+per); s > p.Rate {
				return fmt.Sprintf("%d admitted in [%v, +%v), limit %d", s, time.Duration(g.at), time.Duration(per), p.Rate)
			}
		}
	}
	return ""
}

var genParams = gen.Struct(reflectType[params](), map[string]gopter.Gen{
	"Kind":  gen.IntRange(0, 3),
	"Rate":  gen.Int64Range(1, 12),
	"PerMs": gen.Int64Range(1, 500),
	"Burst": gen.Int64Range(0, 8),
})

type step struct {
	WaitMs int64
	Cost   int64
}

var genSteps = gen.SliceOf(gen.Struct(reflectType[step](), map[string]gopter.Gen{
	"WaitMs": gen.Int64Range(0, 120),
	"Cost":   gen.Int64Range(0, 9),
}))

// inBubble runs body in a new synctest bubble with a fresh runtime and
// limiters made of algs, and returns the message body sets ("" if the
// property holds).
func inBubble(t *testing.T, algs []ratelimit.Algorithm, body func(t *testing.T, rt *effect.Runtime, ls []*ratelimit.Limiter) string) (msg string) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer func() { _ = rt.Shutdown(context.Background()) }()
		ls := make([]*ratelimit.Limiter, len(algs))
		for i, alg := range algs {
			l, closeScope := open(t, rt, alg)
			defer closeScope()
			ls[i] = l
		}
		msg = body(t, rt, ls)
	})
	return msg
}

func properties(t *testing.T) *gopter.Properties {
	ps := gopter.DefaultTestParameters()
	ps.MinSuccessfulTests = 150
	return gopter.NewProperties(ps)
}

// TestPropertyTryAcquireWithinLimits: whatever the arrivals and costs, what
// TryAcquire admits never exceeds the algorithm's rate and burst over any
// window, in virtual time; and a refusal is right (the same request would
// break the bound, or someone waits).
func TestPropertyTryAcquireWithinLimits(t *testing.T) {
	props := properties(t)
	props.Property("admissions within the limits", prop.ForAll(func(p params, steps []step) string {
		return inBubble(t, []ratelimit.Algorithm{p.alg()}, func(t *testing.T, _ *effect.Runtime, ls []*ratelimit.Limiter) string {
			l, start := ls[0], time.Now()
			var gs []grant
			for _, s := range steps {
				time.Sleep(time.Duration(s.WaitMs) * time.Millisecond)
				at := int64(time.Since(start))
				if l.TryAcquire(s.Cost) {
					if s.Cost > p.capacity() {
						return fmt.Sprintf("admitted cost %d above the capacity %d", s.Cost, p.capacity())
					}
					gs = append(gs, grant{at, s.Cost})
				} else if s.Cost <= p.capacity() && p.violation(append(slices.Clone(gs), grant{at, s.Cost})) == "" && p.Kind%4 != 1 {
					// GCRA rounds its interval up, so it may refuse a
					// little more; the others refuse only what must be.
					return fmt.Sprintf("refused cost %d at %v without cause", s.Cost, time.Duration(at))
				}
			}
			return p.violation(gs)
		})
	}, genParams, genSteps))
	props.TestingRun(t)
}

// TestPropertyWaitersWithinLimitsAndFair: requests arriving at random
// times, each waiting in Acquire, are admitted within the limits over any
// window, and in the order they arrived.
func TestPropertyWaitersWithinLimitsAndFair(t *testing.T) {
	props := properties(t)
	props.Property("waiters admitted within the limits, first come first served", prop.ForAll(func(p params, steps []step) string {
		return inBubble(t, []ratelimit.Algorithm{p.alg()}, func(t *testing.T, rt *effect.Runtime, ls []*ratelimit.Limiter) string {
			l, start := ls[0], time.Now()
			gs := make([]grant, len(steps))
			var fbs []*effect.Fiber[error, struct{}]
			for i, s := range steps {
				time.Sleep(time.Duration(s.WaitMs) * time.Millisecond)
				cost := min(s.Cost, p.capacity())
				fbs = append(fbs, rt.Start(context.Background(), effect.AndThen(l.Acquire[any, error](cost), effect.Sync[any, error](func() struct{} {
					gs[i] = grant{int64(time.Since(start)), cost}
					return struct{}{}
				})), nil))
				synctest.Wait()
			}
			for _, fb := range fbs {
				if x, _ := fb.Wait(context.Background()); x.IsFailure() {
					return x.String()
				}
			}
			// First come, first served: no request is admitted before one
			// that arrived earlier (a zero cost waits for no one).
			last := int64(0)
			for i, g := range gs {
				if g.cost == 0 {
					continue
				}
				if g.at < last {
					return fmt.Sprintf("request %d admitted at %v, before an earlier one (%v)", i, time.Duration(g.at), time.Duration(last))
				}
				last = g.at
			}
			return p.violation(gs)
		})
	}, genParams, genSteps))
	props.TestingRun(t)
}

// TestPropertyGCRAIsTheTokenBucket: with an emission interval of whole
// nanoseconds, GCRA and the token bucket make the same decisions.
func TestPropertyGCRAIsTheTokenBucket(t *testing.T) {
	props := properties(t)
	props.Property("same decisions", prop.ForAll(func(p params, steps []step) string {
		per := time.Duration(p.PerMs) * time.Millisecond
		algs := []ratelimit.Algorithm{ratelimit.TokenBucket{Rate: p.Rate, Per: per, Burst: p.Burst}, ratelimit.GCRA{Rate: p.Rate, Per: per, Burst: p.Burst}}
		return inBubble(t, algs, func(t *testing.T, _ *effect.Runtime, ls []*ratelimit.Limiter) string {
			tb, g := ls[0], ls[1]
			for i, s := range steps {
				time.Sleep(time.Duration(s.WaitMs) * time.Millisecond)
				if a, b := tb.TryAcquire(s.Cost), g.TryAcquire(s.Cost); a != b {
					return fmt.Sprintf("step %d: token bucket %v, gcra %v", i, a, b)
				}
				if a, b := tb.Available(), g.Available(); a != b {
					return fmt.Sprintf("step %d: available %d vs %d", i, a, b)
				}
			}
			return ""
		})
	}, genParams.SuchThat(func(p params) bool { return (p.PerMs*int64(time.Millisecond))%p.Rate == 0 }), genSteps))
	props.TestingRun(t)
}

// The interruption sweeps: an acquire that must wait is interrupted at each
// of its steps; after each run no one waits, and the capacity consumed is
// exactly the cost if the acquire succeeded and nothing otherwise.
func TestSweepAcquire(t *testing.T) {
	sweep(t, "fixed window, head of the queue", ratelimit.FixedWindow{Limit: 3, Window: time.Second},
		func(l *ratelimit.Limiter, _ *effect.Runtime) (eff[struct{}], func() int64) {
			l.TryAcquire(2)
			return l.Acquire[any, error](2), nil
		},
		func(now time.Duration, ok bool) int64 {
			switch {
			case now < time.Second:
				return 1
			case ok:
				return 1
			}
			return 3
		})
	sweep(t, "fixed window, behind another waiter", ratelimit.FixedWindow{Limit: 3, Window: time.Second},
		func(l *ratelimit.Limiter, owner *effect.Runtime) (eff[struct{}], func() int64) {
			l.TryAcquire(1)
			head := owner.Start(context.Background(), l.Acquire[any, error](3), nil)
			synctest.Wait()
			return l.Acquire[any, error](1), func() int64 { _, _ = head.Wait(context.Background()); return 0 }
		},
		func(now time.Duration, ok bool) int64 {
			switch {
			case now < 2*time.Second:
				return 0 // the head took the whole of window 1
			case ok:
				return 2
			}
			return 3
		})
	sweep(t, "token bucket", ratelimit.TokenBucket{Rate: 10, Per: time.Second, Burst: 2},
		func(l *ratelimit.Limiter, _ *effect.Runtime) (eff[struct{}], func() int64) {
			l.TryAcquire(2)
			return l.WithCost(2, effect.Unit[any, error]()), nil
		},
		func(now time.Duration, ok bool) int64 {
			if ok {
				return 0
			}
			return min(2, int64(now/(100*time.Millisecond)))
		})
	sweep(t, "sliding window", ratelimit.SlidingWindow{Limit: 2, Window: time.Second},
		func(l *ratelimit.Limiter, _ *effect.Runtime) (eff[struct{}], func() int64) {
			l.TryAcquire(1)
			return l.Acquire[any, error](2), nil
		},
		func(now time.Duration, ok bool) int64 {
			switch {
			case ok:
				return 0
			case now < time.Second:
				return 1
			}
			return 2
		})
}

// sweep sweeps the acquire that op makes on a fresh limiter, with wait
// (if not nil) called before the check, and want the capacity available at
// the end, given the virtual time since the limiter was made and whether
// the acquire succeeded.
func sweep(t *testing.T, name string, alg ratelimit.Algorithm,
	op func(l *ratelimit.Limiter, owner *effect.Runtime) (eff[struct{}], func() int64),
	want func(now time.Duration, ok bool) int64) {
	t.Run(name, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			owner := effect.NewRuntime()
			defer func() { _ = owner.Shutdown(context.Background()) }()
			var (
				l         *ratelimit.Limiter
				closeLim  func()
				start     time.Time
				waitOther func() int64
			)
			defer func() {
				if closeLim != nil {
					closeLim()
				}
			}()
			mk := func() eff[struct{}] {
				if closeLim != nil {
					closeLim()
				}
				l, closeLim = open(t, owner, alg)
				start = time.Now()
				var e eff[struct{}]
				e, waitOther = op(l, owner)
				return e
			}
			steps := effecttest.SweepInterrupts(t, mk, func(t testing.TB, step int, x effect.Exit[error, struct{}]) {
				if waitOther != nil {
					waitOther()
				}
				now := time.Since(start)
				if a, w, exp := l.Available(), l.Waiting(), want(now, x.IsSuccess()); a != exp || w != 0 {
					t.Fatalf("interrupted at step %d (%v) at %v: %d available, %d waiting; want %d, 0", step, x, now, a, w, exp)
				}
			})
			if steps < 5 {
				t.Fatalf("swept only %d steps", steps)
			}
			t.Logf("swept %d interruption points", steps)
		})
	})
}
