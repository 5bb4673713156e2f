package stream_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// Eff is an application's alias for the effects it writes.
type Eff[A any] = effect.Effect[any, error, A]

// A producer and a consumer connected by a buffered channel: the producer
// waits whenever the consumer falls 2 elements behind, and closes the
// channel when done, which ends the consumer's loop.
func ExampleChannel() {
	ch := stream.NewChannel[int](2)
	producer := effect.ForEach([]int{1, 2, 3, 4}, func(i int) Eff[bool] {
		return ch.Send[any, error](i)
	}).AndThen(effect.Sync[any, error](func() struct{} { ch.Close(); return struct{}{} }))

	var consume Eff[int]
	sum := 0
	consume = effect.FlatMap(ch.Receive[any, error](), func(o effect.Option[int]) Eff[int] {
		if !o.OK { // closed and drained
			return effect.Succeed[any, error](sum)
		}
		sum += o.Value
		return consume
	})

	prog := effect.FlatMap(effect.Fork(producer), func(*effect.Fiber[error, struct{}]) Eff[int] { return consume })
	total, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(total, err)
	// Output: 10 <nil>
}

// A channel made with MakeChannel is closed when its scope closes.
func ExampleMakeChannel() {
	var ch *stream.Channel[string]
	prog := effect.Scoped(effect.FlatMap(stream.MakeChannel[any, error, string](1), func(c *stream.Channel[string]) Eff[bool] {
		ch = c
		return c.Send[any, error]("hello")
	}))
	sent, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(sent, ch.IsClosed())
	msg, _ := effect.Run(context.Background(), ch.Receive[any, error](), nil)
	fmt.Println(msg.Value)
	// Output:
	// true true
	// hello
}

func ExampleChannel_Send() {
	ch := stream.NewChannel[int](1)
	first, _ := effect.Run(context.Background(), ch.Send[any, error](1), nil)
	ch.Close()
	second, _ := effect.Run(context.Background(), ch.Send[any, error](2), nil)
	fmt.Println(first, second)
	// Output: true false
}

func ExampleChannel_Receive() {
	ch := stream.NewChannel[string](1)
	ch.TrySend("only")
	ch.Close()
	for range 2 {
		o, _ := effect.Run(context.Background(), ch.Receive[any, error](), nil)
		fmt.Printf("%q %v\n", o.Value, o.OK)
	}
	// Output:
	// "only" true
	// "" false
}

func ExampleChannel_SendAll() {
	ch := stream.NewChannel[int](8)
	n, _ := effect.Run(context.Background(), ch.SendAll[any, error]([]int{1, 2, 3}), nil)
	batch, _ := effect.Run(context.Background(), ch.ReceiveUpTo[any, error](10), nil)
	fmt.Println(n, batch)
	// Output: 3 [1 2 3]
}

func ExampleChannel_ReceiveUpTo() {
	ch := stream.NewChannel[int](8)
	ch.TrySend(1)
	ch.TrySend(2)
	ch.TrySend(3)
	batch, _ := effect.Run(context.Background(), ch.ReceiveUpTo[any, error](2), nil)
	fmt.Println(batch, ch.Len())
	// Output: [1 2] 1
}

func ExampleChannel_TrySend() {
	ch := stream.NewChannel[int](1)
	fmt.Println(ch.TrySend(1), ch.TrySend(2)) // the second finds the buffer full
	v, ok, closed := ch.TryReceive()
	fmt.Println(v, ok, closed)
	// Output:
	// true false
	// 1 true false
}

func ExampleChannel_TryReceive() {
	ch := stream.NewChannel[int](1)
	_, ok, closed := ch.TryReceive()
	fmt.Println(ok, closed)
	ch.Close()
	_, ok, closed = ch.TryReceive()
	fmt.Println(ok, closed)
	// Output:
	// false false
	// false true
}

func ExampleChannel_Close() {
	ch := stream.NewChannel[int](2)
	ch.TrySend(7)
	ch.Close()
	ch.Close() // closing twice does nothing
	fmt.Println(ch.IsClosed(), ch.Len(), ch.Cap())
	// Output: true 1 2
}

func ExampleChannel_All() {
	ch := stream.NewChannel[string](3)
	ch.TrySend("a")
	ch.TrySend("b")
	ch.Close()
	for v := range ch.All(context.Background()) {
		fmt.Println(v)
	}
	// Output:
	// a
	// b
}

