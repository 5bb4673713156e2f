package interop_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop"
)

func TestRecv(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ch := make(chan int, 1)
		ch <- 5
		effecttest.AssertSucceeds(t, rt.RunExit(context.Background(), interop.Recv[any, error](ch), nil), effect.Some(5))
		time.AfterFunc(time.Second, func() { ch <- 6 })
		effecttest.AssertSucceeds(t, rt.RunExit(context.Background(), interop.Recv[any, error](ch), nil), effect.Some(6))
		close(ch)
		effecttest.AssertSucceeds(t, rt.RunExit(context.Background(), interop.Recv[any, error](ch), nil), effect.None[int]())

		// Interrupted while waiting: the wait ends, nothing is received.
		empty := make(chan int)
		x := rt.RunExit(context.Background(), effect.Timeout(interop.Recv[any, error](empty), time.Second), nil)
		effecttest.AssertFailsWith(t, x, error(effect.ErrTimeout))
	})
}

func TestRecvTypedFailure(t *testing.T) {
	// A failure type that is not an error: the wait's only way to end
	// early is an interruption, never a failure of type E.
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		type appErr struct{ code int }
		empty := make(chan int)
		late := appErr{504}
		x := rt.RunExit(context.Background(), effect.TimeoutFail(interop.Recv[any, appErr](empty), time.Second, late), nil)
		effecttest.AssertFailsWith(t, x, late)
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { cancel(errReason) })
		x = rt.RunExit(ctx, interop.Recv[any, appErr](empty), nil)
		effecttest.AssertInterruptedWith(t, x, errReason)
	})
}

func TestSend(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ch := make(chan int)
		got := make(chan int, 1)
		time.AfterFunc(time.Second, func() { got <- <-ch })
		start := time.Now()
		effecttest.MustSucceed(t, rt.RunExit(context.Background(), interop.Send[any, error](ch, 9), nil))
		if v := <-got; v != 9 || time.Since(start) != time.Second {
			t.Fatalf("received %d after %v, want 9 after 1s", v, time.Since(start))
		}
		// Interrupted send: not sent.
		x := rt.RunExit(context.Background(), effect.Timeout(interop.Send[any, error](ch, 10), time.Second), nil)
		effecttest.AssertFailsWith(t, x, error(effect.ErrTimeout))
		select {
		case v := <-ch:
			t.Fatalf("an interrupted send delivered %d", v)
		default:
		}
		// On a closed channel: a defect, as the panic it is in Go.
		close(ch)
		effecttest.AssertDefect(t, rt.RunExit(context.Background(), interop.Send[any, error](ch, 11), nil), nil)
	})
}

func TestForEachRecv(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ch := make(chan int)
		go func() {
			defer close(ch)
			for i := 1; i <= 5; i++ {
				ch <- i
			}
		}()
		var seen []int
		var at []time.Duration
		start := time.Now()
		sink := func(v int) effect.Effect[any, error, struct{}] {
			return effect.AndThen(effect.Sleep[any, error](time.Second), effect.Sync[any, error](func() struct{} {
				seen, at = append(seen, v), append(at, time.Since(start))
				return struct{}{}
			}))
		}
		effecttest.MustSucceed(t, rt.RunExit(context.Background(), interop.ForEachRecv(ch, sink), nil))
		if !slices.Equal(seen, []int{1, 2, 3, 4, 5}) {
			t.Fatalf("seen %v, want 1..5 in order", seen)
		}
		if at[4] != 5*time.Second {
			t.Fatalf("last value handled at %v, want 5s: one at a time", at[4])
		}
	})
}

func TestForEachRecvStopsAtFailure(t *testing.T) {
	ch := make(chan int, 5)
	for i := 1; i <= 5; i++ {
		ch <- i
	}
	close(ch)
	var seen []int
	x := effect.RunExit(context.Background(), interop.ForEachRecv(ch, func(v int) effect.Effect[any, error, struct{}] {
		seen = append(seen, v)
		if v == 2 {
			return effect.Fail[any, struct{}](errBoom)
		}
		return effect.Unit[any, error]()
	}), nil)
	effecttest.AssertFailsWith(t, x, errBoom)
	if !slices.Equal(seen, []int{1, 2}) || len(ch) != 3 {
		t.Fatalf("seen %v with %d left in ch; want [1 2] and 3 left", seen, len(ch))
	}
}

