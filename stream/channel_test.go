package stream

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func TestChannelSendReceiveFIFO(t *testing.T) {
	ch := NewChannel[int](3)
	prog := effect.FlatMap(ch.SendAll[any, error]([]int{1, 2, 3}), func(n int) Eff[[]int] {
		if n != 3 {
			t.Errorf("SendAll: got %d want 3", n)
		}
		var got []int
		recv := effect.Map(ch.Receive[any, error](), func(o effect.Option[int]) struct{} {
			got = append(got, o.Value)
			return struct{}{}
		})
		return recv.AndThen(recv).AndThen(recv).As(got).Map(func([]int) []int { return got })
	})
	if got := run(t, prog); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v want [1 2 3]", got)
	}
	if ch.Len() != 0 || ch.Cap() != 3 {
		t.Fatalf("Len %d Cap %d, want 0 3", ch.Len(), ch.Cap())
	}
}

func TestChannelBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := NewChannel[int](2)
		var sentCount int
		var mu sync.Mutex
		producer := effect.ForEach([]int{1, 2, 3, 4, 5}, func(i int) Eff[bool] {
			return ch.Send[any, error](i).Tap(func(bool) Eff[struct{}] {
				return unit(func() { mu.Lock(); sentCount++; mu.Unlock() })
			})
		})
		rt := effect.NewRuntime()
		fb := start(rt, producer)
		synctest.Wait()
		mu.Lock()
		if sentCount != 2 || ch.Len() != 2 {
			t.Fatalf("producer ran ahead of a full buffer: sent %d, buffered %d; want 2, 2", sentCount, ch.Len())
		}
		mu.Unlock()
		if v, ok, _ := ch.TryReceive(); !ok || v != 1 {
			t.Fatalf("TryReceive: got %d %v want 1 true", v, ok)
		}
		synctest.Wait()
		mu.Lock()
		if sentCount != 3 || ch.Len() != 2 {
			t.Fatalf("after one receive: sent %d, buffered %d; want 3, 2", sentCount, ch.Len())
		}
		mu.Unlock()
		var rest []int
		for range 4 {
			v, ok, _ := ch.TryReceive()
			if !ok {
				synctest.Wait()
				v, ok, _ = ch.TryReceive()
			}
			if !ok {
				t.Fatal("TryReceive: nothing ready")
			}
			rest = append(rest, v)
			synctest.Wait()
		}
		if !slices.Equal(rest, []int{2, 3, 4, 5}) {
			t.Fatalf("got %v want [2 3 4 5]", rest)
		}
		if ex := wait(t, fb); !ex.IsSuccess() {
			t.Fatalf("producer: %v", ex)
		}
	})
}

func TestChannelUnbufferedRendezvous(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := NewChannel[string](0)
		rt := effect.NewRuntime()
		fb := start(rt, ch.Send[any, error]("hi"))
		synctest.Wait()
		if _, ok := fb.Poll(); ok {
			t.Fatal("send on an unbuffered channel finished without a receiver")
		}
		if ch.Len() != 0 {
			t.Fatalf("unbuffered channel buffered %d elements", ch.Len())
		}
		got := run(t, ch.Receive[any, error]())
		if got != effect.Some("hi") {
			t.Fatalf("got %v want Some(hi)", got)
		}
		if ex := wait(t, fb); ex.String() != "Success(true)" {
			t.Fatalf("send: got %v want Success(true)", ex)
		}
		if ch.TrySend("x") {
			t.Fatal("TrySend on an unbuffered channel without receiver succeeded")
		}
	})
}