func ExampleNewQueue() {
	latest := stream.NewQueue[int](2, stream.Sliding)
	for i := 1; i <= 5; i++ {
		latest.TryOffer(i)
	}
	a, _ := latest.TryTake()
	b, _ := latest.TryTake()
	fmt.Println(a, b, latest.Dropped())
	// Output: 4 5 3
}

func ExampleNewUnboundedQueue() {
	q := stream.NewUnboundedQueue[int]()
	n, _ := effect.Run(context.Background(), q.OfferAll[any, error](make([]int, 10000)), nil)
	fmt.Println(n, q.Len(), q.Cap())
	// Output: 10000 10000 -1
}

func ExampleQueue_Offer() {
	q := stream.NewQueue[string](1, stream.Dropping)
	a, _ := effect.Run(context.Background(), q.Offer[any, error]("kept"), nil)
	b, _ := effect.Run(context.Background(), q.Offer[any, error]("dropped"), nil)
	fmt.Println(a, b, q.Dropped())
	// Output: true false 1
}

func ExampleQueue_OfferAll() {
	q := stream.NewQueue[int](2, stream.Dropping)
	n, _ := effect.Run(context.Background(), q.OfferAll[any, error]([]int{1, 2, 3}), nil)
	fmt.Println(n, q.Len())
	// Output: 2 2
}

func ExampleQueue_Take() {
	q := stream.NewQueue[int](4, stream.BackPressure)
	q.TryOffer(42)
	q.Close()
	a, _ := effect.Run(context.Background(), q.Take[any, error](), nil)
	b, _ := effect.Run(context.Background(), q.Take[any, error](), nil)
	fmt.Println(a, b)
	// Output: {42 true} {0 false}
}

func ExampleQueue_TakeUpTo() {
	q := stream.NewQueue[int](4, stream.BackPressure)
	q.TryOffer(1)
	q.TryOffer(2)
	batch, _ := effect.Run(context.Background(), q.TakeUpTo[any, error](10), nil)
	fmt.Println(batch)
	// Output: [1 2]
}

func ExampleQueue_TryOffer() {
	q := stream.NewQueue[int](1, stream.BackPressure)
	fmt.Println(q.TryOffer(1), q.TryOffer(2))
	v, ok := q.TryTake()
	fmt.Println(v, ok)
	q.Close()
	fmt.Println(q.IsClosed(), q.TryOffer(3))
	// Output:
	// true false
	// 1 true
	// true false
}

// Every subscriber gets every message it accepts, published after it
// subscribed.
func ExamplePubSub() {
	ps := stream.NewPubSub[string](8, stream.BackPressure)
	prog := effect.Scoped(effect.FlatMap(ps.Subscribe[any, error](nil), func(all *stream.Subscription[string]) Eff[[]string] {
		return effect.FlatMap(ps.Subscribe[any, error](func(m string) bool { return m[0] == 'e' }), func(errs *stream.Subscription[string]) Eff[[]string] {
			publish := effect.ForEach([]string{"info: up", "error: disk", "info: ok"}, func(m string) Eff[bool] {
				return ps.Publish[any, error](m)
			})
			return effect.FlatMap(publish, func([]bool) Eff[[]string] {
				a, _ := effect.Run(context.Background(), all.ReceiveUpTo[any, error](10), nil)
				e, _ := effect.Run(context.Background(), errs.ReceiveUpTo[any, error](10), nil)
				return effect.Succeed[any, error](append(a, e...))
			})
		})
	}))
	got, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(got)
	fmt.Println(ps.Subscribers()) // both unsubscribed with their scope
	// Output:
	// [info: up error: disk info: ok error: disk]
	// 0
}

func ExampleMakePubSub() {
	var ps *stream.PubSub[int]
	_, _ = effect.Run(context.Background(), effect.Scoped(effect.Map(stream.MakePubSub[any, error, int](4, stream.Dropping),
		func(p *stream.PubSub[int]) struct{} { ps = p; return struct{}{} })), nil)
	fmt.Println(ps.IsClosed())
	// Output: true
}

// A slow subscriber under the Dropping policy misses messages and counts
// them.
func ExamplePubSub_Publish() {
	ps := stream.NewPubSub[int](2, stream.Dropping)
	prog := effect.Scoped(effect.FlatMap(ps.Subscribe[any, error](nil), func(sub *stream.Subscription[int]) Eff[string] {
		publish := effect.ForEach([]int{1, 2, 3, 4}, func(i int) Eff[bool] { return ps.Publish[any, error](i) })
		return effect.FlatMap(publish, func(ok []bool) Eff[string] {
			got, _ := effect.Run(context.Background(), sub.ReceiveUpTo[any, error](10), nil)
			return effect.Succeed[any, error](fmt.Sprint(ok, got, sub.Dropped()))
		})
	}))
	out, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(out)
	// Output: [true true true true] [1 2] 2
}

