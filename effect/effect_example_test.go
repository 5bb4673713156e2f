package effect_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleSucceed() {
	answer := effect.Succeed[any, error](42)
	fmt.Println(effect.Run(context.Background(), answer, nil))
	// Output: 42 <nil>
}

func ExampleFail() {
	errNotFound := errors.New("user not found")
	lookup := effect.Fail[any, string](errNotFound)
	_, err := effect.Run(context.Background(), lookup, nil)
	fmt.Println(err, errors.Is(err, errNotFound))
	// Output: user not found true
}

func ExampleFail_typed() {
	// E need not be error: a closed set of domain failures, matched at the edge.
	type PaymentError int
	const CardDeclined PaymentError = 1
	charge := effect.Fail[any, string](CardDeclined)
	x := effect.RunExit(context.Background(), charge, nil)
	failure, ok := x.Cause().Failure()
	fmt.Println(ok, failure == CardDeclined)
	// Output: true true
}

func ExampleDie() {
	broken := effect.Die[any, error, int]("invariant broken")
	_, err := effect.Run(context.Background(), broken, nil)
	var d *effect.Defect
	fmt.Println(errors.As(err, &d), d.Value)
	// Output: true invariant broken
}

func ExampleSync() {
	calls := 0
	count := effect.Sync[any, error](func() int { calls++; return calls })
	// Building runs nothing; each run runs fn again.
	fmt.Println(calls)
	_, _ = effect.Run(context.Background(), count, nil)
	v, _ := effect.Run(context.Background(), count, nil)
	fmt.Println(v)
	// Output:
	// 0
	// 2
}

func ExampleSuspend() {
	// Suspend builds the effect when it runs: the choice below is made anew
	// at each run.
	attempts := 0
	flaky := effect.Suspend(func() Eff[string] {
		if attempts++; attempts < 2 {
			return effect.Fail[any, string](errors.New("not yet"))
		}
		return effect.Succeed[any, error]("ready")
	})
	_, err := effect.Run(context.Background(), flaky, nil)
	fmt.Println(err)
	fmt.Println(effect.Run(context.Background(), flaky, nil))
	// Output:
	// not yet
	// ready <nil>
}

func ExampleFromResult() {
	port := func(s string) Eff[int] { return effect.FromResult[any](strconv.Atoi(s)) }
	fmt.Println(effect.Run(context.Background(), port("8080"), nil))
	_, err := effect.Run(context.Background(), port("http"), nil)
	fmt.Println(err)
	// Output:
	// 8080 <nil>
	// strconv.Atoi: parsing "http": invalid syntax
}

func ExampleFromExit() {
	x := effect.RunExit(context.Background(), effect.Succeed[any, error]("kept"), nil)
	replay := effect.FromExit[any](x) // an outcome back into an effect
	fmt.Println(effect.Run(context.Background(), replay, nil))
	// Output: kept <nil>
}

func ExampleUnit() {
	noop := effect.Unit[any, error]()
	fmt.Println(effect.Run(context.Background(), noop, nil))
	// Output: {} <nil>
}
