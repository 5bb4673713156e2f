package effect

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

func parameters() *gopter.TestParameters {
	p := gopter.DefaultTestParameters()
	p.MinSuccessfulTests = 200
	return p
}

// genEffect builds a random effect from a seed: pure values, failures,
// defects, syncs, sleeps, suspends, folds and forks, nested a little.
func genEffect(r *rand.Rand, depth int) eff {
	k := r.IntN(9)
	if depth <= 0 {
		k = r.IntN(4)
	}
	n := r.IntN(100)
	switch k {
	case 0:
		return succeed(n)
	case 1:
		return Fail[any, int](fmt.Errorf("e%d", n))
	case 2:
		return Sync[any, error](func() int { return n })
	case 3:
		return AndThen(Sleep[any, error](time.Duration(n)*time.Millisecond), succeed(n))
	case 4:
		inner := genEffect(r, depth-1)
		return Suspend(func() eff { return inner })
	case 5:
		inner, h := genEffect(r, depth-1), genEffect(r, depth-1)
		return inner.Catch(func(error) eff { return h })
	case 6:
		inner := genEffect(r, depth-1)
		return FlatMap(Fork(inner), func(fb *Fiber[error, int]) eff { return Join[any](fb) })
	case 7:
		inner := genEffect(r, depth-1)
		return inner.Map(func(i int) int { return i*3 + n })
	default:
		return Die[any, error, int](fmt.Sprintf("d%d", n))
	}
}

// genK builds a random continuation int → effect from a seed.
func genK(seed uint64) func(int) eff {
	return func(x int) eff {
		r := rand.New(rand.NewPCG(seed, uint64(x)))
		if r.IntN(4) == 0 {
			return Fail[any, int](fmt.Errorf("k%d", x))
		}
		return Map(genEffect(r, 2), func(i int) int { return i + x })
	}
}

// sameExit compares exits by value, failures and defect values.
func sameExit(a, b Exit[error, int]) bool {
	if a.IsSuccess() != b.IsSuccess() {
		return false
	}
	if a.IsSuccess() {
		return a.value == b.value
	}
	ea, eb := a.cause.Failures(), b.cause.Failures()
	if len(ea) != len(eb) {
		return false
	}
	for i := range ea {
		if ea[i].Error() != eb[i].Error() {
			return false
		}
	}
	da, db := a.cause.Defects(), b.cause.Defects()
	if len(da) != len(db) {
		return false
	}
	for i := range da {
		if fmt.Sprint(da[i].Value) != fmt.Sprint(db[i].Value) {
			return false
		}
	}
	return true
}

func runBubbled(t *testing.T, e eff) Exit[error, int] {
	var ex Exit[error, int]
	synctest.Test(t, func(t *testing.T) { ex = runExit(e) })
	return ex
}

func TestMonadLaws(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		props := gopter.NewProperties(parameters())
		props.Property("left identity: FlatMap(Succeed(a), f) == f(a)", prop.ForAll(
			func(a int, seed uint64) bool {
				f := genK(seed)
				return sameExit(runBubbled(t, FlatMap(succeed(a), f)), runBubbled(t, f(a)))
			}, gen.IntRange(-1000, 1000), gen.UInt64()))
		props.Property("right identity: FlatMap(m, Succeed) == m", prop.ForAll(
			func(seed uint64) bool {
				m := genEffect(rand.New(rand.NewPCG(seed, 1)), 3)
				return sameExit(runBubbled(t, FlatMap(m, succeed)), runBubbled(t, m))
			}, gen.UInt64()))
		props.Property("associativity", prop.ForAll(
			func(seed, fs, gs uint64) bool {
				m := genEffect(rand.New(rand.NewPCG(seed, 2)), 3)
				f, g := genK(fs), genK(gs)
				left := FlatMap(FlatMap(m, f), g)
				right := FlatMap(m, func(x int) eff { return FlatMap(f(x), g) })
				return sameExit(runBubbled(t, left), runBubbled(t, right))
			}, gen.UInt64(), gen.UInt64(), gen.UInt64()))
		props.Property("map identity and composition", prop.ForAll(
			func(seed uint64) bool {
				m := genEffect(rand.New(rand.NewPCG(seed, 3)), 3)
				f := func(i int) int { return i * 7 }
				g := func(i int) int { return i - 2 }
				return sameExit(runBubbled(t, m.Map(func(i int) int { return i })), runBubbled(t, m)) &&
					sameExit(runBubbled(t, m.Map(f).Map(g)), runBubbled(t, m.Map(func(i int) int { return g(f(i)) })))
			}, gen.UInt64()))
		props.TestingRun(t)
	})
}

