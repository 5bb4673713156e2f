package stm_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/gogoscope/gogoscope/stm"
)

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
