package stm

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

type transfer struct{ From, To, Amount, Mode int }

var errFunds = errors.New("insufficient funds")

// move is one random transfer: Mode 0 fails when funds are short (nothing
// committed), 1 skips it through OrElse, 2 moves what there is.
func (tr transfer) move(accts []*TRef[int]) func(*Tx) int {
	from, to := accts[tr.From%len(accts)], accts[tr.To%len(accts)]
	exact := func(tx *Tx) int {
		bal := from.Get(tx)
		tx.Check(bal >= tr.Amount)
		from.Set(tx, bal-tr.Amount)
		to.Set(tx, to.Get(tx)+tr.Amount)
		return tr.Amount
	}
	switch tr.Mode % 3 {
	case 0:
		return OrElse(exact, func(tx *Tx) int { tx.Fail(errFunds); return 0 })
	case 1:
		return OrElse(exact, func(*Tx) int { return 0 })
	default:
		return func(tx *Tx) int {
			n := min(from.Get(tx), tr.Amount)
			from.Update(tx, func(v int) int { return v - n })
			to.Update(tx, func(v int) int { return v + n })
			return n
		}
	}
}

// TestPropertyBank: accounts moved between by random concurrent
// transactions keep their total and never go negative, and no transaction
// attempt, not even one later abandoned, sees a state where they do not.
func TestPropertyBank(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 60
	props := gopter.NewProperties(params)
	props.Property("total kept, never negative, every snapshot consistent", prop.ForAll(
		func(balances []int, transfers []transfer, workers int) string {
			accts := make([]*TRef[int], len(balances))
			total := 0
			for i, b := range balances {
				accts[i], total = NewTRef(b), total+b
			}
			var torn atomic.Int64
			audit := Atomically[any](func(tx *Tx) int {
				sum := 0
				for _, a := range accts {
					v := a.Get(tx)
					if v < 0 {
						torn.Add(1)
					}
					sum += v
				}
				if sum != total {
					torn.Add(1)
				}
				return sum
			})
			var stop atomic.Bool
			auditor := effect.Forever(effect.AndThen(audit, effect.Suspend(func() eff[int] {
				if stop.Load() {
					return effect.Fail[any, int](errStop)
				}
				return effect.Succeed[any, error](0)
			})))
			moves := effect.ForEachPar(transfers, func(tr transfer) eff[int] {
				return Atomically[any](tr.move(accts)).Catch(func(error) eff[int] { return effect.Succeed[any, error](0) })
			}, effect.Par{Limit: workers})
			prog := effect.FlatMap(effect.Fork(auditor), func(fb *effect.Fiber[error, int]) eff[[]int] {
				return moves.Ensuring(effect.AndThen(effect.Sync[any, error](func() bool { stop.Store(true); return true }), effect.Void(effect.Await[any](fb))))
			})
			if _, err := effect.Run(context.Background(), prog, nil); err != nil {
				return "run: " + err.Error()
			}
			sum := 0
			for _, a := range accts {
				if a.Load() < 0 {
					return fmt.Sprintf("negative balance %d", a.Load())
				}
				sum += a.Load()
			}
			if sum != total {
				return fmt.Sprintf("total %d, want %d", sum, total)
			}
			if n := torn.Load(); n > 0 {
				return fmt.Sprintf("%d inconsistent snapshots", n)
			}
			return ""
		},
		gen.SliceOfN(6, gen.IntRange(0, 100)).SuchThat(func(b []int) bool { return len(b) >= 2 }),
		gen.SliceOf(gen.Struct(reflectType[transfer](), map[string]gopter.Gen{
			"From": gen.IntRange(0, 5), "To": gen.IntRange(0, 5), "Amount": gen.IntRange(0, 120), "Mode": gen.IntRange(0, 2),
		})),
		gen.IntRange(1, 8),
	))
	props.TestingRun(t)
}

var errStop = errors.New("stop")

// TestNoLostWakeups: consumers wait (Retry) for funds that producers add
// in small steps; every consumer must get its share. A lost wakeup leaves a
// consumer blocked forever, which the synctest bubble reports as a deadlock.
func TestNoLostWakeups(t *testing.T) {
	for round := range 20 {
		synctest.Test(t, func(t *testing.T) {
			const consumers, need = 16, 5
			pot := NewTRef(0)
			var got atomic.Int64
			take := Atomically[any](func(tx *Tx) int {
				v := pot.Get(tx)
				tx.Check(v >= need)
				pot.Set(tx, v-need)
				return need
			}).Map(func(n int) int { got.Add(int64(n)); return n })
			give := Atomically[any](func(tx *Tx) int { return pot.Update(tx, func(v int) int { return v + 1 }) })
			var items []eff[int]
			for range consumers {
				items = append(items, take)
			}
			for range consumers * need {
				items = append(items, give)
			}
			if _, err := effect.Run(context.Background(), effect.All(items, effect.Par{}), nil); err != nil {
				t.Fatal(err)
			}
			if got.Load() != consumers*need || pot.Load() != 0 || waiters(&pot.tbase) != 0 {
				t.Fatalf("round %d: taken %d, pot %d, waiters %d", round, got.Load(), pot.Load(), waiters(&pot.tbase))
			}
		})
	}
}

