package stm_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stm"
)

func run[A any](fn func(*stm.Tx) A) A {
	a, err := effect.Run(context.Background(), stm.Atomically[any](fn), nil)
	if err != nil {
		panic(err)
	}
	return a
}

func ExampleNewTQueue() {
	jobs := stm.NewTQueue[string](2)
	// A producer of three jobs waits for room; a consumer takes them.
	produce := effect.ForEach([]string{"a", "b", "c"}, func(j string) Eff[struct{}] {
		return stm.Atomically[any](func(tx *stm.Tx) struct{} { jobs.Offer(tx, j); return struct{}{} })
	})
	consume := effect.ForEach([]int{1, 2, 3}, func(int) Eff[string] { return stm.Atomically[any](jobs.Take) })
	prog := effect.FlatMap(effect.Fork(produce), func(*effect.Fiber[error, []struct{}]) Eff[[]string] { return consume })
	got, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(got, err, jobs.Capacity())
	// Output: [a b c] <nil> 2
}

func ExampleTQueue_Offer() {
	q := stm.NewTQueue[int](3)
	n := run(func(tx *stm.Tx) int { q.Offer(tx, 1); q.Offer(tx, 2); return q.Size(tx) })
	fmt.Println(n)
	// Output: 2
}

func ExampleTQueue_TryOffer() {
	q := stm.NewTQueue[int](1)
	fmt.Println(run(func(tx *stm.Tx) [2]bool { return [2]bool{q.TryOffer(tx, 1), q.TryOffer(tx, 2)} }))
	// Output: [true false]
}

func ExampleTQueue_Take() {
	urgent, normal := stm.NewTQueue[string](4), stm.NewTQueue[string](4)
	run(func(tx *stm.Tx) int { normal.Offer(tx, "report"); urgent.Offer(tx, "page"); return 0 })
	// Take from the urgent queue first, else from the normal one.
	next := stm.OrElse(urgent.Take, normal.Take)
	fmt.Println(run(next), run(next))
	// Output: page report
}

func ExampleTQueue_TryTake() {
	q := stm.NewTQueue[int](2)
	fmt.Println(run(func(tx *stm.Tx) string {
		q.Offer(tx, 7)
		v, ok := q.TryTake(tx)
		w, more := q.TryTake(tx)
		return fmt.Sprint(v, ok, w, more)
	}))
	// Output: 7 true 0 false
}

func ExampleTQueue_Peek() {
	q := stm.NewTQueue[string](2)
	fmt.Println(run(func(tx *stm.Tx) string { q.Offer(tx, "first"); return q.Peek(tx) }), run(q.Size))
	// Output: first 1
}

func ExampleTQueue_TakeUpTo() {
	q := stm.NewTQueue[int](8)
	fmt.Println(run(func(tx *stm.Tx) []int {
		for i := range 5 {
			q.Offer(tx, i)
		}
		return q.TakeUpTo(tx, 3)
	}), run(q.TakeAll))
	// Output: [0 1 2] [3 4]
}

func ExampleTQueue_Size() {
	q := stm.NewTQueue[int](4)
	fmt.Println(run(func(tx *stm.Tx) int { q.Offer(tx, 1); q.Offer(tx, 2); return q.Size(tx) }), q.Capacity())
	// Output: 2 4
}

func ExampleTQueue_Capacity() {
	fmt.Println(stm.NewTQueue[string](16).Capacity())
	// Output: 16
}

func ExampleTQueue_TakeAll() {
	q := stm.NewTQueue[string](4)
	fmt.Println(run(func(tx *stm.Tx) []string { q.Offer(tx, "a"); q.Offer(tx, "b"); return q.TakeAll(tx) }), run(q.Size))
	// Output: [a b] 0
}
