package stream_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// streams makes the streams of effects that need no environment and fail
// with error, without type arguments.
var streams = stream.For[any]()

// A Kit fixes the environment and the failure type once; sources, channels
// and blocking operations then need no type arguments.
func ExampleFor() {
	prog := eff.Scoped(effect.FlatMap(streams.MakeChannel[string](4), func(ch *stream.Channel[string]) eff.Effect[[]string] {
		produce := streams.Of("a", "b", "c").IntoChannel(ch) // closes ch at the end
		consume := streams.FromChannel(ch).Map(strings.ToUpper).Collect()
		return effect.AndThen(eff.Fork(produce), consume)
	}))
	fmt.Println(eff.Run(context.Background(), prog))
	// Output: [A B C] <nil>
}

func ExampleKit_FromSlice() {
	got, err := eff.Run(context.Background(), streams.FromSlice([]int{1, 2, 3}).Map(func(i int) int { return i * i }).Collect())
	fmt.Println(got, err)
	// Output: [1 4 9] <nil>
}

func ExampleKit_Range() {
	fmt.Println(eff.Run(context.Background(), streams.Range(1, 5).Fold(0, func(a, b int) int { return a + b })))
	// Output: 10 <nil>
}

func ExampleKit_Unfold() {
	fib := streams.Unfold([2]int{0, 1}, func(s [2]int) (int, [2]int, bool) { return s[0], [2]int{s[1], s[0] + s[1]}, true })
	fmt.Println(eff.Run(context.Background(), fib.Take(8).Collect()))
	// Output: [0 1 1 2 3 5 8 13] <nil>
}

func ExampleKit_Iterate() {
	delays := streams.Iterate(100*time.Millisecond, func(d time.Duration) time.Duration { return 2 * d })
	fmt.Println(eff.Run(context.Background(), delays.Take(4).Collect()))
	// Output: [100ms 200ms 400ms 800ms] <nil>
}

func ExampleKit_Fail() {
	s := streams.Of(1, 2).Concat(streams.Fail[int](fmt.Errorf("disk full")))
	fmt.Println(eff.Run(context.Background(), s.Collect()))
	// Output: [] disk full
}

// Send and Receive work on channels and queues alike.
func ExampleKit_Send() {
	q := stream.NewQueue[int](2, stream.Dropping)
	prog := effect.FlatMap(streams.SendAll(q, []int{1, 2, 3}), func(n int) eff.Effect[string] {
		return effect.Map(streams.Receive(q), func(o effect.Option[int]) string {
			return fmt.Sprintf("sent %d, dropped %d, first %d", n, q.Dropped(), o.Value)
		})
	})
	fmt.Println(eff.Run(context.Background(), prog))
	fmt.Println(eff.Run(context.Background(), streams.Send(q, 4)))
	// Output:
	// sent 2, dropped 1, first 1 <nil>
	// true <nil>
}

func ExampleKit_Subscribe() {
	p := stream.NewPubSub[string](4, stream.BackPressure)
	prog := effect.FlatMap(streams.Subscribe(p, nil), func(sub *stream.Subscription[string]) eff.Effect[[]string] {
		return effect.AndThen(streams.Publish(p, "hello"), streams.ReceiveUpTo(sub, 10))
	})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output: [hello] <nil>
}

// FilterMap converts what it can and drops the rest, in one pass.
func ExampleStream_FilterMap() {
	ports := streams.Of("80", "http", "443", "-1").FilterMap(func(s string) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil && n > 0
	})
	fmt.Println(eff.Run(context.Background(), ports.Collect()))
	// Output: [80 443] <nil>
}

func ExampleFilterMap() {
	type event struct {
		kind string
		user string
	}
	events := streams.Of(event{"login", "ada"}, event{"click", "ada"}, event{"login", "ken"})
	logins := stream.FilterMap(events, func(e event) (string, bool) { return e.user, e.kind == "login" })
	fmt.Println(eff.Run(context.Background(), logins.Collect()))
	// Output: [ada ken] <nil>
}

func ExampleIterate() {
	powers := stream.Iterate[any, error](1, func(n int) int { return n * 2 })
	fmt.Println(eff.Run(context.Background(), powers.TakeWhile(func(n int) bool { return n < 100 }).Collect()))
	// Output: [1 2 4 8 16 32 64] <nil>
}
