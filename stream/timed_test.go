package stream

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// at is an element of a timed source: v is emitted at time t after the
// source starts.
type at struct {
	t time.Duration
	v int
}

// timed returns a source that emits each element at its time.
func timed(events ...at) S[int] {
	return FromSlice[any, error](events).MapEffect(func(e at) Eff[int] {
		return effect.Suspend(func() Eff[int] {
			return effect.As(effect.Sleep[any, error](e.t-since()), e.v)
		})
	})
}

// epoch is when the current synctest test began.
var epoch time.Time

func since() time.Duration { return time.Since(epoch) }

// record runs s and returns what it emitted, with the virtual time of each
// emission, as "t:v" strings.
func record[A any](t *testing.T, s S[A]) string {
	t.Helper()
	epoch = time.Now()
	var out []string
	_, err := effect.Run(t.Context(), s.ForEach(func(a A) Eff[struct{}] {
		return unit(func() { out = append(out, fmt.Sprintf("%v:%v", since(), a)) })
	}), nil)
	if err != nil {
		out = append(out, fmt.Sprintf("%v:error %v", since(), err))
	}
	return strings.Join(out, " ")
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestGroupedWithinTimings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := timed(at{0, 1}, at{ms(100), 2}, at{ms(200), 3}, at{ms(300), 4}, at{ms(400), 5}, at{ms(2000), 6}, at{ms(2500), 7})
		got := record(t, GroupedWithin(src, 3, time.Second))
		// [1 2 3] is full at 200ms; [4 5] waits 1s from 4's arrival; [6 7]
		// is cut short by the end of the source.
		want := "200ms:[1 2 3] 1.3s:[4 5] 2.5s:[6 7]"
		if got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestGroupedWithinEmitsGroupBeforeFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := timed(at{0, 1}, at{ms(100), 2}).Concat(Fail[any, int](errBoom))
		got := record(t, GroupedWithin(src, 5, time.Second))
		if want := "100ms:[1 2] 100ms:error boom"; got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestThrottleTimings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		got := record(t, Range[any, error](1, 7).Throttle(2, time.Second))
		// A burst of 2, then one every 500ms.
		want := "0s:1 0s:2 500ms:3 1s:4 1.5s:5 2s:6"
		if got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestThrottleRefillsAfterPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := timed(at{0, 1}, at{0, 2}, at{0, 3}, at{ms(3000), 4}, at{ms(3000), 5}, at{ms(3000), 6})
		got := record(t, src.Throttle(2, time.Second))
		// The bucket is full again after the pause, but holds no more than 2.
		want := "0s:1 0s:2 500ms:3 3s:4 3s:5 3.5s:6"
		if got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestDebounceTimings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := timed(at{0, 1}, at{ms(500), 2}, at{ms(1000), 3}, at{ms(3000), 4}, at{ms(3200), 5})
		got := record(t, src.Debounce(time.Second))
		// 3 is emitted 1s after the burst; 5 is pending when the source ends
		// and is emitted at once.
		want := "2s:3 3.2s:5"
		if got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestDebounceQuietSourceEmitsEach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := timed(at{0, 1}, at{ms(2000), 2}, at{ms(4000), 3})
		got := record(t, src.Debounce(time.Second))
		if want := "1s:1 3s:2 4s:3"; got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := timed(at{0, 1}, at{ms(500), 2}, at{ms(3000), 3})
		if got, want := record(t, src.Timeout(time.Second)), "0s:1 500ms:2"; got != want {
			t.Fatalf("Timeout: got %s want %s", got, want)
		}
		errSlow := errors.New("too slow")
		if got, want := record(t, src.TimeoutFail(time.Second, errSlow)), "0s:1 500ms:2 1.5s:error too slow"; got != want {
			t.Fatalf("TimeoutFail: got %s want %s", got, want)
		}
	})
}

func TestMapEffectParTimings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Elements 1, 2, 3 take 300, 200 and 150ms. With 3 at a time, in
		// order, all are ready at 300ms; unordered, each as it completes.
		cost := map[int]time.Duration{1: ms(300), 2: ms(200), 3: ms(150)}
		work := func(i int) Eff[int] { return effect.As(effect.Sleep[any, error](cost[i]), i) }
		ordered := record(t, ints(1, 2, 3).MapEffect(work, Par{Limit: 3}))
		if want := "300ms:1 300ms:2 300ms:3"; ordered != want {
			t.Fatalf("ordered: got %s want %s", ordered, want)
		}
		unordered := record(t, ints(1, 2, 3).MapEffect(work, Par{Limit: 3, Unordered: true}))
		if want := "150ms:3 200ms:2 300ms:1"; unordered != want {
			t.Fatalf("unordered: got %s want %s", unordered, want)
		}
		limited := record(t, ints(1, 2, 3).MapEffect(work, Par{Limit: 2, Unordered: true}))
		// 1 and 2 start at 0; 3 starts when 2's result is taken, at 200ms.
		if want := "200ms:2 300ms:1 350ms:3"; limited != want {
			t.Fatalf("limit 2: got %s want %s", limited, want)
		}
	})
}
