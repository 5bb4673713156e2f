package gen_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/effect/effecttest/gen"
	"github.com/gogoscope/gogoscope/schedule"
	"github.com/leanovate/gopter"
	gg "github.com/leanovate/gopter/gen"
)

type eff = effect.Effect[any, error, int]

var (
	ints     = gg.IntRange(-100, 100)
	failures = gg.OneConstOf(errors.New("a"), errors.New("b"), errors.New("c"))
)

// samples draws n values of g with a fixed seed.
func samples[T any](t *testing.T, g gopter.Gen, n int) []T {
	t.Helper()
	p := gopter.DefaultGenParameters().CloneWithSeed(1)
	out := make([]T, 0, n)
	for range n {
		v, ok := g(p).Retrieve()
		if !ok {
			t.Fatalf("generator gave no value")
		}
		out = append(out, v.(T))
	}
	return out
}

func runExit(e eff) effect.Exit[error, int] { return effect.RunExit(context.Background(), e, nil) }

func TestLeafGenerators(t *testing.T) {
	for i, e := range samples[eff](t, gen.Succeeding[error, int](ints), 20) {
		if v, ok := runExit(e).Value(); !ok || v < -100 || v > 100 {
			t.Fatalf("Succeeding #%d: got %v, want a success in [-100, 100]", i, runExit(e))
		}
	}
	for i, e := range samples[eff](t, gen.Failing[error, int](failures), 20) {
		if c := runExit(e).Cause(); c.Kind() != effect.Failed {
			t.Fatalf("Failing #%d: got %v, want a lone failure", i, c)
		}
	}
	kinds := map[string]bool{}
	for i, e := range samples[eff](t, gen.Dying[error, int](gg.OneConstOf("x", 7)), 40) {
		c := runExit(e).Cause()
		if c.Kind() != effect.Died {
			t.Fatalf("Dying #%d: got %v, want a lone defect", i, c)
		}
		kinds[fmt.Sprint(c.Defects()[0].Value)] = true
	}
	if !kinds["x"] || !kinds["7"] {
		t.Fatalf("Dying: defect values seen %v, want both x and 7", kinds)
	}
}

func TestSleepingForkingFinalizer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		succ := gen.Succeeding[error, int](ints)
		sawSleep := false
		for i, e := range samples[eff](t, gen.Sleeping[error, int](succ, 50*time.Millisecond), 30) {
			start := time.Now()
			x := runExit(e)
			took := time.Since(start)
			if !x.IsSuccess() || took > 50*time.Millisecond || took%time.Millisecond != 0 {
				t.Fatalf("Sleeping #%d: %v after %v, want success within 50ms in whole ms", i, x, took)
			}
			sawSleep = sawSleep || took > 0
		}
		if !sawSleep {
			t.Fatalf("Sleeping never slept")
		}
		for i, e := range samples[eff](t, gen.Forking[error, int](gen.Failing[error, int](failures)), 10) {
			if c := runExit(e).Cause(); c.Kind() != effect.Failed {
				t.Fatalf("Forking #%d: got %v, want the child's failure", i, c)
			}
		}
		finDied := 0
		for i, e := range samples[eff](t, gen.WithFinalizer[error, int](succ, gg.Const("fin")), 30) {
			x := runExit(e)
			if x.IsFailure() {
				var fe *effect.FinalizerError
				if len(x.Cause().Defects()) != 1 || !errors.As(x.Err(), &fe) {
					t.Fatalf("WithFinalizer #%d: got %v, want success or the finalizer's defect", i, x)
				}
				finDied++
			}
		}
		if finDied == 0 || finDied == 30 {
			t.Fatalf("WithFinalizer: %d of 30 finalizers died, want some but not all", finDied)
		}
	})
}

