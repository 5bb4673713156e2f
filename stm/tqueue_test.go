package stm

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

func commit[A any](t testing.TB, fn func(*Tx) A) A {
	t.Helper()
	a, err := effect.Run(context.Background(), Atomically[any](fn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTQueueFIFOAndBounds(t *testing.T) {
	q := NewTQueue[int](3)
	got := commit(t, func(tx *Tx) []int {
		q.Offer(tx, 1)
		q.Offer(tx, 2)
		if !q.TryOffer(tx, 3) || q.TryOffer(tx, 4) {
			t.Error("TryOffer: want room for 3, not for 4")
		}
		if q.Size(tx) != 3 || q.Peek(tx) != 1 {
			t.Errorf("size %d, peek %d", q.Size(tx), q.Peek(tx))
		}
		first := q.Take(tx)
		q.Offer(tx, 5) // wraps around the ring
		return append([]int{first}, q.TakeAll(tx)...)
	})
	if !slices.Equal(got, []int{1, 2, 3, 5}) || q.Capacity() != 3 {
		t.Fatalf("got %v, want [1 2 3 5]", got)
	}
	if ok := commit(t, func(tx *Tx) bool { _, ok := q.TryTake(tx); return ok }); ok {
		t.Fatal("TryTake on an empty queue took something")
	}
}

func TestTQueueSlidingAndUpTo(t *testing.T) {
	q := NewTQueue[string](2)
	got := commit(t, func(tx *Tx) []string {
		for _, s := range []string{"a", "b", "c", "d"} {
			if !q.TryOffer(tx, s) {
				q.Take(tx)
				q.Offer(tx, s)
			}
		}
		return q.TakeUpTo(tx, 5)
	})
	if !slices.Equal(got, []string{"c", "d"}) {
		t.Fatalf("sliding: %v, want [c d]", got)
	}
}

func TestTQueueOfferWaitsForRoomTakeForItems(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		q := NewTQueue[int](1)
		commit(t, func(tx *Tx) int { q.Offer(tx, 1); return 0 })
		off := rt.Start(context.Background(), Atomically[any](func(tx *Tx) int { q.Offer(tx, 2); return 0 }), nil)
		effecttest.WaitIdle()
		if _, done := off.Poll(); done {
			t.Fatal("an offer to a full queue did not wait")
		}
		if got := commit(t, q.Take); got != 1 {
			t.Fatalf("took %d", got)
		}
		if _, err := off.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := commit(t, q.Take); got != 2 {
			t.Fatalf("took %d", got)
		}
		take := rt.Start(context.Background(), Atomically[any](q.Take), nil)
		effecttest.Advance(time.Hour)
		if _, done := take.Poll(); done {
			t.Fatal("a take from an empty queue did not wait")
		}
		commit(t, func(tx *Tx) int { q.Offer(tx, 3); return 0 })
		x, _ := take.Wait(context.Background())
		effecttest.AssertSucceeds(t, x, 3)
	})
}

func TestTQueueOrElseTakesFromWhicheverHasItems(t *testing.T) {
	urgent, normal := NewTQueue[string](4), NewTQueue[string](4)
	commit(t, func(tx *Tx) int { normal.Offer(tx, "n1"); urgent.Offer(tx, "u1"); normal.Offer(tx, "n2"); return 0 })
	next := OrElse(urgent.Take, normal.Take)
	var got []string
	for range 3 {
		got = append(got, commit(t, next))
	}
	if !slices.Equal(got, []string{"u1", "n1", "n2"}) {
		t.Fatalf("got %v", got)
	}
}

func TestTQueueRejectsZeroCapacity(t *testing.T) {
	defer func() {
		if r := recover(); r != "stm.NewTQueue: capacity must be > 0, got 0" {
			t.Fatalf("panic %v", r)
		}
	}()
	NewTQueue[int](0)
}

// TestPropertyTQueueModel: random offers and takes (TryOffer, TryTake, in
// transactions of a few operations each) behave as a slice of at most
// capacity items.
func TestPropertyTQueueModel(t *testing.T) {
	props := gopter.NewProperties(nil)
	props.Property("queue = bounded slice", prop.ForAll(func(capacity int, ops []int) string {
		q := NewTQueue[int](capacity)
		var model []int
		for i, op := range ops {
			got := commit(t, func(tx *Tx) string {
				if op >= 0 {
					return fmt.Sprint(q.TryOffer(tx, op), q.Size(tx))
				}
				v, ok := q.TryTake(tx)
				return fmt.Sprint(v, ok, q.Size(tx))
			})
			var want string
			if op >= 0 {
				ok := len(model) < capacity
				if ok {
					model = append(model, op)
				}
				want = fmt.Sprint(ok, len(model))
			} else if len(model) == 0 {
				want = fmt.Sprint(0, false, 0)
			} else {
				v := model[0]
				model = model[1:]
				want = fmt.Sprint(v, true, len(model))
			}
			if got != want {
				return fmt.Sprintf("op %d (%d): got %s, want %s", i, op, got, want)
			}
		}
		return ""
	}, gen.IntRange(1, 5), gen.SliceOf(gen.IntRange(-3, 9))))
	props.TestingRun(t)
}

// TestTQueueConcurrentExactlyOnce: producers and consumers on a small queue;
// every item is taken exactly once, and everyone ends (no lost wakeup).
func TestTQueueConcurrentExactlyOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const producers, per = 6, 40
		q := NewTQueue[int](3)
		var mu sync.Mutex
		var taken []int
		var items []eff[int]
		for p := range producers {
			items = append(items, effect.Void(effect.ForEach(seq(p*per, per), func(v int) eff[int] {
				return Atomically[any](func(tx *Tx) int { q.Offer(tx, v); return v })
			})).As(0))
			items = append(items, effect.Void(effect.ForEach(seq(0, per), func(int) eff[int] {
				return Atomically[any](q.Take).Map(func(v int) int { mu.Lock(); taken = append(taken, v); mu.Unlock(); return v })
			})).As(0))
		}
		if _, err := effect.Run(context.Background(), effect.All(items, effect.Par{}), nil); err != nil {
			t.Fatal(err)
		}
		slices.Sort(taken)
		if !slices.Equal(taken, seq(0, producers*per)) {
			t.Fatalf("taken %d items, not each once", len(taken))
		}
	})
}

func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

// TestSweepTQueueTake interrupts a take that waits on an empty queue at each
// of its steps: an interrupted take removes nothing and leaves no waiter.
func TestSweepTQueueTake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		owner := effect.NewRuntime()
		defer func() { _ = owner.Shutdown(context.Background()) }()
		var (
			q      *TQueue[int]
			helper *effect.Fiber[error, int]
		)
		mk := func() eff[int] {
			q = NewTQueue[int](2)
			qq := q
			helper = owner.Start(context.Background(), effect.AndThen(effect.Sleep[any, error](time.Millisecond),
				Atomically[any](func(tx *Tx) int { qq.Offer(tx, 7); return 7 })), nil)
			return Atomically[any](qq.Take)
		}
		steps := effecttest.SweepInterrupts(t, mk, func(t testing.TB, step int, x effect.Exit[error, int]) {
			<-helper.Done()
			want := 1
			if x.IsSuccess() {
				want = 0
			}
			size := commit(t, q.Size)
			if size != want || waiters(&q.head.tbase)+waiters(&q.tail.tbase) != 0 {
				t.Fatalf("step %d (%v): size %d (want %d), waiters left", step, x, size, want)
			}
		})
		if steps < 3 {
			t.Fatalf("swept only %d steps", steps)
		}
	})
}
