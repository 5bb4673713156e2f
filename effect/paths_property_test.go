package effect

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// The run loop has two ways to run a non-tail sub-effect (runloop.go): the
// typed path, a nested runLoop while the depth budget lasts, and the heap
// path, frames on the fiber's heap stack past it. These properties generate
// random programs, run each as built (typed, except where a long chain
// crosses the default budget), with the heap path forced at every sub-effect
// (budget 0) and with a budget of 2 (the two paths interleaved), and check
// that all three end with the same exit and the same order of side effects,
// and that this is the exit a plain interpreter of the program predicts.

// prog is a random program: a tree of effect constructors.
type prog struct {
	kind progKind
	n    int
	a, b *prog
}

type progKind uint8

const (
	pSucceed    progKind = iota // Succeed(n)
	pFail                       // Fail(f<n>)
	pDie                        // Die(d<n>)
	pSync                       // Sync: log n, return n
	pSuspend                    // Suspend(a)
	pMap                        // a.Map(+n)
	pPanic                      // a.Map(panic p<n>)
	pFlatMap                    // a.FlatMap(x => b.Map(+x))
	pNested                     // a.FlatMap(x => b.FlatMap(y => Succeed(x+y+n)))
	pMatch                      // MatchEffect(a, e => b, x => Succeed(2x+n)): Fold over failures
	pMatchCause                 // MatchCauseEffect(a, c => b.Map(+weight(c)), x => Succeed(x-n))
	pCatch                      // Catch(a, e => b)
	pEnsuring                   // Ensuring(a, Sync: log -n)
	pRegion                     // Uninterruptible(a)
	pZip                        // ZipWith(a, b, +)
	pChain                      // a left-nested chain of n steps (+1): FlatMap, Map, FlatMap to a Suspend
	pAndThen                    // AndThen(a, b): a's value dropped
	nProgKinds
)

// genProg builds a random program from r, at most depth deep.
func genProg(r *rand.Rand, depth int) *prog {
	k := progKind(r.IntN(int(nProgKinds)))
	if depth <= 0 {
		k = progKind(r.IntN(int(pSync) + 1))
	}
	p := &prog{kind: k, n: r.IntN(100)}
	switch k {
	case pSucceed, pFail, pDie, pSync:
	case pChain:
		// Long enough, sometimes, to cross the default depth budget.
		p.n = r.IntN(2 * int(depthBudget))
		p.a = genProg(r, depth-1)
	case pSuspend, pMap, pPanic, pEnsuring, pRegion:
		p.a = genProg(r, depth-1)
	default:
		p.a, p.b = genProg(r, depth-1), genProg(r, depth-1)
	}
	return p
}

// outcome is what a program ends with: a value or a failure or a defect,
// and the side effects in order.
type outcome struct {
	value   int
	failure string // "" unless it failed
	defect  string // "" unless it died
	log     []int
}

func (o outcome) failed() bool { return o.failure != "" || o.defect != "" }

func (o outcome) String() string {
	switch {
	case o.failure != "":
		return fmt.Sprintf("fail %s, log %v", o.failure, o.log)
	case o.defect != "":
		return fmt.Sprintf("die %s, log %v", o.defect, o.log)
	}
	return fmt.Sprintf("value %d, log %v", o.value, o.log)
}

// weight is what MatchCauseEffect's handler adds: 1 for a failure, 1000
// for a defect.
func weight(failure bool) int {
	if failure {
		return 1
	}
	return 1000
}

