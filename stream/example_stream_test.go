package stream_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
	"github.com/gogoscope/gogoscope/stream"
)

// S is an application's alias for the streams it writes.
type S[A any] = stream.Stream[any, error, A]

// show runs a stream and prints what it collected, or its error.
func show[A any](s S[A]) {
	got, err := effect.Run(context.Background(), s.Collect(), nil)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(got)
}

// A pipeline: a source, transformations, a sink.
func ExampleStream() {
	words := stream.FromSlice[any, error](strings.Fields("the quick brown fox jumps over the lazy dog"))
	long := words.Filter(func(w string) bool { return len(w) > 3 }).Map(strings.ToUpper).Take(3)
	show(long)
	// Output: [QUICK BROWN JUMPS]
}

func ExampleOf() {
	show(stream.Of[any, error](1, 2, 3))
	show(stream.Empty[any, error, int]())
	// Output:
	// [1 2 3]
	// []
}

func ExampleFromSlice() {
	show(stream.FromSlice[any, error]([]string{"a", "b"}))
	// Output: [a b]
}

func ExampleRange() {
	show(stream.Range[any, error](2, 6))
	// Output: [2 3 4 5]
}

func ExampleFromEffect() {
	show(stream.FromEffect(effect.Succeed[any, error]("once")))
	// Output: [once]
}

func ExampleFail() {
	show(stream.Of[any, error](1).Concat(stream.Fail[any, int](errors.New("broken"))))
	// Output: error: broken
}

func ExampleUnwrap() {
	config := effect.Succeed[any, error](3)
	show(stream.Unwrap(effect.Map(config, func(n int) S[int] { return stream.Range[any, error](0, n) })))
	// Output: [0 1 2]
}

func ExampleFromSeq() {
	show(stream.FromSeq[any, error](slices.Values([]int{3, 1, 2})).Map(func(i int) int { return i * 10 }))
	// Output: [30 10 20]
}

func ExampleFromSeq2() {
	rows := func(yield func(string, error) bool) {
		_ = yield("row 1", nil) && yield("", errors.New("connection lost"))
	}
	got, err := effect.Run(context.Background(), stream.FromSeq2[any](rows).Collect(), nil)
	fmt.Println(got, err)
	// Output: [] connection lost
}

func ExampleFromGoChannel() {
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	close(ch)
	show(stream.FromGoChannel[any, error](ch))
	// Output: [1 2]
}

func ExampleFromChannel() {
	ch := stream.NewChannel[int](4)
	producer := stream.Range[any, error](0, 10).IntoChannel(ch) // closes ch at the end
	prog := effect.FlatMap(effect.Fork(producer), func(*effect.Fiber[error, struct{}]) Eff[int] {
		return stream.FromChannel[any, error](ch).Fold(0, func(sum, i int) int { return sum + i })
	})
	sum, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(sum)
	// Output: 45
}

func ExampleFromQueue() {
	q := stream.NewQueue[string](4, stream.BackPressure)
	q.TryOffer("x")
	q.TryOffer("y")
	q.Close()
	show(stream.FromQueue[any, error](q))
	// Output: [x y]
}

func ExampleFromSubscription() {
	ps := stream.NewPubSub[int](4, stream.BackPressure)
	prog := effect.Scoped(effect.FlatMap(ps.Subscribe[any, error](nil), func(sub *stream.Subscription[int]) Eff[[]int] {
		publish := effect.AndThen(ps.Publish[any, error](1), ps.Publish[any, error](2))
		return effect.AndThen(publish, stream.FromSubscription[any, error](sub).Take(2).Collect())
	}))
	got, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(got)
	// Output: [1 2]
}