// resourceLog records acquisitions and releases per scope.
type resourceLog struct {
	mu       sync.Mutex
	acquired map[string]int // resource → times acquired
	released map[string]int
	order    map[ScopeID][]string // per scope: acquisition order, then releases
	rels     map[ScopeID][]string
}

func newResourceLog() *resourceLog {
	return &resourceLog{acquired: map[string]int{}, released: map[string]int{}, order: map[ScopeID][]string{}, rels: map[ScopeID][]string{}}
}

// genTree builds a random program of scopes, resources, forks,
// interruptions, races, timeouts and failures.
func genTree(r *rand.Rand, log *resourceLog, depth int, names *int) eff {
	k := r.IntN(10)
	if depth <= 0 {
		k = r.IntN(3)
	}
	d := time.Duration(r.IntN(5)) * time.Millisecond
	switch k {
	case 0:
		return AndThen(Sleep[any, error](d), succeed(1))
	case 1:
		return AndThen(Sleep[any, error](d), Fail[any, int](errBoom))
	case 2:
		if r.IntN(3) == 0 {
			return Die[any, error, int]("bug")
		}
		return Never[any, error, int]()
	case 3, 4:
		*names++
		name := fmt.Sprintf("r%d", *names)
		child := genTree(r, log, depth-1, names)
		acquire := FlatMap(CurrentScope[any, error](), func(s *Scope) Effect[any, error, ScopeID] {
			return Sync[any, error](func() ScopeID {
				log.mu.Lock()
				log.acquired[name]++
				log.order[s.ID()] = append(log.order[s.ID()], name)
				log.mu.Unlock()
				return s.ID()
			})
		})
		res := AcquireRelease(acquire, func(id ScopeID) unit {
			return Sync[any, error](func() struct{} {
				log.mu.Lock()
				log.released[name]++
				log.rels[id] = append(log.rels[id], name)
				log.mu.Unlock()
				return struct{}{}
			})
		})
		return AndThen(res, child)
	case 5:
		return Scoped(AndThen(genTree(r, log, depth-1, names), genTree(r, log, depth-1, names)))
	case 6:
		child := genTree(r, log, depth-1, names)
		interrupt := r.IntN(2) == 0
		return FlatMap(Fork(child), func(fb *Fiber[error, int]) eff {
			if interrupt {
				return AndThen(Sleep[any, error](d), Map(Interrupt[any](fb), func(Exit[error, int]) int { return 0 }))
			}
			return Join[any](fb)
		})
	case 7:
		return Race(genTree(r, log, depth-1, names), genTree(r, log, depth-1, names))
	case 8:
		return Timeout(genTree(r, log, depth-1, names), d+time.Millisecond)
	default:
		return genTree(r, log, depth-1, names).Catch(func(error) eff { return succeed(0) })
	}
}

func TestResourcesReleasedOnceLIFOAndNoFiberOutlivesRoot(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		props := gopter.NewProperties(parameters())
		props.Property("every resource released exactly once, LIFO per scope; no fiber left", prop.ForAll(
			func(seed uint64, interruptAt int) bool {
				ok := true
				synctest.Test(t, func(t *testing.T) {
					r := rand.New(rand.NewPCG(seed, 9))
					log := newResourceLog()
					names := 0
					prog := genTree(r, log, 5, &names)
					rt := NewRuntime()
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					if interruptAt >= 0 {
						time.AfterFunc(time.Duration(interruptAt)*time.Millisecond, cancel)
					}
					done := make(chan Exit[error, int], 1)
					go func() { done <- rt.RunExit(ctx, prog, nil) }()
					var ex Exit[error, int]
					select {
					case ex = <-done:
					case <-time.After(time.Hour):
						cancel() // a Never that nobody interrupts: stop it
						ex = <-done
					}
					_ = ex
					if n := len(rt.Fibers()); n != 0 {
						t.Logf("seed %d: %d fibers alive after the root returned", seed, n)
						ok = false
					}
					for name, a := range log.acquired {
						if a != 1 || log.released[name] != 1 {
							t.Logf("seed %d: %s acquired %d released %d", seed, name, a, log.released[name])
							ok = false
						}
					}
					for id, acq := range log.order {
						rev := slices.Clone(acq)
						slices.Reverse(rev)
						if !slices.Equal(rev, log.rels[id]) {
							t.Logf("seed %d: scope %d acquired %v released %v", seed, id, acq, log.rels[id])
							ok = false
						}
					}
				})
				return ok
			}, gen.UInt64(), gen.IntRange(-5, 20)))
		props.TestingRun(t)
	})
}
