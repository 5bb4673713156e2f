package gen_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest/gen"
	"github.com/gogoscope/gogoscope/schedule"
	"github.com/leanovate/gopter"
	gg "github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// fetch is an effect of the package under test, built from its input.
func fetch(id int) effect.Effect[any, error, int] {
	if id < 0 {
		return effect.Fail[any, int](errors.New("negative id"))
	}
	return effect.Sync[any, error](func() int { return id * 10 })
}

func ExampleMonadLaws() {
	fetches := gg.IntRange(-5, 5).Map(fetch) // a generator of the package's effects
	laws := gen.MonadLaws[error, int]{Effects: fetches, Values: gg.IntRange(-5, 5)}
	// In a test: laws.Check(t). Here, with a reporter that prints:
	params := gopter.DefaultTestParameters()
	params.Rng.Seed(1)
	laws.Properties(params).Run(gopter.NewFormatedReporter(false, 80, os.Stdout))
	// Output:
	// + left identity: OK, passed 100 tests.
	// + right identity: OK, passed 100 tests.
	// + associativity: OK, passed 100 tests.
	// + map identity: OK, passed 100 tests.
	// + map composition: OK, passed 100 tests.
	// + map by flatMap: OK, passed 100 tests.
}

func ExampleRetryLaws() {
	// The application's retry policy, seeded so that it is deterministic.
	policy := schedule.Exponential(10 * time.Millisecond).Capped(time.Second).FullJitter().Seed(7).Intersect(schedule.Recurs(4))
	laws := gen.RetryLaws{Schedules: gg.Const(gen.Schedule{Schedule: policy, Desc: "policy"})}
	// The laws measure virtual time, so they run in a testing/synctest
	// bubble: in a test, laws.Check(t) makes one.
	_ = laws
}

func ExampleEffects() {
	effects := gen.Effects[error, int](gg.IntRange(0, 9), gg.Const(errors.New("boom")), gen.Options{Depth: 2, MaxSleep: time.Millisecond})
	// A property of one's own: a scope releases its resource whatever the
	// effect inside does.
	params := gopter.DefaultTestParameters()
	params.Rng.Seed(1)
	props := gopter.NewProperties(params)
	props.Property("scoped resources are released", prop.ForAll(func(e effect.Effect[any, error, int]) bool {
		released := 0
		res := effect.AcquireRelease(effect.Succeed[any, error](1), func(int) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { released++; return struct{}{} })
		})
		effect.RunExit(context.Background(), effect.Scoped(effect.AndThen(res, e)), nil)
		return released == 1
	}, effects))
	props.Run(gopter.NewFormatedReporter(false, 80, os.Stdout))
	// Output: + scoped resources are released: OK, passed 100 tests.
}

func ExampleCauses() {
	p := gopter.DefaultGenParameters().CloneWithSeed(3)
	causes := gen.Causes[string](gg.Const("oops"), gen.Options{Depth: 1, Defects: gg.Const("bug")})
	for range 3 {
		c, _ := causes(p).Retrieve()
		fmt.Println(c.(effect.Cause[string]).Kind())
	}
	// The same seed gives the same causes:
	// Output:
	// Interrupt
	// Then
	// Fail
}

func ExampleSchedules() {
	p := gopter.DefaultGenParameters().CloneWithSeed(1)
	s, _ := gen.Schedules()(p).Retrieve()
	fmt.Println(s.(gen.Schedule).Desc != "")
	// Output: true
}