func TestCollectRecv(t *testing.T) {
	ch := make(chan string, 3)
	ch <- "a"
	ch <- "b"
	close(ch)
	e := interop.CollectRecv[any, error](ch)
	effecttest.AssertSucceeds(t, effect.RunExit(context.Background(), e, nil), []string{"a", "b"})
	// Run again: the channel is drained and closed.
	effecttest.AssertSucceeds(t, effect.RunExit(context.Background(), e, nil), []string(nil))
}

func TestToChan(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		out := interop.ToChan(context.Background(), effect.Sleep[any, error](time.Second).As(7), rt)
		start := time.Now()
		x, ok := <-out
		if !ok || time.Since(start) != time.Second {
			t.Fatalf("exit arrived after %v (ok=%v), want after 1s", time.Since(start), ok)
		}
		effecttest.AssertSucceeds(t, x, 7)
		if _, ok := <-out; ok {
			t.Fatalf("channel not closed after the exit")
		}

		ctx, cancel := context.WithCancelCause(context.Background())
		out = interop.ToChan(ctx, effect.Never[any, error, int](), rt)
		time.AfterFunc(time.Second, func() { cancel(errReason) })
		effecttest.AssertInterruptedWith(t, <-out, errReason)

		// Nobody receives: the fiber still ends, nothing is left behind.
		interop.ToChan(context.Background(), effect.Fail[any, int](errors.New("unseen")), rt)
	})
}

// TestRecvLosesNothing interrupts a receiving fiber at arbitrary moments
// while a plain Go producer sends: every value the producer handed over
// (an unbuffered send completes only when received) must reach the
// consumer's protected hand-off.
func TestRecvLosesNothing(t *testing.T) {
	for round := range 200 {
		ch := make(chan int)
		stop := make(chan struct{})
		sent := make(chan int, 1)
		go func() {
			n := 0
			defer func() { sent <- n }()
			for {
				select {
				case ch <- n:
					n++
				case <-stop:
					return
				}
			}
		}()
		stored := 0
		store := func(o effect.Option[int]) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { stored++; return struct{}{} })
		}
		consume := effect.Forever(effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[any, error, struct{}] {
			return effect.FlatMap(restore.Apply(interop.Recv[any, error](ch)), store)
		}))
		rt := effect.NewRuntime()
		fb := rt.Start(context.Background(), consume, nil)
		time.Sleep(time.Duration(round%7) * 10 * time.Microsecond)
		fb.InterruptFromGo()
		<-fb.Done()
		close(stop)
		if n := <-sent; n != stored {
			t.Fatalf("round %d: producer handed over %d values, consumer stored %d", round, n, stored)
		}
	}
}

// TestSendIsExact interrupts a sending fiber at arbitrary moments: the
// sends it counts as done are exactly the values the receiver got.
func TestSendIsExact(t *testing.T) {
	for round := range 200 {
		ch := make(chan int)
		stop := make(chan struct{})
		got := make(chan int, 1)
		go func() {
			n := 0
			defer func() { got <- n }()
			for {
				select {
				case <-ch:
					n++
				case <-stop:
					return
				}
			}
		}()
		counted := 0
		count := func(struct{}) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { counted++; return struct{}{} })
		}
		produce := effect.Forever(effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[any, error, struct{}] {
			return effect.FlatMap(restore.Apply(interop.Send[any, error](ch, 1)), count)
		}))
		fb := effect.NewRuntime().Start(context.Background(), produce, nil)
		time.Sleep(time.Duration(round%7) * 10 * time.Microsecond)
		fb.InterruptFromGo()
		<-fb.Done()
		close(stop)
		if n := <-got; n != counted {
			t.Fatalf("round %d: receiver got %d values, sender counted %d", round, n, counted)
		}
	}
}
