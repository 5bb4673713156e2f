package stream

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// subscribe subscribes from plain Go, in a scope the test closes.
func subscribe[A any](t *testing.T, p *PubSub[A], filter func(A) bool) *Subscription[A] {
	t.Helper()
	return p.subscribe(filter)
}

func drainSub[A any](s *Subscription[A]) []A {
	var out []A
	for {
		a, ok, _ := s.TryReceive()
		if !ok {
			return out
		}
		out = append(out, a)
	}
}

func publish[A any](t *testing.T, p *PubSub[A], as ...A) {
	t.Helper()
	for _, a := range as {
		if !run(t, p.Publish[any, error](a)) {
			t.Fatalf("Publish(%v) reported false", a)
		}
	}
}

func TestPubSubEverySubscriberGetsEveryMessageAfterSubscribing(t *testing.T) {
	p := NewPubSub[int](16, BackPressure)
	early := subscribe(t, p, nil)
	publish(t, p, 1)
	late := subscribe(t, p, nil)
	evens := subscribe(t, p, func(i int) bool { return i%2 == 0 })
	publish(t, p, 2, 3, 4)
	if got := drainSub(early); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Fatalf("early subscriber: got %v want [1 2 3 4]", got)
	}
	if got := drainSub(late); !slices.Equal(got, []int{2, 3, 4}) {
		t.Fatalf("late subscriber: got %v want [2 3 4]", got)
	}
	if got := drainSub(evens); !slices.Equal(got, []int{2, 4}) {
		t.Fatalf("filtered subscriber: got %v want [2 4]", got)
	}
	if p.Subscribers() != 3 {
		t.Fatalf("Subscribers: got %d want 3", p.Subscribers())
	}
}

func TestPubSubBackPressureWaitsForSlowestSubscriber(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPubSub[int](1, BackPressure)
		fast := subscribe(t, p, nil)
		slow := subscribe(t, p, nil)
		odd := subscribe(t, p, func(i int) bool { return i%2 == 1 })
		publish(t, p, 1)
		rt := effect.NewRuntime()
		second := start(rt, p.Publish[any, error](2))
		synctest.Wait()
		if _, done := second.Poll(); done {
			t.Fatal("publisher did not wait for full subscribers")
		}
		if got := drainSub(fast); !slices.Equal(got, []int{1}) {
			t.Fatalf("fast: got %v want [1]", got)
		}
		synctest.Wait()
		if _, done := second.Poll(); done {
			t.Fatal("publisher went on while the slow subscriber was still full")
		}
		if v, ok, _ := slow.TryReceive(); !ok || v != 1 {
			t.Fatalf("slow: got %d %v want 1", v, ok)
		}
		// odd is still full with 1, but does not accept 2: it does not
		// hold the publisher back.
		if ex := wait(t, second); ex.String() != "Success(true)" {
			t.Fatalf("publish: got %v want Success(true)", ex)
		}
		if fast.Len() != 1 || slow.Len() != 1 || odd.Len() != 1 {
			t.Fatalf("buffers: fast %d slow %d odd %d, want 1 1 1", fast.Len(), slow.Len(), odd.Len())
		}
	})
}

func TestPubSubInterruptedPublishReachesNobody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPubSub[int](1, BackPressure)
		a := subscribe(t, p, nil)
		b := subscribe(t, p, nil)
		publish(t, p, 1)
		drainSub(a) // a has room, b is full
		rt := effect.NewRuntime()
		fb := start(rt, p.Publish[any, error](2))
		synctest.Wait()
		if ex := interrupt(t, fb); !ex.IsInterrupted() {
			t.Fatalf("got %v want interrupted", ex)
		}
		if got := drainSub(a); len(got) != 0 {
			t.Fatalf("an interrupted publication reached a subscriber: %v", got)
		}
		if got := drainSub(b); !slices.Equal(got, []int{1}) {
			t.Fatalf("b: got %v want [1]", got)
		}
	})
}

