package resource_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

func ExampleDebounce() {
	// Autosave: a burst of edits runs one save, 100ms after the last edit,
	// and every edit's caller gets that save's result.
	var saves atomic.Int32
	save := func(text string) effect.Effect[any, error, string] {
		return effect.Sync[any, error](func() string {
			saves.Add(1)
			return "saved " + text
		})
	}
	prog := effect.Scoped(effect.FlatMap(resource.Debounce(save, resource.DebounceOptions{Wait: 100 * time.Millisecond}),
		func(autosave func(string) effect.Effect[any, error, string]) effect.Effect[any, error, []string] {
			edits := []string{"h", "he", "hel", "hell", "hello"}
			return effect.ForEachPar(edits, autosave, effect.Par{})
		}))
	results, err := effect.Run(context.Background(), prog, nil)
	fmt.Println("saves:", saves.Load(), err)
	fmt.Println("one result for all:", len(slices.Compact(results)) == 1)
	// Output:
	// saves: 1 <nil>
	// one result for all: true
}

func ExampleDebounce_leading() {
	// With the leading edge, the first call of a burst runs at once; the
	// calls that follow within the wait share its result.
	var runs atomic.Int32
	refresh := func(struct{}) effect.Effect[any, error, int32] {
		return effect.Sync[any, error](func() int32 { return runs.Add(1) })
	}
	opts := resource.DebounceOptions{Wait: 200 * time.Millisecond, Edges: resource.LeadingEdge}
	prog := effect.Scoped(effect.FlatMap(resource.Debounce(refresh, opts),
		func(refresh func(struct{}) effect.Effect[any, error, int32]) effect.Effect[any, error, []int32] {
			return effect.ForEach([]struct{}{{}, {}, {}}, refresh)
		}))
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: [1 1 1] <nil>
}