func TestEffectsAreDeterministicAndVaried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kinds := map[string]int{}
		for i, e := range samples[eff](t, gen.Effects[error, int](ints, failures, gen.Options{}), 200) {
			a, b := runExit(e), runExit(e)
			if !effecttest.SameExit(a, b) {
				t.Fatalf("effect #%d ended two ways: %v then %v", i, a, b)
			}
			switch c := a.Cause(); {
			case a.IsSuccess():
				kinds["success"]++
			case c.IsDefect():
				kinds["defect"]++
			default:
				kinds["failure"]++
			}
		}
		for _, k := range []string{"success", "failure", "defect"} {
			if kinds[k] < 10 {
				t.Fatalf("outcomes %v: want at least 10 of each", kinds)
			}
		}
	})
}

func TestFuncsArePure(t *testing.T) {
	for _, f := range samples[func(int) eff](t, gen.Funcs[int, error, int](gen.Succeeding[error, int](ints)), 10) {
		for a := range 5 {
			if !effecttest.SameExit(runExit(f(a)), runExit(f(a))) {
				t.Fatalf("f(%d) gave two outcomes", a)
			}
		}
	}
	outs := map[int]bool{}
	for _, f := range samples[func(int) int](t, gen.PureFuncs[int, int](ints), 10) {
		for a := range 20 {
			if x, y := f(a), f(a); x != y {
				t.Fatalf("pure func not pure")
			}
			outs[f(a)] = true
		}
	}
	if len(outs) < 5 {
		t.Fatalf("PureFuncs: %d distinct outputs, want variety", len(outs))
	}
}

func TestCauses(t *testing.T) {
	kinds := map[effect.CauseKind]int{}
	for _, c := range samples[effect.Cause[error]](t, gen.Causes[error](failures, gen.Options{}), 200) {
		if c.IsEmpty() {
			t.Fatalf("empty cause generated")
		}
		kinds[c.Kind()]++
		if !effecttest.SameCause(c, c) {
			t.Fatalf("cause not the same as itself: %v", c)
		}
	}
	for _, k := range []effect.CauseKind{effect.Failed, effect.Died, effect.Interrupted, effect.Then, effect.Both} {
		if kinds[k] == 0 {
			t.Fatalf("kinds %v: no %v", kinds, k)
		}
	}
}

func TestSchedulesAreBoundedAndPrintable(t *testing.T) {
	for _, s := range samples[gen.Schedule](t, gen.Schedules(), 100) {
		d := s.Start(time.Now())
		n := 0
		for ; n < 100; n++ {
			if _, _, ok := d.Next(time.Now(), nil); !ok {
				break
			}
		}
		if n > 6 {
			t.Fatalf("%v: continued %d times, want at most 6", s, n)
		}
		if s.String() == "" {
			t.Fatalf("schedule without a recipe")
		}
	}
}

func quietRun(props *gopter.Properties) bool {
	return props.Run(gopter.NewFormatedReporter(false, 80, io.Discard))
}

func TestMonadLawsHoldForGeneratedEffects(t *testing.T) {
	gen.MonadLaws[error, int]{
		Effects: gen.Effects[error, int](ints, failures, gen.Options{}),
		Values:  ints,
	}.Check(t)
}

func TestMonadLawsCatchImpureEffects(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		counter := 0
		impure := gg.Const(effect.Sync[any, error](func() int { counter++; return counter }))
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 20
		laws := gen.MonadLaws[error, int]{Effects: impure, Values: ints}
		if quietRun(laws.Properties(params)) {
			t.Fatalf("the laws held for an effect that counts its runs")
		}
	})
}

func TestRetryLawsHoldForGeneratedSchedules(t *testing.T) {
	gen.RetryLaws{}.Check(t)
}

func TestRetryLawsCatchUnseededJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := schedule.Spaced(time.Second).Delays().Jitter(0.9).Intersect(schedule.Recurs(5))
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 30
		laws := gen.RetryLaws{Schedules: gg.Const(gen.Schedule{Schedule: s, Desc: "unseeded"})}
		if quietRun(laws.Properties(params)) {
			t.Fatalf("the laws held for a schedule whose jitter is not seeded")
		}
	})
}
