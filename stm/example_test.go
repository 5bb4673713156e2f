package stm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stm"
)

// Eff is the effect shape of the examples: no environment, error failures.
type Eff[A any] = effect.Effect[any, error, A]

var ErrInsufficientFunds = errors.New("insufficient funds")

// transfer moves n from one account to another, or fails with nothing
// moved.
func transfer(from, to *stm.TRef[int], n int) Eff[struct{}] {
	return stm.Atomically[any](func(tx *stm.Tx) struct{} {
		bal := from.Get(tx)
		if bal < n {
			tx.Fail(ErrInsufficientFunds)
		}
		from.Set(tx, bal-n)
		to.Update(tx, func(b int) int { return b + n })
		return struct{}{}
	})
}

func ExampleAtomically() {
	alice, bob := stm.NewTRef(100), stm.NewTRef(0)
	ctx := context.Background()
	_, err := effect.Run(ctx, transfer(alice, bob, 30), nil)
	fmt.Println(alice.Load(), bob.Load(), err)
	_, err = effect.Run(ctx, transfer(alice, bob, 500), nil)
	fmt.Println(alice.Load(), bob.Load(), err)
	// Output:
	// 70 30 <nil>
	// 70 30 insufficient funds
}

func ExampleNewTRef() {
	hits := stm.NewTRef(0)
	incr := stm.Atomically[any](func(tx *stm.Tx) int { return hits.Update(tx, func(n int) int { return n + 1 }) })
	all := effect.All([]Eff[int]{incr, incr, incr}, effect.Par{})
	_, err := effect.Run(context.Background(), all, nil)
	fmt.Println(hits.Load(), err)
	// Output: 3 <nil>
}

func ExampleTRef_Get() {
	x, y := stm.NewTRef(1), stm.NewTRef(2)
	// Two reads in one transaction are a consistent snapshot.
	sum := stm.Atomically[any](func(tx *stm.Tx) int { return x.Get(tx) + y.Get(tx) })
	v, _ := effect.Run(context.Background(), sum, nil)
	fmt.Println(v)
	// Output: 3
}

func ExampleTRef_Set() {
	name := stm.NewTRef("draft")
	_, _ = effect.Run(context.Background(), stm.Atomically[any](func(tx *stm.Tx) string {
		name.Set(tx, "final")
		return name.Get(tx) // the transaction sees its own write
	}), nil)
	fmt.Println(name.Load())
	// Output: final
}

func ExampleTRef_Update() {
	r := stm.NewTRef(20)
	v, _ := effect.Run(context.Background(), stm.Atomically[any](func(tx *stm.Tx) int {
		return r.Update(tx, func(n int) int { return n * 2 })
	}), nil)
	fmt.Println(v, r.Load())
	// Output: 40 40
}

func ExampleTRef_Swap() {
	r := stm.NewTRef("old")
	v, _ := effect.Run(context.Background(), stm.Atomically[any](func(tx *stm.Tx) string { return r.Swap(tx, "new") }), nil)
	fmt.Println(v, r.Load())
	// Output: old new
}

func ExampleTRef_Modify() {
	stock := stm.NewTRef(5)
	// Take up to 3 items; return how many were taken.
	took, _ := effect.Run(context.Background(), stm.Atomically[any](func(tx *stm.Tx) int {
		return stock.Modify[int](tx, func(n int) (int, int) { k := min(n, 3); return k, n - k })
	}), nil)
	fmt.Println(took, stock.Load())
	// Output: 3 2
}

func ExampleTRef_Load() {
	r := stm.NewTRef(42)
	fmt.Println(r.Load()) // the last committed value, outside any transaction
	// Output: 42
}

func ExampleTx_Retry() {
	ready := stm.NewTRef(false)
	wait := stm.Atomically[any](func(tx *stm.Tx) string {
		if !ready.Get(tx) {
			tx.Retry() // wait until a commit changes ready, then run again
		}
		return "ready"
	})
	set := stm.Atomically[any](func(tx *stm.Tx) struct{} { ready.Set(tx, true); return struct{}{} })
	prog := effect.FlatMap(effect.Fork(wait), func(fb *effect.Fiber[error, string]) Eff[string] {
		return effect.AndThen(set, fb.Join[any]())
	})
	v, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(v, err)
	// Output: ready <nil>
}

func ExampleTx_Check() {
	balance := stm.NewTRef(0)
	withdraw := stm.Atomically[any](func(tx *stm.Tx) int {
		b := balance.Get(tx)
		tx.Check(b >= 50) // wait for the funds
		balance.Set(tx, b-50)
		return b - 50
	})
	deposit := stm.Atomically[any](func(tx *stm.Tx) int { return balance.Update(tx, func(b int) int { return b + 30 }) })
	prog := effect.FlatMap(effect.Fork(withdraw), func(fb *effect.Fiber[error, int]) Eff[int] {
		return effect.AndThen(effect.AndThen(deposit, deposit), fb.Join[any]())
	})
	left, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(left, err)
	// Output: 10 <nil>
}

func ExampleTx_Fail() {
	seats := stm.NewTRef(1)
	book := stm.Atomically[any](func(tx *stm.Tx) int {
		n := seats.Get(tx)
		if n == 0 {
			tx.Fail(errors.New("sold out")) // nothing is committed
		}
		seats.Set(tx, n-1)
		return n - 1
	})
	ctx := context.Background()
	_, err1 := effect.Run(ctx, book, nil)
	_, err2 := effect.Run(ctx, book, nil)
	fmt.Println(err1, err2, seats.Load())
	// Output: <nil> sold out 0
}

func ExampleOrElse() {
	cache, db := stm.NewTRef(""), stm.NewTRef("from db")
	fromCache := func(tx *stm.Tx) string {
		v := cache.Get(tx)
		tx.Check(v != "")
		return v
	}
	fromDB := func(tx *stm.Tx) string { return db.Get(tx) }
	v, _ := effect.Run(context.Background(), stm.Atomically[any](stm.OrElse(fromCache, fromDB)), nil)
	fmt.Println(v)
	// Output: from db
}