// model interprets p directly, appending its side effects to log.
func model(p *prog, log *[]int) outcome {
	ret := func(v int) outcome { return outcome{value: v} }
	switch p.kind {
	case pSucceed:
		return ret(p.n)
	case pFail:
		return outcome{failure: fmt.Sprintf("f%d", p.n)}
	case pDie:
		return outcome{defect: fmt.Sprintf("d%d", p.n)}
	case pSync:
		*log = append(*log, p.n)
		return ret(p.n)
	case pSuspend, pRegion:
		return model(p.a, log)
	case pMap:
		o := model(p.a, log)
		o.value += p.n
		return o
	case pPanic:
		if o := model(p.a, log); o.failed() {
			return o
		}
		return outcome{defect: fmt.Sprintf("p%d", p.n)}
	case pFlatMap, pZip:
		x := model(p.a, log)
		if x.failed() {
			return x
		}
		y := model(p.b, log)
		y.value += x.value
		return y
	case pAndThen:
		if x := model(p.a, log); x.failed() {
			return x
		}
		return model(p.b, log)
	case pNested:
		x := model(p.a, log)
		if x.failed() {
			return x
		}
		y := model(p.b, log)
		y.value += x.value + p.n
		return y
	case pMatch:
		x := model(p.a, log)
		switch {
		case x.failure != "":
			return model(p.b, log)
		case x.defect != "":
			return x
		}
		return ret(2*x.value + p.n)
	case pMatchCause:
		x := model(p.a, log)
		if !x.failed() {
			return ret(x.value - p.n)
		}
		y := model(p.b, log)
		y.value += weight(x.failure != "")
		return y
	case pCatch:
		if x := model(p.a, log); x.failure == "" {
			return x
		}
		return model(p.b, log)
	case pEnsuring:
		x := model(p.a, log)
		*log = append(*log, -p.n)
		return x
	case pChain:
		x := model(p.a, log)
		if !x.failed() {
			x.value += p.n
		}
		return x
	}
	panic("model: unknown kind")
}

// build returns the effect of p, whose side effects append to log.
func build(p *prog, log *[]int) eff {
	n := p.n
	switch p.kind {
	case pSucceed:
		return succeed(n)
	case pFail:
		return Fail[any, int](fmt.Errorf("f%d", n))
	case pDie:
		return Die[any, error, int](fmt.Sprintf("d%d", n))
	case pSync:
		return Sync[any, error](func() int { *log = append(*log, n); return n })
	case pSuspend:
		return Suspend(func() eff { return build(p.a, log) })
	case pRegion:
		return Uninterruptible(build(p.a, log))
	case pMap:
		return build(p.a, log).Map(func(x int) int { return x + n })
	case pPanic:
		return build(p.a, log).Map(func(int) int { panic(fmt.Sprintf("p%d", n)) })
	case pFlatMap:
		b := build(p.b, log)
		return build(p.a, log).FlatMap(func(x int) eff { return b.Map(func(y int) int { return y + x }) })
	case pAndThen:
		b := build(p.b, log)
		return AndThen(build(p.a, log), b)
	case pZip:
		return ZipWith(build(p.a, log), build(p.b, log), func(x, y int) int { return x + y })
	case pNested:
		b := build(p.b, log)
		return build(p.a, log).FlatMap(func(x int) eff {
			return b.FlatMap(func(y int) eff { return succeed(x + y + n) })
		})
	case pMatch:
		b := build(p.b, log)
		return MatchEffect(build(p.a, log),
			func(error) eff { return b },
			func(x int) eff { return succeed(2*x + n) })
	case pMatchCause:
		b := build(p.b, log)
		return MatchCauseEffect(build(p.a, log),
			func(c Cause[error]) eff {
				w := weight(len(c.Failures()) > 0)
				return b.Map(func(y int) int { return y + w })
			},
			func(x int) eff { return succeed(x - n) })
	case pCatch:
		b := build(p.b, log)
		return Catch(build(p.a, log), func(error) eff { return b })
	case pEnsuring:
		return Ensuring(build(p.a, log), Sync[any, error](func() struct{} { *log = append(*log, -n); return struct{}{} }))
	case pChain:
		// A left-nested chain (flattened as it is built, ops.go chainOp)
		// of Maps and FlatMaps to a value or to an effect.
		e := build(p.a, log)
		for i := range n {
			switch i % 3 {
			case 0:
				e = e.FlatMap(func(x int) eff { return succeed(x + 1) })
			case 1:
				e = e.Map(func(x int) int { return x + 1 })
			default:
				e = e.FlatMap(func(x int) eff { return Suspend(func() eff { return succeed(x + 1) }) })
			}
		}
		return e
	}
	panic("build: unknown kind")
}

