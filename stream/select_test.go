package stream

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func label(name string) func(int, bool) Eff[string] {
	return func(v int, ok bool) Eff[string] {
		return effect.Succeed[any, error](fmt.Sprintf("%s %d %v", name, v, ok))
	}
}

func TestSelectReadyCase(t *testing.T) {
	a, b := NewChannel[int](1), NewChannel[int](1)
	b.TrySend(7)
	got := run(t, Select(OnReceive(a, label("a")), OnReceive(b, label("b"))))
	if got != "b 7 true" {
		t.Fatalf("got %q want %q", got, "b 7 true")
	}
}

func TestSelectTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewChannel[int](0)
		begin := time.Now()
		got := run(t, Select(
			OnReceive(a, label("a")),
			OnTimeout(5*time.Second, func() Eff[string] { return effect.Succeed[any, error]("timeout") }),
			OnTimeout(7*time.Second, func() Eff[string] { return effect.Succeed[any, error]("later") }),
		))
		if got != "timeout" {
			t.Fatalf("got %q want timeout", got)
		}
		if d := time.Since(begin); d != 5*time.Second {
			t.Fatalf("fired after %v, want exactly 5s", d)
		}
		// The timed-out select left no waiter behind: a send on the
		// unbuffered channel finds no receiver.
		if a.TrySend(1) {
			t.Fatal("a withdrawn select case still received")
		}
	})
}

func TestSelectClosedChannelIsReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		open, closed := NewChannel[int](0), NewChannel[int](0)
		closed.Close()
		got := run(t, Select(
			OnReceive(open, label("open")),
			OnReceive(closed, label("closed")),
			OnTimeout(time.Second, func() Eff[string] { return effect.Succeed[any, error]("timeout") }),
		))
		if got != "closed 0 false" {
			t.Fatalf("got %q want %q", got, "closed 0 false")
		}
		sendClosed := run(t, Select(OnSend(closed, 1, func(sent bool) Eff[bool] { return effect.Succeed[any, error](sent) })))
		if sendClosed {
			t.Fatal("send case on a closed channel reported sent")
		}
	})
}

func TestSelectWaitsThenFiresExactlyOneCase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := NewChannel[int](0), NewChannel[int](0)
		rt := effect.NewRuntime()
		fb := start(rt, Select(OnReceive(a, label("a")), OnReceive(b, label("b"))))
		synctest.Wait()
		if !b.TrySend(2) {
			t.Fatal("TrySend found no waiting select")
		}
		if a.TrySend(1) {
			t.Fatal("a second case of the same select received")
		}
		if ex := wait(t, fb); ex.String() != "Success(b 2 true)" {
			t.Fatalf("got %v want b 2 true", ex)
		}
	})
}

func TestSelectSendCase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := NewChannel[string](1)
		out.TrySend("full")
		in := NewChannel[int](0)
		rt := effect.NewRuntime()
		fb := start(rt, Select(
			OnSend(out, "x", func(sent bool) Eff[string] { return effect.Succeed[any, error](fmt.Sprint("sent ", sent)) }),
			OnReceive(in, label("in")),
		))
		synctest.Wait()
		if v, ok, _ := out.TryReceive(); !ok || v != "full" {
			t.Fatalf("TryReceive: %q %v", v, ok)
		}
		if ex := wait(t, fb); ex.String() != "Success(sent true)" {
			t.Fatalf("got %v want sent true", ex)
		}
		if v, ok, _ := out.TryReceive(); !ok || v != "x" {
			t.Fatalf("the select's element: got %q %v want x", v, ok)
		}
	})
}

func TestSelectDefault(t *testing.T) {
	a := NewChannel[int](1)
	def := OnDefault(func() Eff[string] { return effect.Succeed[any, error]("default") })
	if got := run(t, Select(OnReceive(a, label("a")), def)); got != "default" {
		t.Fatalf("got %q want default", got)
	}
	a.TrySend(3)
	if got := run(t, Select(OnReceive(a, label("a")), def)); got != "a 3 true" {
		t.Fatalf("got %q want a 3 true", got)
	}
}

func TestSelectIsFair(t *testing.T) {
	a, b := NewQueue[int](1000, BackPressure), NewQueue[int](1000, BackPressure)
	for i := range 1000 {
		a.TryOffer(i)
		b.TryOffer(i)
	}
	counts := map[string]int{}
	sel := Select(
		OnReceive(a, func(int, bool) Eff[string] { return effect.Succeed[any, error]("a") }),
		OnReceive(b, func(int, bool) Eff[string] { return effect.Succeed[any, error]("b") }),
	)
	for range 1000 {
		counts[run(t, sel)]++
	}
	// With a fair coin, fewer than 400 of 1000 happens with probability
	// below 1e-9.
	if counts["a"] < 400 || counts["b"] < 400 {
		t.Fatalf("unfair choice among ready cases: %v", counts)
	}
	if a.Len()+b.Len() != 1000 {
		t.Fatalf("select consumed %d elements, want 1000", 2000-a.Len()-b.Len())
	}
}

func TestSelectInterruptedLeavesNoWaiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewChannel[int](0)
		b := NewChannel[int](1)
		b.TrySend(0) // full: a send case waits
		rt := effect.NewRuntime()
		fb := start(rt, Select(
			OnReceive(a, label("a")),
			OnSend(b, 9, func(bool) Eff[string] { return effect.Succeed[any, error]("b") }),
		))
		synctest.Wait()
		if ex := interrupt(t, fb); !ex.IsInterrupted() {
			t.Fatalf("got %v want interrupted", ex)
		}
		if a.TrySend(1) {
			t.Fatal("interrupted select still receives")
		}
		b.TryReceive()
		if b.Len() != 0 {
			t.Fatal("interrupted select still sends")
		}
	})
}

func TestSelectSameChannelBothWays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := NewChannel[int](0)
		rt := effect.NewRuntime()
		fb := start(rt, Select(
			OnReceive(ch, label("recv")),
			OnSend(ch, 5, func(bool) Eff[string] { return effect.Succeed[any, error]("send") }),
		))
		synctest.Wait()
		if v, ok, _ := ch.TryReceive(); !ok || v != 5 {
			t.Fatalf("TryReceive: got %d %v want 5", v, ok)
		}
		if ex := wait(t, fb); ex.String() != "Success(send)" {
			t.Fatalf("got %v want send", ex)
		}
	})
}

func TestSelectWithoutCasesWaitsUntilInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		fb := start(rt, Select[any, error, int]())
		synctest.Wait()
		if ex := interrupt(t, fb); !ex.IsInterrupted() {
			t.Fatalf("got %v want interrupted", ex)
		}
	})
}
