package stream

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// FilterMap keeps what f accepts, across chunk boundaries, skips chunks
// that keep nothing, and stops pulling when the consumer stops.
func TestFilterMap(t *testing.T) {
	xs := make([]int, 5000)
	for i := range xs {
		xs[i] = i
	}
	var calls int
	s := FilterMap(chunked(xs, []int{3, 1, 7, 0, 2000}), func(x int) (string, bool) {
		calls++
		return strconv.Itoa(x), x%1000 == 0
	})
	if got := run(t, s.Collect()); !slices.Equal(got, []string{"0", "1000", "2000", "3000", "4000"}) {
		t.Fatalf("got %q, want the multiples of 1000 below 5000", got)
	}
	if calls != len(xs) {
		t.Fatalf("f ran %d times, want once per element (%d)", calls, len(xs))
	}
	calls = 0
	first := FromSlice[any, error](xs).FilterMap(func(x int) (int, bool) { calls++; return -x, x%2 == 1 }).Take(2)
	if got := run(t, first.Collect()); !slices.Equal(got, []int{-1, -3}) {
		t.Fatalf("got %v want [-1 -3]", got)
	}
	if calls > 1024 {
		t.Fatalf("f ran %d times for Take(2): it pulled beyond the first chunk", calls)
	}
}

// A failure upstream goes through FilterMap unchanged.
func TestFilterMapPassesFailures(t *testing.T) {
	boom := errors.New("boom")
	s := Of[any, error](1, 2).Concat(Fail[any, int](boom)).FilterMap(func(x int) (int, bool) { return x, true })
	_, err := effect.Run(t.Context(), s.Collect(), nil)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v want %v", err, boom)
	}
}

// Iterate computes only a little ahead of a consumer that takes a few, and
// each run starts again from init.
func TestIterateIsLazyAndRestarts(t *testing.T) {
	calls := 0
	s := Iterate[any, error](1, func(x int) int { calls++; return x + 1 }).Take(3)
	for range 2 {
		if got := run(t, s.Collect()); !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("got %v want [1 2 3]", got)
		}
	}
	if calls > 2*16 {
		t.Fatalf("f ran %d times for two runs of Take(3): more than the first chunk of each", calls)
	}
	calls = 0
	if n := run(t, Iterate[any, error](0, func(x int) int { calls++; return x }).Take(5000).Count()); n != 5000 {
		t.Fatalf("got %d elements want 5000", n)
	}
	if calls > 5000+1024 {
		t.Fatalf("f ran %d times for 5000 elements", calls)
	}
}

// The Kit's methods are the package's functions with E = error.
func TestKitMatchesThePackageFunctions(t *testing.T) {
	k := For[any]()
	seq := func(yield func(int) bool) {
		for i := range 3 {
			if !yield(i) {
				return
			}
		}
	}
	gc := make(chan int, 3)
	gc <- 7
	close(gc)
	for _, tc := range []struct {
		name      string
		got, want S[int]
	}{
		{"Of", k.Of(1, 2), Of[any, error](1, 2)},
		{"Empty", k.Empty[int](), Empty[any, error, int]()},
		{"FromSlice", k.FromSlice([]int{3}), FromSlice[any, error]([]int{3})},
		{"Range", k.Range(0, 4), Range[any, error](0, 4)},
		{"FromSeq", k.FromSeq(seq), FromSeq[any, error](seq)},
		{"Unfold", k.Unfold(0, func(s int) (int, int, bool) { return s, s + 1, s < 3 }), Of[any, error](0, 1, 2)},
		{"Iterate", k.Iterate(1, func(x int) int { return -x }).Take(3), Of[any, error](1, -1, 1)},
		{"FromGoChannel", k.FromGoChannel(gc), Of[any, error](7)},
	} {
		got, want := run(t, tc.got.Collect()), run(t, tc.want.Collect())
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v want %v", tc.name, got, want)
		}
	}
	boom := errors.New("boom")
	if _, err := effect.Run(t.Context(), k.Fail[int](boom).Collect(), nil); !errors.Is(err, boom) {
		t.Errorf("Fail: got %v", err)
	}
}

// Send, Receive and their batch forms work on channels, queues and
// subscriptions, and report a closed channel as the methods do.
func TestKitBlockingOperations(t *testing.T) {
	k := For[any]()
	ch := NewChannel[int](2)
	if ok := run(t, k.Send(ch, 1)); !ok {
		t.Fatal("Send to an open channel reported false")
	}
	if n := run(t, k.SendAll(ch, []int{2})); n != 1 {
		t.Fatalf("SendAll sent %d want 1", n)
	}
	if got := run(t, k.ReceiveUpTo(ch, 5)); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("ReceiveUpTo got %v", got)
	}
	ch.Close()
	if ok := run(t, k.Send(ch, 3)); ok {
		t.Fatal("Send to a closed channel reported true")
	}
	if o := run(t, k.Receive(ch)); o.OK {
		t.Fatalf("Receive from a closed, drained channel got %v", o)
	}
	q := NewQueue[string](1, Sliding)
	run(t, k.SendAll(q, []string{"old", "new"}))
	if o := run(t, k.Receive(q)); o.Value != "new" {
		t.Fatalf("Receive from a sliding queue got %v want new", o)
	}
	p := NewPubSub[int](2, BackPressure)
	got := run(t, effect.Scoped(effect.FlatMap(k.Subscribe(p, nil), func(sub *Subscription[int]) Eff[[]int] {
		publish := effect.AndThen(k.Publish(p, 1), k.Publish(p, 2))
		return effect.AndThen(publish, k.FromSubscription(sub).Take(2).Collect())
	})))
	if !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("subscription got %v", got)
	}
	n := run(t, effect.Scoped(effect.FlatMap(k.MakeChannel[int](1), func(c *Channel[int]) Eff[int] {
		return effect.AndThen(effect.Fork(k.Of(1, 2, 3).IntoChannel(c)), k.FromChannel(c).Count())
	})))
	if n != 3 {
		t.Fatalf("MakeChannel and FromChannel moved %d elements want 3", n)
	}
}

func TestEverydayMisusePanicsWithAClearMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func()
		want string
	}{
		{"FilterMap nil f", func() { FilterMap[any, error, int, int](Empty[any, error, int](), nil) }, "stream.FilterMap: f must not be nil"},
		{"Iterate nil f", func() { Iterate[any, error, int](0, nil) }, "stream.Iterate: f must not be nil"},
		{"ReceiveUpTo max 0", func() { For[any]().ReceiveUpTo(NewChannel[int](1), 0) }, "stream.Kit.ReceiveUpTo: max must be > 0, got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if msg, _ := recover().(string); msg != tc.want {
					t.Fatalf("panic %q, want %q", msg, tc.want)
				}
			}()
			tc.fn()
		})
	}
}
