package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/resource"
)

func Example_debounceBursts() {
	saves := 0
	save := func(doc string) eff.Effect[string] {
		return eff.Sync(func() string { saves++; return "saved " + doc })
	}
	// A burst of edits, each less than 200ms after the previous one, is
	// saved once, 200ms after the last; every caller gets that save's
	// result.
	prog := resource.Debounce(save, resource.DebounceOptions{Wait: 200 * time.Millisecond}).
		FlatMap(func(debounced func(string) eff.Effect[string]) eff.Effect[[]string] {
			edit := func(i int) eff.Effect[string] {
				return eff.Sleep(time.Duration(i) * 10 * time.Millisecond).AndThen(debounced(fmt.Sprint("draft ", i)))
			}
			return eff.ForEachPar([]int{0, 1, 2}, edit, eff.Par{})
		})
	results, err := eff.Run(context.Background(), prog.Scoped())
	fmt.Println("saves:", saves, "- the callers got one result:", results[0] == results[1] && results[1] == results[2], err)
	// Output: saves: 1 - the callers got one result: true <nil>
}