func TestChannelMultipleProducersConsumers(t *testing.T) {
	const producers, consumers, each = 4, 3, 250
	ch := NewChannel[int](8)
	var mu sync.Mutex
	seen := map[int]int{}
	var prods []Eff[struct{}]
	for p := range producers {
		items := make([]int, each)
		for i := range items {
			items[i] = p*each + i
		}
		prods = append(prods, effect.ForEach(items, func(i int) Eff[bool] { return ch.Send[any, error](i) }).Void())
	}
	consumer := func() Eff[struct{}] {
		var loop Eff[struct{}]
		loop = effect.FlatMap(ch.Receive[any, error](), func(o effect.Option[int]) Eff[struct{}] {
			if !o.OK {
				return effect.Unit[any, error]()
			}
			mu.Lock()
			seen[o.Value]++
			mu.Unlock()
			return loop
		})
		return loop
	}
	var cons []Eff[struct{}]
	for range consumers {
		cons = append(cons, consumer())
	}
	prog := effect.FlatMap(effect.Fork(effect.All(cons, effect.Par{})), func(fb *effect.Fiber[error, []struct{}]) Eff[[]struct{}] {
		return effect.All(prods, effect.Par{}).AndThen(unit(ch.Close)).AndThen(effect.Join[any](fb))
	})
	run(t, prog)
	if len(seen) != producers*each {
		t.Fatalf("received %d distinct values, want %d", len(seen), producers*each)
	}
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("value %d received %d times", v, n)
		}
	}
}

func TestChannelCloseSemantics(t *testing.T) {
	t.Run("drain then closed", func(t *testing.T) {
		ch := NewChannel[int](4)
		ch.TrySend(1)
		ch.TrySend(2)
		ch.Close()
		ch.Close() // closing twice is harmless
		if ch.TrySend(3) {
			t.Fatal("TrySend after Close succeeded")
		}
		if got := run(t, ch.Send[any, error](3)); got {
			t.Fatal("Send after Close reported true")
		}
		var got []effect.Option[int]
		for range 3 {
			got = append(got, run(t, ch.Receive[any, error]()))
		}
		want := []effect.Option[int]{effect.Some(1), effect.Some(2), effect.None[int]()}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v want %v", got, want)
		}
		if _, ok, closed := ch.TryReceive(); ok || !closed {
			t.Fatalf("TryReceive on a drained closed channel: ok %v closed %v", ok, closed)
		}
		if !ch.IsClosed() {
			t.Fatal("IsClosed false after Close")
		}
	})
	t.Run("close wakes every waiter", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			full := NewChannel[int](1)
			full.TrySend(0)
			empty := NewChannel[int](1)
			rt := effect.NewRuntime()
			var recvs []*effect.Fiber[error, effect.Option[int]]
			var sends []*effect.Fiber[error, bool]
			for range 3 {
				recvs = append(recvs, start(rt, empty.Receive[any, error]()))
				sends = append(sends, start(rt, full.Send[any, error](1)))
			}
			synctest.Wait()
			empty.Close()
			full.Close()
			for _, fb := range recvs {
				if ex := wait(t, fb); ex.String() != "Success({0 false})" {
					t.Fatalf("receiver: got %v want closed", ex)
				}
			}
			for _, fb := range sends {
				if ex := wait(t, fb); ex.String() != "Success(false)" {
					t.Fatalf("sender: got %v want false", ex)
				}
			}
			if v, ok, _ := full.TryReceive(); !ok || v != 0 {
				t.Fatalf("buffered element lost by close: %d %v", v, ok)
			}
		})
	})
}

func TestChannelClosedWithScope(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		made := effect.NewDeferred[error, *Channel[int]]()
		inner := effect.Scoped(effect.FlatMap(MakeChannel[any, error, int](1), func(c *Channel[int]) Eff[struct{}] {
			made.Succeed(c)
			return effect.Sleep[any, error](time.Second)
		}))
		awaitCh := made.Await[any]()
		// A receiver in another fiber, blocked on the channel, is woken with
		// "closed" when the scope that owns the channel closes.
		rt := effect.NewRuntime()
		receiver := start(rt, effect.FlatMap(awaitCh, func(ch *Channel[int]) Eff[effect.Option[int]] {
			return ch.Receive[any, error]()
		}))
		owner := start(rt, inner)
		synctest.Wait()
		ex, _ := made.Poll()
		ch, _ := ex.Value()
		if ch.IsClosed() {
			t.Fatal("channel closed before its scope")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if !ch.IsClosed() {
			t.Fatal("channel not closed with its scope")
		}
		if ex := wait(t, receiver); ex.String() != "Success({0 false})" {
			t.Fatalf("blocked receiver: got %v want closed", ex)
		}
		wait(t, owner)
	})
}

func TestChannelInterruptedReceiveConsumesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := NewChannel[int](1)
		rt := effect.NewRuntime()
		fb := start(rt, ch.Receive[any, error]())
		synctest.Wait()
		if ex := interrupt(t, fb); !ex.IsInterrupted() {
			t.Fatalf("got %v want interrupted", ex)
		}
		ch.TrySend(7)
		if v, ok, _ := ch.TryReceive(); !ok || v != 7 {
			t.Fatalf("element sent after the interrupted receive: got %d %v want 7 true", v, ok)
		}
	})
}

func TestChannelInterruptedSendSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := NewChannel[int](1)
		ch.TrySend(1)
		rt := effect.NewRuntime()
		fb := start(rt, ch.Send[any, error](2))
		synctest.Wait()
		if ex := interrupt(t, fb); !ex.IsInterrupted() {
			t.Fatalf("got %v want interrupted", ex)
		}
		ch.Close()
		var got []int
		for v := range ch.All(context.Background()) {
			got = append(got, v)
		}
		if !slices.Equal(got, []int{1}) {
			t.Fatalf("got %v want [1]: the interrupted send must not have sent", got)
		}
	})
}

func TestChannelSendAllInterruptedReportsPrefix(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := NewChannel[int](2)
		rt := effect.NewRuntime()
		fb := start(rt, ch.SendAll[any, error]([]int{1, 2, 3, 4, 5}))
		synctest.Wait()
		v, _, _ := ch.TryReceive() // makes room: 3 moves into the buffer
		synctest.Wait()
		ex := interrupt(t, fb)
		if n, ok := ex.Value(); !ok || n != 3 {
			t.Fatalf("got %v want Success(3): a prefix was sent", ex)
		}
		got := []int{v}
		for len(got) < 3 {
			x, ok, _ := ch.TryReceive()
			if !ok {
				break
			}
			got = append(got, x)
		}
		if !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("got %v want [1 2 3]", got)
		}
	})
}

func TestChannelReceiveUpTo(t *testing.T) {
	ch := NewChannel[int](10)
	run(t, ch.SendAll[any, error]([]int{1, 2, 3, 4, 5}))
	if got := run(t, ch.ReceiveUpTo[any, error](3)); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v want [1 2 3]", got)
	}
	ch.Close()
	if got := run(t, ch.ReceiveUpTo[any, error](3)); !slices.Equal(got, []int{4, 5}) {
		t.Fatalf("got %v want [4 5]", got)
	}
	if got := run(t, ch.ReceiveUpTo[any, error](3)); len(got) != 0 {
		t.Fatalf("got %v want empty (closed)", got)
	}
}

func TestChannelAllStopsOnContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := NewChannel[int](4)
		ch.TrySend(1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan []int)
		go func() {
			var got []int
			for v := range ch.All(ctx) {
				got = append(got, v)
			}
			done <- got
		}()
		synctest.Wait()
		cancel()
		if got := <-done; !slices.Equal(got, []int{1}) {
			t.Fatalf("got %v want [1]", got)
		}
		ch.TrySend(2)
		if v, ok, _ := ch.TryReceive(); !ok || v != 2 {
			t.Fatal("a cancelled iteration consumed an element")
		}
	})
}

func TestChannelPanicsOnBadArguments(t *testing.T) {
	for name, f := range map[string]func(){
		"NewChannel":  func() { NewChannel[int](-1) },
		"MakeChannel": func() { MakeChannel[any, error, int](-1) },
		"ReceiveUpTo": func() { NewChannel[int](1).ReceiveUpTo[any, error](0) },
		"NewQueue":    func() { NewQueue[int](0, BackPressure) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}
