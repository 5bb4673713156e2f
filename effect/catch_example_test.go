package effect_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

var errNotFound = errors.New("not found")

func ExampleCatch() {
	// Catch can change the failure type: here from error to a domain code.
	type Code int
	find := effect.Fail[any, string](errNotFound)
	coded := effect.Catch(find, func(err error) effect.Effect[any, Code, string] {
		if errors.Is(err, errNotFound) {
			return effect.Fail[any, string](Code(404))
		}
		return effect.Fail[any, string](Code(500))
	})
	x := effect.RunExit(context.Background(), coded, nil)
	code, _ := x.Cause().Failure()
	fmt.Println(code)
	// Output: 404
}

func ExampleEffect_CatchIf() {
	errBusy := errors.New("busy")
	recoverBusy := func(e Eff[string]) Eff[string] {
		return e.CatchIf(func(err error) bool { return errors.Is(err, errBusy) },
			func(error) Eff[string] { return effect.Succeed[any, error]("served from cache") })
	}
	fmt.Println(effect.Run(context.Background(), recoverBusy(effect.Fail[any, string](errBusy)), nil))
	_, err := effect.Run(context.Background(), recoverBusy(effect.Fail[any, string](errNotFound)), nil)
	fmt.Println(err) // other failures pass through
	// Output:
	// served from cache <nil>
	// not found
}

func ExampleEffect_CatchCause() {
	// CatchCause sees everything: failures, defects, interruptions.
	panicky := effect.Sync[any, error](func() string { panic("nil map") })
	safe := panicky.CatchCause(func(c effect.Cause[error]) Eff[string] {
		return effect.Succeed[any, error](fmt.Sprintf("recovered from a %v", c.Kind()))
	})
	fmt.Println(effect.Run(context.Background(), safe, nil))
	// Output: recovered from a Die <nil>
}

func ExampleEffect_MapError() {
	load := effect.Fail[any, []byte](errNotFound).
		MapError(func(err error) error { return fmt.Errorf("load config: %w", err) })
	_, err := effect.Run(context.Background(), load, nil)
	fmt.Println(err, errors.Is(err, errNotFound))
	// Output: load config: not found true
}

func ExampleEffect_OrElse() {
	primary := effect.Fail[any, string](errors.New("primary down"))
	replica := effect.Succeed[any, error]("from the replica")
	fmt.Println(effect.Run(context.Background(), primary.OrElse(replica), nil))
	// Output: from the replica <nil>
}

func ExampleEffect_OrDie() {
	// A failure the program cannot handle becomes a defect, with its stack.
	mustLoad := effect.Fail[any, string](errors.New("missing config")).OrDie()
	x := effect.RunExit(context.Background(), mustLoad, nil)
	fmt.Println(x.Cause().Kind())
	// Output: Die
}

func ExampleEffect_Match() {
	status := func(e Eff[int]) Eff[string] {
		return e.Match(
			func(err error) string { return "failed: " + err.Error() },
			func(n int) string { return fmt.Sprint("ok: ", n) })
	}
	fmt.Println(effect.Run(context.Background(), status(effect.Succeed[any, error](3)), nil))
	fmt.Println(effect.Run(context.Background(), status(effect.Fail[any, int](errNotFound)), nil))
	// Output:
	// ok: 3 <nil>
	// failed: not found <nil>
}

func ExampleEffect_MatchEffect() {
	fetch := effect.Fail[any, string](errNotFound)
	logged := fetch.MatchEffect(
		func(err error) Eff[string] {
			return effect.Sync[any, error](func() string { fmt.Println("log:", err); return "fallback" })
		},
		func(s string) Eff[string] { return effect.Succeed[any, error](s) })
	fmt.Println(effect.Run(context.Background(), logged, nil))
	// Output:
	// log: not found
	// fallback <nil>
}

func ExampleToExit() {
	// ToExit turns the outcome into a value the program can inspect.
	x, err := effect.Run(context.Background(), effect.ToExit(effect.Fail[any, int](errNotFound)), nil)
	fmt.Println(err, x.IsFailure(), x.Err())
	// Output: <nil> true not found
}
