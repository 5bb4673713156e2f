package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

func Example_firstTwoAnswers() {
	// Four replicas: two answer, one fails, one hangs.
	replica := func(name string, d time.Duration, err error) eff.Effect[string] {
		return eff.Sleep(d).AndThen(eff.FromResult(name, err)).
			OnInterrupt(func(error) eff.Effect[struct{}] {
				fmt.Println(name, "interrupted")
				return eff.Unit()
			})
	}
	calls := []eff.Effect[string]{
		replica("eu", 10*time.Millisecond, nil),
		replica("us", time.Hour, nil),
		replica("asia", time.Millisecond, errors.New("asia: unavailable")),
		replica("ap", 30*time.Millisecond, nil),
	}
	// Each call is a stream of at most one answer; a failure answers
	// nothing. Merge runs them at once; Take(2) stops at the second answer
	// and interrupts the calls still running.
	answers := make([]stream.Stream[any, error, string], len(calls))
	for i, c := range calls {
		answers[i] = stream.FromEffect(c).Catch(func(error) stream.Stream[any, error, string] {
			return stream.Empty[any, error, string]()
		})
	}
	first2, err := eff.Run(context.Background(), stream.Merge(answers...).Take(2).Collect())
	slices.Sort(first2)
	fmt.Println(first2, err)
	// Output:
	// us interrupted
	// [ap eu] <nil>
}
