package stm_test

import (
	"context"
	"fmt"
	"maps"
	"slices"

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

func ExampleNewTMap() {
	stock := stm.NewTMap[string, int]()
	run(func(tx *stm.Tx) int { stock.Put(tx, "apple", 3); stock.Put(tx, "pear", 1); return 0 })
	// Move a pear into the basket only if there is one, atomically.
	basket := stm.NewTQueue[string](10)
	run(func(tx *stm.Tx) int {
		n, _ := stock.Get(tx, "pear")
		tx.Check(n > 0)
		stock.Put(tx, "pear", n-1)
		basket.Offer(tx, "pear")
		return 0
	})
	fmt.Println(run(func(tx *stm.Tx) map[string]int { return maps.Collect(stock.All(tx)) }), run(basket.Size))
	// Output: map[apple:3 pear:0] 1
}

func ExampleTMap_Update() {
	counts := stm.NewTMap[string, int]()
	for _, w := range []string{"a", "b", "a"} {
		run(func(tx *stm.Tx) int {
			n, _ := counts.Update(tx, w, func(n int, _ bool) (int, bool) { return n + 1, true })
			return n
		})
	}
	fmt.Println(run(func(tx *stm.Tx) string {
		a, _ := counts.Get(tx, "a")
		return fmt.Sprint(a, counts.Has(tx, "b"), counts.Size(tx))
	}))
	// Output: 2 true 2
}

func ExampleTMap_Delete() {
	m := stm.NewTMap[int, string]()
	fmt.Println(run(func(tx *stm.Tx) [2]bool {
		m.Put(tx, 1, "one")
		return [2]bool{m.Delete(tx, 1), m.Delete(tx, 1)}
	}))
	// Output: [true false]
}

func ExampleTMap_All() {
	m := stm.NewTMap[string, int]()
	keys := run(func(tx *stm.Tx) []string {
		m.Put(tx, "x", 1)
		m.Put(tx, "y", 2)
		return slices.Sorted(maps.Keys(maps.Collect(m.All(tx))))
	})
	fmt.Println(keys)
	// Output: [x y]
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

func ExampleTMap_Get() {
	m := stm.NewTMap[string, int]()
	fmt.Println(run(func(tx *stm.Tx) string {
		m.Put(tx, "a", 1)
		v, ok := m.Get(tx, "a")
		w, found := m.Get(tx, "b")
		return fmt.Sprint(v, ok, w, found)
	}))
	// Output: 1 true 0 false
}

func ExampleTMap_Put() {
	m := stm.NewTMap[string, string]()
	run(func(tx *stm.Tx) int { m.Put(tx, "k", "v1"); m.Put(tx, "k", "v2"); return 0 })
	fmt.Println(run(func(tx *stm.Tx) string { v, _ := m.Get(tx, "k"); return v }))
	// Output: v2
}

func ExampleTMap_Has() {
	m := stm.NewTMap[int, bool]()
	fmt.Println(run(func(tx *stm.Tx) [2]bool { m.Put(tx, 1, false); return [2]bool{m.Has(tx, 1), m.Has(tx, 2)} }))
	// Output: [true false]
}

func ExampleTMap_Size() {
	m := stm.NewTMap[int, int]()
	fmt.Println(run(func(tx *stm.Tx) int {
		for i := range 100 {
			m.Put(tx, i, i*i)
		}
		m.Delete(tx, 7)
		return m.Size(tx)
	}))
	// Output: 99
}