// FromPubSub subscribes when the stream opens: publish from another fiber
// once the subscriber is there.
func ExampleFromPubSub() {
	ps := stream.NewPubSub[string](4, stream.BackPressure)
	events := stream.FromPubSub[any, error](ps, func(e string) bool { return strings.HasPrefix(e, "user.") })
	publisher := effect.Suspend(func() Eff[struct{}] {
		for ps.Subscribers() == 0 {
			time.Sleep(time.Millisecond)
		}
		for _, e := range []string{"user.login", "cache.miss", "user.logout"} {
			_, _ = effect.Run(context.Background(), ps.Publish[any, error](e), nil)
		}
		ps.Close()
		return effect.Unit[any, error]()
	})
	prog := effect.FlatMap(effect.Fork(publisher), func(*effect.Fiber[error, struct{}]) Eff[[]string] {
		return events.Collect()
	})
	got, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(got)
	// Output: [user.login user.logout]
}

func ExampleUnfold() {
	fib := stream.Unfold[any, error]([2]int{0, 1}, func(s [2]int) (int, [2]int, bool) {
		return s[0], [2]int{s[1], s[0] + s[1]}, true
	})
	show(fib.Take(10))
	// Output: [0 1 1 2 3 5 8 13 21 34]
}

// Paginate fetches a page only when the consumer needs it.
func ExamplePaginate() {
	fetch := func(page int) Eff[stream.Page[int, string]] {
		fmt.Println("fetch page", page)
		items := []string{fmt.Sprintf("p%d-a", page), fmt.Sprintf("p%d-b", page)}
		return effect.Succeed[any, error](stream.Page[int, string]{Items: items, Next: page + 1, More: page < 3})
	}
	show(stream.Paginate(1, fetch).Take(3))
	// Output:
	// fetch page 1
	// fetch page 2
	// [p1-a p1-b p2-a]
}

// A resource stays open while the stream that reads it runs, and is closed
// exactly once however the stream ends.
func ExampleAcquireRelease() {
	open := effect.Sync[any, error](func() []string { fmt.Println("open"); return []string{"l1", "l2", "l3"} })
	closeFile := func([]string) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println("close"); return struct{}{} })
	}
	lines := stream.AcquireRelease(open, closeFile).FlatMap(func(f []string) S[string] {
		return stream.FromSlice[any, error](f)
	})
	show(lines.Take(2))
	// Output:
	// open
	// close
	// [l1 l2]
}

func ExampleRepeatEffect() {
	n := 0
	poll := effect.Sync[any, error](func() int { n++; return n * n })
	show(stream.RepeatEffect(poll, schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(3))))
	// Output: [1 4 9 16]
}

func ExampleStream_Map() {
	show(stream.Of[any, error](1, 2, 3).Map(func(i int) string { return strings.Repeat("*", i) }))
	// Output: [* ** ***]
}

func ExampleStream_Filter() {
	show(stream.Range[any, error](0, 10).Filter(func(i int) bool { return i%3 == 0 }))
	// Output: [0 3 6 9]
}

func ExampleStream_Take() {
	naturals := stream.Unfold[any, error](0, func(i int) (int, int, bool) { return i, i + 1, true })
	show(naturals.Take(4))
	// Output: [0 1 2 3]
}

func ExampleStream_TakeWhile() {
	show(stream.Of[any, error](1, 2, 5, 1).TakeWhile(func(i int) bool { return i < 5 }))
	// Output: [1 2]
}

func ExampleStream_Drop() {
	show(stream.Of[any, error](1, 2, 3, 4).Drop(2))
	// Output: [3 4]
}

func ExampleStream_Scan() {
	show(stream.Of[any, error](1, 2, 3).Scan(0, func(sum, i int) int { return sum + i }))
	// Output: [0 1 3 6]
}

func ExampleStream_Tap() {
	s := stream.Of[any, error]("a", "b").Tap(func(v string) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println("saw", v); return struct{}{} })
	})
	show(s)
	// Output:
	// saw a
	// saw b
	// [a b]
}

func ExampleStream_FlatMap() {
	show(stream.Of[any, error](1, 2, 3).FlatMap(func(i int) S[int] { return stream.Range[any, error](0, i) }))
	// Output: [0 0 1 0 1 2]
}

