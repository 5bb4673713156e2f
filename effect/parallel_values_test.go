package effect

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestValuesGivesGoShapedResults(t *testing.T) {
	errOdd := errors.New("odd")
	f := func(n int) eff {
		if n%2 == 1 {
			return Fail[any, int](errOdd)
		}
		return succeed(n * 10)
	}
	exits := mustRun(t, Settle([]int{0, 1, 2, 3}, f, Par{Mode: Collect}))
	vals, err := Values(exits)
	if !slices.Equal(vals, []int{0, 0, 20, 0}) {
		t.Fatalf("values: got %v", vals)
	}
	var ie *ItemError
	if !errors.As(err, &ie) || ie.Index != 1 || !errors.Is(err, errOdd) {
		t.Fatalf("error: got %v, want item 1 first, matching errOdd", err)
	}
	if got := err.Error(); got != "item 1: odd\nitem 3: odd" {
		t.Fatalf("error text: got %q", got)
	}
	all, err := Values(mustRun(t, Settle([]int{0, 2}, f, Par{})))
	if err != nil || !slices.Equal(all, []int{0, 20}) {
		t.Fatalf("all ok: got %v, %v", all, err)
	}
}

// One failure and seven items it stopped are reported apart.
func TestProgressReportsStoppedItemsApart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var last Progress
		f := func(n int) eff {
			if n == 0 {
				return AndThen(Sleep[any, error](time.Second), Fail[any, int](errBoom))
			}
			return Never[any, error, int]()
		}
		_, err := run(ForEachPar([]int{0, 1, 2, 3, 4, 5, 6, 7}, f, Par{OnProgress: func(p Progress) {
			mu.Lock()
			last = p
			mu.Unlock()
		}}))
		if !errors.Is(err, errBoom) {
			t.Fatalf("got %v, want boom", err)
		}
		if want := (Progress{Done: 8, Failed: 1, Stopped: 7, Total: 8}); last != want {
			t.Fatalf("last progress: got %+v, want %+v", last, want)
		}
	})
}
