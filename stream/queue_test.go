package stream

import (
	"slices"
	"testing"
	"testing/synctest"

	"github.com/gogoscope/gogoscope/effect"
)

func drainQueue[A any](q *Queue[A]) []A {
	var out []A
	for {
		a, ok := q.TryTake()
		if !ok {
			return out
		}
		out = append(out, a)
	}
}

func TestQueueStrategies(t *testing.T) {
	tests := []struct {
		name     string
		q        *Queue[int]
		accepted []bool
		want     []int
		dropped  uint64
	}{
		{"dropping", NewQueue[int](2, Dropping), []bool{true, true, false, false}, []int{1, 2}, 2},
		{"sliding", NewQueue[int](2, Sliding), []bool{true, true, true, true}, []int{3, 4}, 2},
		{"unbounded", NewUnboundedQueue[int](), []bool{true, true, true, true}, []int{1, 2, 3, 4}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []bool
			for i := 1; i <= 4; i++ {
				got = append(got, run(t, tt.q.Offer[any, error](i)))
			}
			if !slices.Equal(got, tt.accepted) {
				t.Fatalf("Offer results: got %v want %v", got, tt.accepted)
			}
			if q := drainQueue(tt.q); !slices.Equal(q, tt.want) {
				t.Fatalf("contents: got %v want %v", q, tt.want)
			}
			if tt.q.Dropped() != tt.dropped {
				t.Fatalf("Dropped: got %d want %d", tt.q.Dropped(), tt.dropped)
			}
		})
	}
}

func TestQueueOfferAllStrategies(t *testing.T) {
	tests := []struct {
		name    string
		q       *Queue[int]
		n       int
		want    []int
		dropped uint64
	}{
		{"dropping", NewQueue[int](3, Dropping), 3, []int{1, 2, 3}, 3},
		{"sliding", NewQueue[int](3, Sliding), 6, []int{4, 5, 6}, 3},
		{"sliding more than capacity at once", NewQueue[int](2, Sliding), 6, []int{5, 6}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := run(t, tt.q.OfferAll[any, error]([]int{1, 2, 3, 4, 5, 6})); n != tt.n {
				t.Fatalf("OfferAll: got %d want %d", n, tt.n)
			}
			if q := drainQueue(tt.q); !slices.Equal(q, tt.want) {
				t.Fatalf("contents: got %v want %v", q, tt.want)
			}
			if tt.q.Dropped() != tt.dropped {
				t.Fatalf("Dropped: got %d want %d", tt.q.Dropped(), tt.dropped)
			}
		})
	}
}

func TestQueueBackPressureOfferAllWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := NewQueue[int](2, BackPressure)
		rt := effect.NewRuntime()
		fb := start(rt, q.OfferAll[any, error]([]int{1, 2, 3, 4, 5}))
		synctest.Wait()
		if q.Len() != 2 {
			t.Fatalf("Len: got %d want 2", q.Len())
		}
		var got []int
		for len(got) < 5 {
			got = append(got, run(t, q.TakeUpTo[any, error](10))...)
			synctest.Wait()
		}
		if !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
			t.Fatalf("got %v want [1..5]", got)
		}
		if ex := wait(t, fb); ex.String() != "Success(5)" {
			t.Fatalf("OfferAll: got %v want Success(5)", ex)
		}
	})
}

func TestQueueTakeWaitsAndClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := NewQueue[string](4, BackPressure)
		rt := effect.NewRuntime()
		taker := start(rt, q.Take[any, error]())
		synctest.Wait()
		batch := start(rt, q.TakeUpTo[any, error](3))
		synctest.Wait()
		if !q.TryOffer("a") {
			t.Fatal("TryOffer failed on an empty queue")
		}
		synctest.Wait()
		q.Close()
		first, second := wait(t, taker), wait(t, batch)
		// The first parked taker gets "a"; the other is woken by Close.
		if first.String() != "Success({a true})" || second.String() != "Success([])" {
			t.Fatalf("got %v and %v, want a and closed", first, second)
		}
		if q.TryOffer("b") || !q.IsClosed() {
			t.Fatal("TryOffer after Close succeeded")
		}
		if q.Cap() != 4 || NewUnboundedQueue[int]().Cap() != -1 {
			t.Fatal("Cap is wrong")
		}
	})
}

func TestRingWrapsAndGrows(t *testing.T) {
	var r ring[int]
	var want []int
	next := 0
	for round := range 50 {
		for range round % 7 {
			r.push(next, -1)
			want = append(want, next)
			next++
		}
		k := round % 5
		got := r.popN(k)
		if !slices.Equal(got, want[:min(k, len(want))]) {
			t.Fatalf("round %d: got %v want %v", round, got, want[:min(k, len(want))])
		}
		want = want[len(got):]
	}
	r.pushAll([]int{100, 101, 102}, 8)
	want = append(want, 100, 101, 102)
	if got := r.popN(1000); !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}