func TestPubSubDroppingAndSlidingSlowSubscribers(t *testing.T) {
	tests := []struct {
		strategy Strategy
		slow     []int
	}{
		{Dropping, []int{1, 2}},
		{Sliding, []int{4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.strategy.String(), func(t *testing.T) {
			p := NewPubSub[int](2, tt.strategy)
			fast := subscribe(t, p, nil)
			slow := subscribe(t, p, nil)
			var fastGot []int
			for i := 1; i <= 5; i++ {
				publish(t, p, i)
				fastGot = append(fastGot, drainSub(fast)...)
			}
			if !slices.Equal(fastGot, []int{1, 2, 3, 4, 5}) {
				t.Fatalf("fast: got %v want all", fastGot)
			}
			if got := drainSub(slow); !slices.Equal(got, tt.slow) {
				t.Fatalf("slow: got %v want %v", got, tt.slow)
			}
			if slow.Dropped() != 3 || fast.Dropped() != 0 {
				t.Fatalf("Dropped: slow %d fast %d, want 3 0", slow.Dropped(), fast.Dropped())
			}
		})
	}
}

func TestPubSubUnsubscribeOnScopeClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPubSub[int](1, BackPressure)
		var sub *Subscription[int]
		scoped := effect.Scoped(effect.FlatMap(p.Subscribe[any, error](nil), func(s *Subscription[int]) Eff[struct{}] {
			sub = s
			return effect.Sleep[any, error](time.Second)
		}))
		rt := effect.NewRuntime()
		owner := start(rt, scoped)
		synctest.Wait()
		if p.Subscribers() != 1 {
			t.Fatalf("Subscribers: got %d want 1", p.Subscribers())
		}
		publish(t, p, 1)
		// The subscriber never reads: the next publication waits for it
		// until its scope closes.
		pub := start(rt, p.Publish[any, error](2))
		synctest.Wait()
		if _, done := pub.Poll(); done {
			t.Fatal("publisher did not wait")
		}
		time.Sleep(time.Second)
		wait(t, owner)
		if ex := wait(t, pub); ex.String() != "Success(true)" {
			t.Fatalf("publish after unsubscribe: got %v", ex)
		}
		if p.Subscribers() != 0 {
			t.Fatalf("Subscribers after scope close: got %d want 0", p.Subscribers())
		}
		if got := drainSub(sub); !slices.Equal(got, []int{1}) {
			t.Fatalf("unsubscribed: got %v want [1]", got)
		}
		if _, _, closed := sub.TryReceive(); !closed {
			t.Fatal("subscription not closed after unsubscribe")
		}
	})
}

func TestPubSubClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPubSub[string](1, BackPressure)
		s := subscribe(t, p, nil)
		publish(t, p, "a")
		rt := effect.NewRuntime()
		blocked := start(rt, p.Publish[any, error]("b"))
		synctest.Wait()
		p.Close()
		if ex := wait(t, blocked); ex.String() != "Success(false)" {
			t.Fatalf("waiting publisher: got %v want false", ex)
		}
		if run(t, p.Publish[any, error]("c")) {
			t.Fatal("Publish after Close reported true")
		}
		got := []effect.Option[string]{run(t, s.Receive[any, error]()), run(t, s.Receive[any, error]())}
		if !slices.Equal(got, []effect.Option[string]{effect.Some("a"), effect.None[string]()}) {
			t.Fatalf("got %v want [a, closed]", got)
		}
		late := subscribe(t, p, nil)
		if _, _, closed := late.TryReceive(); !closed {
			t.Fatal("subscribing to a closed PubSub gave an open subscription")
		}
		if !p.IsClosed() {
			t.Fatal("IsClosed false after Close")
		}
	})
}

func TestMakePubSubClosesWithScope(t *testing.T) {
	var p *PubSub[int]
	run(t, effect.Scoped(effect.Map(MakePubSub[any, error, int](4, Dropping), func(ps *PubSub[int]) struct{} {
		p = ps
		return struct{}{}
	})))
	if !p.IsClosed() {
		t.Fatal("PubSub not closed with its scope")
	}
}
