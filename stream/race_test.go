package stream

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// ledger records, for every value, whether a send of it reported success
// and how many times it was received. Producers and consumers record inside
// an uninterruptible region, right after their operation, so an interruption
// cannot fall between an operation and its record.
type ledger struct {
	mu       sync.Mutex
	sent     map[int]bool
	received map[int]int
}

func newLedger() *ledger { return &ledger{sent: map[int]bool{}, received: map[int]int{}} }

func (l *ledger) send(v int, ok bool) {
	l.mu.Lock()
	l.sent[v] = ok
	l.mu.Unlock()
}

func (l *ledger) receive(v int) {
	l.mu.Lock()
	l.received[v]++
	l.mu.Unlock()
}

// check fails unless every value was received exactly once if its send
// reported true, and never otherwise.
func (l *ledger) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for v, n := range l.received {
		if n != 1 || !l.sent[v] {
			t.Fatalf("value %d received %d times, send reported %v", v, n, l.sent[v])
		}
	}
	for v, ok := range l.sent {
		if ok && l.received[v] != 1 {
			t.Fatalf("value %d: send reported true but it was received %d times", v, l.received[v])
		}
	}
}

// raceScenario runs producers and consumers over two channels while a chaos
// fiber interrupts some of them and may close the channels, then drains what
// is left and checks the ledger.
func raceScenario(t *testing.T, capacity, producers, consumers, perProducer int, closeEarly bool, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	chans := []*Channel[int]{NewChannel[int](capacity), NewChannel[int](capacity)}
	l := newLedger()
	rt := effect.NewRuntime()

	var fibers []*effect.Fiber[error, struct{}]
	for p := range producers {
		plan := make([]int, perProducer)
		for i := range plan {
			plan[i] = rng.IntN(2)
		}
		// Each producer sends its own values, to a channel chosen by plan.
		values := make([]int, perProducer)
		for i := range values {
			values[i] = p*perProducer + i
		}
		send := effect.ForEach(values, func(v int) Eff[struct{}] {
			ch := chans[plan[v%perProducer]]
			return effect.UninterruptibleMask(func(r effect.Restore) Eff[struct{}] {
				return effect.Map(r.Apply(ch.Send[any, error](v)), func(ok bool) struct{} {
					l.send(v, ok)
					return struct{}{}
				})
			})
		})
		fibers = append(fibers, start(rt, effect.Void(send)))
	}
	for c := range consumers {
		var step Eff[bool]
		if c%2 == 0 {
			ch := chans[c%len(chans)]
			step = effect.UninterruptibleMask(func(r effect.Restore) Eff[bool] {
				return effect.Map(r.Apply(ch.Receive[any, error]()), func(o effect.Option[int]) bool {
					if o.OK {
						l.receive(o.Value)
					}
					return o.OK
				})
			})
		} else {
			// The case's effect only carries the value out: it runs in the
			// interruptible region, so an interruption may skip it, but the
			// value it returns is recorded after the region.
			recv := func(v int, ok bool) Eff[effect.Option[int]] {
				return effect.Succeed[any, error](effect.Option[int]{Value: v, OK: ok})
			}
			step = effect.UninterruptibleMask(func(r effect.Restore) Eff[bool] {
				got := r.Apply(Select(OnReceive(chans[0], recv), OnReceive(chans[1], recv)))
				return effect.Map(got, func(o effect.Option[int]) bool {
					if o.OK {
						l.receive(o.Value)
					}
					return o.OK
				})
			})
		}
		var loop Eff[struct{}]
		loop = effect.FlatMap(step, func(more bool) Eff[struct{}] {
			if !more {
				return effect.Unit[any, error]()
			}
			return loop
		})
		fibers = append(fibers, start(rt, loop))
	}
	// Chaos: interrupt some fibers at random moments, maybe close early.
	for range len(fibers) / 2 {
		time.Sleep(time.Duration(rng.IntN(200)) * time.Microsecond)
		fibers[rng.IntN(len(fibers))].InterruptFromGo()
	}
	if closeEarly {
		for _, ch := range chans {
			ch.Close()
		}
	}
	// Let the producers finish (or stop them), then close and stop the
	// consumers, then drain.
	for _, fb := range fibers[:producers] {
		select {
		case <-fb.Done():
		case <-time.After(50 * time.Millisecond):
			fb.InterruptFromGo()
		}
		<-fb.Done()
	}
	for _, ch := range chans {
		ch.Close()
	}
	for _, fb := range fibers[producers:] {
		select {
		case <-fb.Done():
		case <-time.After(50 * time.Millisecond):
			fb.InterruptFromGo()
		}
		<-fb.Done()
	}
	for _, ch := range chans {
		for v := range ch.All(context.Background()) {
			l.receive(v)
		}
	}
	l.check(t)
}