func ExampleStream_Concat() {
	show(stream.Of[any, error](1).Concat(stream.Of[any, error](2, 3)))
	show(stream.Concat(stream.Of[any, error]("x"), stream.Of[any, error]("y")))
	// Output:
	// [1 2 3]
	// [x y]
}

func ExampleStream_Ensuring() {
	s := stream.Of[any, error](1, 2, 3).Ensuring(effect.Sync[any, error](func() struct{} {
		fmt.Println("cleaned up")
		return struct{}{}
	}))
	show(s.Take(1))
	// Output:
	// cleaned up
	// [1]
}

func ExampleStream_Catch() {
	flaky := stream.Of[any, error](1, 2).Concat(stream.Fail[any, int](errors.New("lost")))
	show(flaky.Catch(func(err error) S[int] { return stream.Of[any, error](-1) }))
	// Output: [1 2 -1]
}

func ExampleStream_OrElse() {
	show(stream.Fail[any, string](errors.New("primary down")).OrElse(stream.Of[any, error]("from replica")))
	// Output: [from replica]
}

func ExampleStream_MapError() {
	s := stream.Fail[any, int](errors.New("eof")).MapError(func(err error) error { return fmt.Errorf("reading log: %w", err) })
	show(s)
	// Output: error: reading log: eof
}

func ExampleGrouped() {
	show(stream.Grouped(stream.Range[any, error](0, 7), 3))
	// Output: [[0 1 2] [3 4 5] [6]]
}

func ExampleZip() {
	names := stream.Of[any, error]("ada", "bob", "cy")
	show(stream.Zip(stream.Range[any, error](1, 100), names))
	// Output: [{1 ada} {2 bob} {3 cy}]
}

func ExampleZipWith() {
	show(stream.ZipWith(stream.Of[any, error](1, 2), stream.Of[any, error](10, 20), func(a, b int) int { return a + b }))
	show(stream.Of[any, error]("a", "b").ZipWith(stream.Of[any, error](1, 2), func(s string, i int) string { return strings.Repeat(s, i) }))
	// Output:
	// [11 22]
	// [a bb]
}

func ExampleStream_Buffer() {
	show(stream.Range[any, error](0, 5).Buffer(2))
	// Output: [0 1 2 3 4]
}

// Merge interleaves streams as their elements come; sort to compare.
func ExampleMerge() {
	merged := stream.Merge(stream.Of[any, error](1, 2), stream.Of[any, error](10, 20), stream.Of[any, error](100))
	got, _ := effect.Run(context.Background(), merged.Collect(), nil)
	slices.Sort(got)
	fmt.Println(got)
	other, _ := effect.Run(context.Background(), stream.Of[any, error]("a").Merge(stream.Of[any, error]("b")).Count(), nil)
	fmt.Println(other)
	// Output:
	// [1 2 10 20 100]
	// 2
}

// MapEffect with a Limit runs up to Limit effects at once and keeps the
// input order.
func ExampleStream_MapEffect() {
	fetch := func(id int) Eff[string] {
		return effect.As(effect.Sleep[any, error](time.Duration(5-id)*time.Millisecond), fmt.Sprint("user", id))
	}
	show(stream.Of[any, error](1, 2, 3, 4).MapEffect(fetch, stream.Par{Limit: 4}))
	// Output: [user1 user2 user3 user4]
}

func ExampleGroupedWithin() {
	show(stream.GroupedWithin(stream.Range[any, error](0, 7), 3, time.Hour))
	// Output: [[0 1 2] [3 4 5] [6]]
}

func ExampleStream_Throttle() {
	begin := time.Now()
	show(stream.Range[any, error](0, 4).Throttle(2, 20*time.Millisecond))
	fmt.Println(time.Since(begin) >= 20*time.Millisecond) // 2 at once, then one every 10ms
	// Output:
	// [0 1 2 3]
	// true
}

func ExampleStream_Debounce() {
	// A burst: only its last element survives.
	show(stream.Of[any, error]("h", "he", "hel", "hello").Debounce(10 * time.Millisecond))
	// Output: [hello]
}