func ExamplePubSub_Subscribe() {
	ps := stream.NewPubSub[int](4, stream.BackPressure)
	prog := effect.Scoped(effect.FlatMap(ps.Subscribe[any, error](func(i int) bool { return i > 1 }), func(sub *stream.Subscription[int]) Eff[effect.Option[int]] {
		return effect.AndThen(ps.Publish[any, error](1), effect.AndThen(ps.Publish[any, error](2), sub.Receive[any, error]()))
	}))
	got, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(got.Value)
	// Output: 2
}

func ExampleSubscription_All() {
	ps := stream.NewPubSub[string](4, stream.BackPressure)
	prog := effect.Scoped(effect.FlatMap(ps.Subscribe[any, error](nil), func(s *stream.Subscription[string]) Eff[struct{}] {
		publish := effect.AndThen(ps.Publish[any, error]("a"), ps.Publish[any, error]("b"))
		return effect.AndThen(publish, effect.Sync[any, error](func() struct{} {
			ps.Close() // the subscription ends once drained
			for m := range s.All(context.Background()) {
				fmt.Println(m)
			}
			return struct{}{}
		}))
	}))
	_, _ = effect.Run(context.Background(), prog, nil)
	// Output:
	// a
	// b
}

func ExampleSubscription_Unsubscribe() {
	ps := stream.NewPubSub[int](4, stream.BackPressure)
	prog := effect.Scoped(effect.FlatMap(ps.Subscribe[any, error](nil), func(s *stream.Subscription[int]) Eff[string] {
		s.Unsubscribe()
		return effect.Map(ps.Publish[any, error](1), func(bool) string {
			_, ok, closed := s.TryReceive()
			return fmt.Sprint(ps.Subscribers(), ok, closed, s.Len())
		})
	}))
	out, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(out)
	// Output: 0 false true 0
}

// Select fires the case that is ready; the effect of each case reports
// which one it was.
func ExampleSelect() {
	orders, cancels := stream.NewChannel[string](1), stream.NewChannel[string](1)
	cancels.TrySend("order 7")
	sel := stream.Select(
		stream.OnReceive(orders, func(o string, ok bool) Eff[string] { return effect.Succeed[any, error]("new " + o) }),
		stream.OnReceive(cancels, func(o string, ok bool) Eff[string] { return effect.Succeed[any, error]("cancel " + o) }),
		stream.OnTimeout(time.Second, func() Eff[string] { return effect.Succeed[any, error]("idle") }),
	)
	got, _ := effect.Run(context.Background(), sel, nil)
	fmt.Println(got)
	// Output: cancel order 7
}

func ExampleOnTimeout() {
	never := stream.NewChannel[int](0)
	sel := stream.Select(
		stream.OnReceive(never, func(int, bool) Eff[string] { return effect.Succeed[any, error]("value") }),
		stream.OnTimeout(10*time.Millisecond, func() Eff[string] { return effect.Succeed[any, error]("timed out") }),
	)
	got, _ := effect.Run(context.Background(), sel, nil)
	fmt.Println(got)
	// Output: timed out
}

func ExampleOnReceive() {
	done := stream.NewChannel[int](0)
	done.Close()
	sel := stream.Select(stream.OnReceive(done, func(v int, ok bool) Eff[string] {
		return effect.Succeed[any, error](fmt.Sprint("closed: ", !ok))
	}))
	got, _ := effect.Run(context.Background(), sel, nil)
	fmt.Println(got)
	// Output: closed: true
}

func ExampleOnSend() {
	out := stream.NewChannel[int](1)
	sel := stream.Select(stream.OnSend(out, 5, func(sent bool) Eff[bool] { return effect.Succeed[any, error](sent) }))
	sent, _ := effect.Run(context.Background(), sel, nil)
	v, _, _ := out.TryReceive()
	fmt.Println(sent, v)
	// Output: true 5
}

func ExampleOnDefault() {
	empty := stream.NewChannel[int](1)
	sel := stream.Select(
		stream.OnReceive(empty, func(int, bool) Eff[string] { return effect.Succeed[any, error]("value") }),
		stream.OnDefault(func() Eff[string] { return effect.Succeed[any, error]("nothing ready") }),
	)
	got, _ := effect.Run(context.Background(), sel, nil)
	fmt.Println(got)
	// Output: nothing ready
}
