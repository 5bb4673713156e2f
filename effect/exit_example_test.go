package effect_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleExit() {
	ok := effect.RunExit(context.Background(), effect.Succeed[any, error](1), nil)
	failed := effect.RunExit(context.Background(), effect.Fail[any, int](errNotFound), nil)
	for _, x := range []effect.Exit[error, int]{ok, failed} {
		v, err := x.Get() // what Run returns
		fmt.Println(x.IsSuccess(), v, err)
	}
	// Output:
	// true 1 <nil>
	// false 0 not found
}

func ExampleSucceeded() {
	// Exits made by hand: to complete a Deferred, or to resume an Async.
	fmt.Println(effect.Succeeded[error](5))
	fmt.Println(effect.FailedWith[error, int](effect.CauseFail(errNotFound)))
	// Output:
	// Success(5)
	// Failure(not found)
}