// TestExclusiveAfterRepeatedConflicts: a transaction that conflicts on
// every attempt ends, its last attempt holding the commit lock.
func TestExclusiveAfterRepeatedConflicts(t *testing.T) {
	r, other := NewTRef(0), NewTRef(0)
	bump := Atomically[any](func(tx *Tx) int { return r.Update(tx, func(v int) int { return v + 1 }) })
	attempts, exclusive := 0, 0
	x := effecttest.Run(t, Atomically[any](func(tx *Tx) int {
		attempts++
		v := r.Get(tx)
		if tx.exclusive {
			exclusive++
		} else {
			// Another transaction commits r under this one's feet.
			if _, err := effect.Run(context.Background(), bump, nil); err != nil {
				t.Fatal(err)
			}
		}
		other.Set(tx, v)
		return v
	}))
	effecttest.AssertSucceeds(t, x, exclusiveAfter)
	if attempts != exclusiveAfter+1 || exclusive != 1 || other.Load() != exclusiveAfter {
		t.Fatalf("attempts %d, exclusive %d, other %d; want %d, 1, %d", attempts, exclusive, other.Load(), exclusiveAfter+1, exclusiveAfter)
	}
}

// TestSweepRetry interrupts a transaction blocked in Retry at each of its
// steps: it never commits when interrupted, commits exactly once when not,
// and leaves no registration on the TRefs it waited on.
func TestSweepRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		owner := effect.NewRuntime()
		defer func() { _ = owner.Shutdown(context.Background()) }()
		var (
			flag, count *TRef[int]
			helper      *effect.Fiber[error, struct{}]
		)
		mk := func() eff[int] {
			flag, count = NewTRef(0), NewTRef(0)
			f := flag
			helper = owner.Start(context.Background(), effect.AndThen(effect.Sleep[any, error](time.Millisecond),
				effect.Void(Atomically[any](func(tx *Tx) int { f.Set(tx, 1); return 1 }))), nil)
			c := count
			return Atomically[any](func(tx *Tx) int {
				tx.Check(f.Get(tx) > 0)
				return c.Update(tx, func(v int) int { return v + 1 })
			})
		}
		steps := effecttest.SweepInterrupts(t, mk, func(t testing.TB, step int, x effect.Exit[error, int]) {
			<-helper.Done()
			want := 0
			if x.IsSuccess() {
				want = 1
			}
			if count.Load() != want || waiters(&flag.tbase) != 0 || waiters(&count.tbase) != 0 {
				t.Fatalf("step %d (%v): count %d (want %d), waiters %d", step, x, count.Load(), want, waiters(&flag.tbase))
			}
		})
		if steps < 3 {
			t.Fatalf("swept only %d steps", steps)
		}
	})
}

// TestNoWriteSkew: the anomaly that snapshot isolation allows and
// serializability forbids. Two transactions each read x and y and, if
// their sum is 2, decrement a different one of them; run concurrently, at
// most one may decrement, so the sum never drops below 1.
func TestNoWriteSkew(t *testing.T) {
	for round := range 300 {
		x, y := NewTRef(1), NewTRef(1)
		var read atomic.Int32
		dec := func(r *TRef[int]) eff[bool] {
			return Atomically[any](func(tx *Tx) bool {
				sum := x.Get(tx) + y.Get(tx)
				// Both first attempts have read before either writes (a
				// bounded wait: the test forces the interleaving).
				read.Add(1)
				for i := 0; read.Load() < 2 && i < 1e5; i++ {
					runtime.Gosched()
				}
				if sum < 2 {
					return false
				}
				r.Set(tx, r.Get(tx)-1)
				return true
			})
		}
		got, err := effect.Run(context.Background(), effect.All([]eff[bool]{dec(x), dec(y)}, effect.Par{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		if x.Load()+y.Load() != 1 || got[0] == got[1] {
			t.Fatalf("round %d: x=%d y=%d, decremented %v: write skew", round, x.Load(), y.Load(), got)
		}
	}
}