// runProg builds p afresh and runs it with the depth budget set to budget.
func runProg(p *prog, budget int32) outcome {
	old := depthBudget
	depthBudget = budget
	defer func() { depthBudget = old }()
	var log []int
	ex := runExit(build(p, &log))
	o := outcome{log: log}
	switch {
	case ex.IsSuccess():
		o.value = ex.value
	case len(ex.cause.Defects()) > 0:
		var vs []string
		for _, d := range ex.cause.Defects() {
			vs = append(vs, fmt.Sprint(d.Value))
		}
		o.defect = strings.Join(vs, "+")
	default:
		var fs []string
		for _, f := range ex.cause.Failures() {
			fs = append(fs, f.Error())
		}
		o.failure = strings.Join(fs, "+")
		if o.failure == "" {
			o.failure = "<empty cause: " + ex.cause.String() + ">"
		}
	}
	return o
}

// sameOutcome compares outcomes; the value counts only on success (the
// model does not bother to clear it on a failure).
func sameOutcome(a, b outcome) bool {
	if !a.failed() && !b.failed() && a.value != b.value {
		return false
	}
	return a.failure == b.failure && a.defect == b.defect && slices.Equal(a.log, b.log)
}

// pathsAgree runs p as built, with the heap path forced and with a budget
// of 2, and returns what differs from the model, or "".
func pathsAgree(p *prog) string {
	var log []int
	want := model(p, &log)
	want.log = log
	for _, budget := range []int32{depthBudget, 0, 2} {
		if got := runProg(p, budget); !sameOutcome(got, want) {
			return fmt.Sprintf("budget %d: got %v, want %v", budget, got, want)
		}
	}
	return ""
}

func pathsProperties(t *testing.T) *gopter.Properties {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 300
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gopter seed: %d", params.Seed())
		}
	})
	return gopter.NewProperties(params)
}

func TestPropertyTypedAndHeapPathsAgree(t *testing.T) {
	props := pathsProperties(t)
	props.Property("typed path == heap path == model", prop.ForAll(
		func(seed uint64, depth int) string {
			p := genProg(rand.New(rand.NewPCG(seed, 7)), depth)
			return pathsAgree(p)
		},
		gen.UInt64(), gen.IntRange(0, 6),
	))
	props.TestingRun(t)
}

// A chain far deeper than the budget, its steps interleaved with folds and
// catches, ends the same on both paths; forced to the heap it must not
// recurse in Go (it would overflow the stack long before the end).
func TestPropertyDeepMixedChainAgrees(t *testing.T) {
	props := pathsProperties(t)
	props.Property("deep mixed chain: typed == heap == model", prop.ForAll(
		func(seed uint64) string {
			r := rand.New(rand.NewPCG(seed, 11))
			p := &prog{kind: pSucceed, n: r.IntN(100)}
			for range 2000 + r.IntN(2000) {
				switch r.IntN(6) {
				case 0:
					p = &prog{kind: pCatch, a: p, b: &prog{kind: pSucceed, n: r.IntN(100)}}
				case 1:
					p = &prog{kind: pMatch, n: r.IntN(5), a: p, b: &prog{kind: pSucceed}}
				case 2:
					p = &prog{kind: pMap, n: r.IntN(5), a: p}
				case 3:
					if r.IntN(50) == 0 {
						p = &prog{kind: pFlatMap, a: p, b: &prog{kind: pFail, n: r.IntN(100)}}
					} else {
						p = &prog{kind: pFlatMap, a: p, b: &prog{kind: pSync, n: r.IntN(100)}}
					}
				case 4:
					p = &prog{kind: pEnsuring, n: r.IntN(100), a: p}
				default:
					p = &prog{kind: pSuspend, a: p}
				}
			}
			return pathsAgree(p)
		},
		gen.UInt64(),
	))
	props.TestingRun(t)
}
