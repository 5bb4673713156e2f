package stream_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

func ExampleConcat() {
	show(stream.Concat(stream.Of[any, error](1, 2), stream.Empty[any, error, int](), stream.Of[any, error](3)))
	// Output: [1 2 3]
}

func ExampleEmpty() {
	n, err := effect.Run(context.Background(), stream.Empty[any, error, string]().Count(), nil)
	fmt.Println(n, err)
	// Output: 0 <nil>
}

// Merge interleaves its streams as their elements come; the order between
// streams depends on timing, the order within each is kept.
func ExampleStream_Merge() {
	merged := stream.Of[any, error](1, 2, 3).Merge(stream.Of[any, error](10, 20))
	sum, err := effect.Run(context.Background(), merged.Fold(0, func(s, x int) int { return s + x }), nil)
	fmt.Println(sum, err)
	// Output: 36 <nil>
}

func ExampleStream_ZipWith() {
	names := stream.Of[any, error]("ada", "grace", "ken")
	ages := stream.Of[any, error](36, 85)
	show(names.ZipWith(ages, func(n string, a int) string { return fmt.Sprintf("%s:%d", n, a) }))
	// Output: [ada:36 grace:85]
}

func ExampleStream_TimeoutFail() {
	errSlow := errors.New("source too slow")
	slow := stream.FromEffect(effect.AndThen(effect.Sleep[any, error](time.Hour), effect.Succeed[any, error](1)))
	show(stream.Of[any, error](0).Concat(slow).TimeoutFail(5*time.Millisecond, errSlow))
	// Output: error: source too slow
}

func ExampleNewChannel() {
	ch := stream.NewChannel[string](2)
	ch.TrySend("a")
	ch.TrySend("b")
	fmt.Println(ch.Len(), ch.Cap(), ch.TrySend("c"))
	ch.Close()
	fmt.Println(ch.IsClosed())
	// Output:
	// 2 2 false
	// true
}

func ExampleNewPubSub() {
	p := stream.NewPubSub[int](8, stream.Dropping)
	prog := effect.FlatMap(p.Subscribe[any, error](func(n int) bool { return n%2 == 0 }),
		func(sub *stream.Subscription[int]) Eff[[]int] {
			publish := effect.ForEach([]int{1, 2, 3, 4}, func(n int) Eff[bool] { return p.Publish[any, error](n) })
			return effect.AndThen(publish, sub.ReceiveUpTo[any, error](10))
		})
	got, err := effect.Run(context.Background(), effect.Scoped(prog), nil)
	fmt.Println(got, err, p.Subscribers())
	// Output: [2 4] <nil> 0
}

func ExampleSubscription_Receive() {
	p := stream.NewPubSub[string](4, stream.BackPressure)
	prog := effect.FlatMap(p.Subscribe[any, error](nil), func(sub *stream.Subscription[string]) Eff[string] {
		return effect.AndThen(p.Publish[any, error]("hello"),
			effect.Map(sub.Receive[any, error](), func(o effect.Option[string]) string { return o.Value }))
	})
	fmt.Println(effect.Run(context.Background(), effect.Scoped(prog), nil))
	// Output: hello <nil>
}

func ExampleQueue_TryTake() {
	q := stream.NewQueue[int](4, stream.Sliding)
	for i := range 6 {
		q.TryOffer(i)
	}
	v, ok := q.TryTake()
	fmt.Println(v, ok, q.Len(), q.Cap(), q.Dropped())
	q.Close()
	fmt.Println(q.IsClosed())
	// Output:
	// 2 true 3 4 2
	// true
}

func ExampleStrategy_String() {
	fmt.Println(stream.BackPressure, stream.Dropping, stream.Sliding)
	// Output: BackPressure Dropping Sliding
}
