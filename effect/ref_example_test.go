package effect_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleNewRef() {
	// A Ref is a value that fibers share; each update is atomic.
	hits := effect.NewRef(0)
	hit := effect.Sync[any, error](func() int { return hits.Update(func(n int) int { return n + 1 }) })
	_, _ = effect.Run(context.Background(), effect.All(make100(hit), effect.Par{Limit: 10}), nil)
	fmt.Println(hits.Get())
	// Output: 100
}

// make100 returns e a hundred times.
func make100[A any](e Eff[A]) []Eff[A] {
	effs := make([]Eff[A], 100)
	for i := range effs {
		effs[i] = e
	}
	return effs
}

func ExampleRef_Modify() {
	// Modify returns a result computed from the old value and sets the new
	// one, atomically: here, take a ticket and advance the counter.
	next := effect.NewRef(7)
	ticket := next.Modify(func(n int) (string, int) { return fmt.Sprintf("ticket #%d", n), n + 1 })
	fmt.Println(ticket, next.Get())
	// Output: ticket #7 8
}

func ExampleRef_Swap() {
	buffer := effect.NewRef([]string{"a", "b"})
	flushed := buffer.Swap(nil)
	fmt.Println(flushed, len(buffer.Get()))
	// Output: [a b] 0
}
