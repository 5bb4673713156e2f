package interop_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop"
	"github.com/gogoscope/gogoscope/stream"
)

func TestStreamToChan(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var res effecttest.Resources
		s := stream.AcquireRelease(res.Acquire[any, error]("file"), func(string) effect.Effect[any, error, struct{}] {
			return effect.Unit[any, error]()
		})
		nums := s.FlatMap(func(string) stream.Stream[any, error, int] { return stream.Of[any, error](1, 2, 3) })
		out, errs := interop.StreamToChan(context.Background(), nums, 0, rt)
		var got []int
		for v := range out {
			got = append(got, v)
		}
		if err := <-errs; err != nil || !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("got %v, %v; want [1 2 3], nil", got, err)
		}
		res.AssertReleased(t)

		failing := stream.Concat(stream.Of[any, error](1), stream.Fail[any, int](errBoom))
		out, errs = interop.StreamToChan(context.Background(), failing, 4, rt)
		got = slices.Collect(func(yield func(int) bool) {
			for v := range out {
				if !yield(v) {
					return
				}
			}
		})
		if err := <-errs; err != errBoom || !slices.Equal(got, []int{1}) {
			t.Fatalf("got %v, %v; want [1], boom", got, err)
		}
	})
}

func TestStreamToChanStopsWhenCancelled(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var res effecttest.Resources
		ticks := stream.AcquireRelease(res.Acquire[any, error]("ticker"), func(string) effect.Effect[any, error, struct{}] {
			return effect.Unit[any, error]()
		}).FlatMap(func(string) stream.Stream[any, error, int] {
			return stream.Unfold[any, error](0, func(n int) (int, int, bool) { return n, n + 1, true })
		})
		ctx, cancel := context.WithCancelCause(context.Background())
		out, errs := interop.StreamToChan(ctx, ticks, 0, rt)
		if a, b := <-out, <-out; a != 0 || b != 1 {
			t.Fatalf("first values %d %d, want 0 1", a, b)
		}
		cancel(errReason) // the receiver stops early: it cancels
		for range out {
		}
		if err := <-errs; !errors.Is(err, errReason) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v: want the cancel cause", err)
		}
		res.AssertReleased(t)
	})
}

// TestRangeBreakRunsFinalizers: a stream turned into an iterator and left
// with a break stops, and its finalizers run before the loop completes.
func TestRangeBreakRunsFinalizers(t *testing.T) {
	var res effecttest.Resources
	cleaned := 0
	src := stream.FromSeq[any, error](counting(1000, &cleaned))
	s := stream.AcquireRelease(res.Acquire[any, error]("conn"), func(string) effect.Effect[any, error, struct{}] {
		return effect.Unit[any, error]()
	}).FlatMap(func(string) stream.Stream[any, error, int] { return src })
	var got []int
	for v, err := range s.All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		if v == 3 {
			break
		}
		if len(res.Held()) != 1 {
			t.Fatalf("resource not held while ranging")
		}
	}
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v, want [1 2 3]", got)
	}
	res.AssertReleased(t)
	if cleaned != 1 {
		t.Fatalf("the source iterator's cleanup ran %d times, want once", cleaned)
	}
}

// TestSeqStreamChanRoundTrip: iter.Seq → stream → Go channel → stream →
// iter.Seq2 keeps the values and their order.
func TestSeqStreamChanRoundTrip(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		want := []string{"a", "b", "c", "d"}
		out, errs := interop.StreamToChan(context.Background(), stream.FromSeq[any, error](slices.Values(want)), 1, rt)
		back := stream.FromGoChannel[any, error](out)
		var got []string
		for v, err := range back.All(context.Background(), nil) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if err := <-errs; err != nil || !slices.Equal(got, want) {
			t.Fatalf("got %v, %v; want %v", got, err, want)
		}
	})
}