func ExampleStream_Timeout() {
	stalled := stream.Of[any, error](1, 2).Concat(stream.FromEffect(effect.Never[any, error, int]()))
	show(stalled.Timeout(10 * time.Millisecond))
	show(stalled.TimeoutFail(10*time.Millisecond, errors.New("no data for 10ms")))
	// Output:
	// [1 2]
	// error: no data for 10ms
}

func ExampleStream_Retry() {
	attempt := 0
	source := stream.Unwrap(effect.Sync[any, error](func() S[string] {
		attempt++
		if attempt < 3 {
			return stream.Fail[any, string](fmt.Errorf("attempt %d failed", attempt))
		}
		return stream.Of[any, error]("connected")
	}))
	show(source.Retry(schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(5))))
	// Output: [connected]
}

func ExampleStream_Collect() {
	got, err := effect.Run(context.Background(), stream.Range[any, error](0, 3).Collect(), nil)
	fmt.Println(got, err)
	// Output: [0 1 2] <nil>
}

func ExampleStream_ForEach() {
	prog := stream.Of[any, error]("a", "b").ForEach(func(s string) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println(s); return struct{}{} })
	})
	_, _ = effect.Run(context.Background(), prog, nil)
	// Output:
	// a
	// b
}

func ExampleStream_Fold() {
	total, _ := effect.Run(context.Background(), stream.Range[any, error](1, 5).Fold(1, func(p, i int) int { return p * i }), nil)
	fmt.Println(total)
	// Output: 24
}

func ExampleStream_Reduce() {
	longest, _ := effect.Run(context.Background(), stream.Of[any, error]("go", "effect", "scope").Reduce(func(a, b string) string {
		if len(b) > len(a) {
			return b
		}
		return a
	}), nil)
	fmt.Println(longest.Value, longest.OK)
	// Output: effect true
}

func ExampleStream_Count() {
	n, _ := effect.Run(context.Background(), stream.Range[any, error](0, 5000).Count(), nil)
	fmt.Println(n)
	// Output: 5000
}

func ExampleStream_First() {
	first, _ := effect.Run(context.Background(), stream.Range[any, error](7, 1_000_000).First(), nil)
	fmt.Println(first.Value, first.OK)
	// Output: 7 true
}

func ExampleStream_Last() {
	last, _ := effect.Run(context.Background(), stream.Range[any, error](0, 3000).Last(), nil)
	fmt.Println(last.Value)
	// Output: 2999
}

func ExampleStream_Drain() {
	n := 0
	prog := stream.Range[any, error](0, 10).Tap(func(int) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { n++; return struct{}{} })
	}).Drain()
	_, _ = effect.Run(context.Background(), prog, nil)
	fmt.Println(n)
	// Output: 10
}

func ExampleStream_IntoChannel() {
	ch := stream.NewChannel[int](16)
	_, _ = effect.Run(context.Background(), stream.Range[any, error](0, 3).IntoChannel(ch), nil)
	for v := range ch.All(context.Background()) { // ch was closed at the end
		fmt.Println(v)
	}
	// Output:
	// 0
	// 1
	// 2
}

// All turns a stream into a Go iterator; breaking out of the loop stops the
// stream and releases what it holds.
func ExampleStream_All() {
	s := stream.Range[any, error](0, 1_000_000).Ensuring(effect.Sync[any, error](func() struct{} {
		fmt.Println("released")
		return struct{}{}
	}))
	for v, err := range s.All(context.Background(), nil) {
		if err != nil || v == 2 {
			break
		}
		fmt.Println(v)
	}
	// Output:
	// 0
	// 1
	// released
}

// Pulling from a stream's iterator by hand, with iter.Pull2.
func ExampleStream_All_pull() {
	next, stop := iter.Pull2(stream.Of[any, error]("a", "b").All(context.Background(), nil))
	defer stop()
	v, err, ok := next()
	fmt.Println(v, err, ok)
	// Output: a <nil> true
}