// FuzzChannelRace runs producers, consumers (plain receivers and Selects
// over two channels), interruptions and closes in random interleavings, and
// checks that nothing sent is lost or received twice and nothing unsent is
// received. Run it under -race; go test runs the seeds, go test -fuzz
// explores.
func FuzzChannelRace(f *testing.F) {
	f.Add(uint8(0), uint8(2), uint8(2), uint16(200), false, uint64(1))
	f.Add(uint8(1), uint8(3), uint8(1), uint16(300), false, uint64(2))
	f.Add(uint8(4), uint8(1), uint8(4), uint16(500), true, uint64(3))
	f.Add(uint8(64), uint8(4), uint8(4), uint16(1000), false, uint64(4))
	f.Add(uint8(2), uint8(5), uint8(3), uint16(100), true, uint64(5))
	f.Fuzz(func(t *testing.T, capacity, producers, consumers uint8, per uint16, closeEarly bool, seed uint64) {
		raceScenario(t, int(capacity%70), int(producers%6)+1, int(consumers%6)+1, int(per%1500)+1, closeEarly, seed)
	})
}

// TestRandomInterruptionOfPipelines interrupts concurrent pipelines at
// random moments and checks that every resource acquired was released
// exactly once and that no goroutine is left.
func TestRandomInterruptionOfPipelines(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		tr := &tracker{}
		slow := func(i int) Eff[int] {
			return effect.As(effect.Sleep[any, error](time.Duration(i%3)*time.Microsecond), i)
		}
		s := Merge(
			tr.res("a", naturals()).MapEffect(slow, Par{Limit: 3}),
			tr.res("b", naturals()).Buffer(4),
			ints(1, 2).FlatMap(func(int) S[int] { return tr.res("inner", naturals().Take(500)) }),
		)
		g := GroupedWithin(s, 16, time.Millisecond).Map(func(g []int) int { return len(g) })
		rt := effect.NewRuntime()
		fb := start(rt, g.Drain())
		time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond)
		if ex := interrupt(t, fb); ex.IsSuccess() {
			t.Fatalf("seed %d: an endless pipeline succeeded", seed)
		}
		for _, name := range []string{"a", "b"} {
			tr.checkBalanced(t, name)
		}
		if a, r := tr.count("acquire inner"), tr.count("release inner"); a != r {
			t.Fatalf("seed %d: inner acquired %d released %d", seed, a, r)
		}
	}
}

// TestPubSubRace publishes from several fibers, some interrupted at random,
// to several subscribers, and checks that each subscriber received exactly
// the messages whose publication reported true, each publisher's in order.
func TestPubSubRace(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 11))
		p := NewPubSub[int](1+rng.IntN(4), BackPressure)
		const publishers, subscribers, each = 3, 3, 200
		subs := make([]*Subscription[int], subscribers)
		for i := range subs {
			subs[i] = p.subscribe(nil)
		}
		rt := effect.NewRuntime()
		var mu sync.Mutex
		published := map[int]bool{}
		var pubs []*effect.Fiber[error, []struct{}]
		for k := range publishers {
			values := make([]int, each)
			for i := range values {
				values[i] = k*each + i
			}
			pubs = append(pubs, start(rt, effect.ForEach(values, func(v int) Eff[struct{}] {
				return effect.UninterruptibleMask(func(r effect.Restore) Eff[struct{}] {
					return effect.Map(r.Apply(p.Publish[any, error](v)), func(ok bool) struct{} {
						mu.Lock()
						published[v] = ok
						mu.Unlock()
						return struct{}{}
					})
				})
			})))
		}
		got := make([][]int, subscribers)
		var wg sync.WaitGroup
		for i, s := range subs {
			wg.Go(func() {
				for v := range s.All(context.Background()) {
					got[i] = append(got[i], v)
				}
			})
		}
		time.Sleep(time.Duration(rng.IntN(200)) * time.Microsecond)
		pubs[rng.IntN(publishers)].InterruptFromGo()
		for _, fb := range pubs {
			<-fb.Done()
		}
		p.Close()
		wg.Wait()
		for i := range subs {
			last := make([]int, publishers)
			for k := range last {
				last[k] = -1
			}
			n := 0
			for _, v := range got[i] {
				k := v / each
				if !published[v] || v%each <= last[k] {
					t.Fatalf("seed %d: subscriber %d got %d out of order or unpublished", seed, i, v)
				}
				last[k] = v % each
				n++
			}
			want := 0
			for _, ok := range published {
				if ok {
					want++
				}
			}
			if n != want {
				t.Fatalf("seed %d: subscriber %d got %d messages, %d were published", seed, i, n, want)
			}
		}
	}
}
