package effect_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleEffect_Race() {
	// The first success wins; a failure waits for the other side.
	broken := effect.Fail[any, string](errors.New("mirror A down"))
	slower := effect.Sleep[any, error](10 * time.Millisecond).As("mirror B")
	fmt.Println(effect.Run(context.Background(), broken.Race(slower), nil))
	// Output: mirror B <nil>
}

func ExampleRaceFirst() {
	// The first to end wins, success or failure.
	broken := effect.Fail[any, string](errors.New("mirror A down"))
	slower := effect.Sleep[any, error](time.Hour).As("mirror B")
	_, err := effect.Run(context.Background(), effect.RaceFirst(broken, slower), nil)
	fmt.Println(err)
	// Output: mirror A down
}

func ExampleRaceAll() {
	mirror := func(name string, d time.Duration) Eff[string] { return effect.Sleep[any, error](d).As(name) }
	fastest := effect.RaceAll([]Eff[string]{
		mirror("eu", time.Hour),
		mirror("us", 5*time.Millisecond),
		mirror("asia", time.Hour),
	})
	fmt.Println(effect.Run(context.Background(), fastest, nil)) // the losers are interrupted and awaited
	// Output: us <nil>
}
