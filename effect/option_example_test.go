package effect_test

import (
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleSome() {
	found := effect.Some("ann")
	missing := effect.None[string]()
	for _, o := range []effect.Option[string]{found, missing} {
		if v, ok := o.Get(); ok {
			fmt.Println("found", v)
		} else {
			fmt.Println("missing")
		}
	}
	// Output:
	// found ann
	// missing
}
