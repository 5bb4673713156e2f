package stream

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gogoscope/gogoscope/effect"
)

// PubSub is a broadcast channel: every message published goes to every
// subscriber whose filter accepts it, in publication order, unlike a
// [Channel], where each element goes to one receiver. A subscriber receives
// the messages published after it subscribed, not before.
//
// Each subscriber has its own buffer of the PubSub's capacity, and the
// PubSub's [Strategy] is its policy for slow subscribers:
//
//   - [BackPressure]: [PubSub.Publish] waits until every subscriber that
//     accepts the message has room for it, then hands it to all of them at
//     once. Nothing is lost; the slowest subscriber sets the pace. A
//     publication is atomic: an interrupted Publish reached no subscriber.
//   - [Dropping]: Publish never waits; a subscriber whose buffer is full
//     misses the message, and its [Subscription.Dropped] count grows.
//   - [Sliding]: Publish never waits; a subscriber whose buffer is full
//     loses its oldest buffered message instead, and its Dropped count grows.
//
// Subscriptions made with [PubSub.Subscribe] end when the current scope
// closes; a PubSub made with [MakePubSub] is closed when its scope closes,
// which ends every subscription after its buffer is drained. The zero PubSub
// is not usable.
//
// A fiber waiting to publish shows in dumps, wait hooks and the profiler as
// waiting on "pubsub NAME" (see [WithName]), and a subscriber waiting for a
// message as waiting on "subscription NAME"; neither reports holders (see
// [QueueOption]).
type PubSub[A any] struct {
	capacity int
	strategy Strategy
	name     string

	mu      sync.Mutex
	closed  bool
	subs    []*Subscription[A]
	pubq    waitQueue[A] // publishers waiting for room (BackPressure)
	waiting atomic.Int32
}

// NewPubSub returns an open PubSub whose subscribers buffer up to capacity
// messages each, with strategy as the policy for slow subscribers. Nothing
// owns it; see [MakePubSub]. Options name it ([WithName]). It panics if
// capacity is not positive.
func NewPubSub[A any](capacity int, strategy Strategy, opts ...QueueOption) *PubSub[A] {
	if capacity <= 0 {
		panic(fmt.Sprintf("stream.NewPubSub: capacity must be > 0, got %d", capacity))
	}
	if strategy > Sliding {
		panic(fmt.Sprintf("stream.NewPubSub: unknown strategy %v", strategy))
	}
	return &PubSub[A]{capacity: capacity, strategy: strategy, name: configure("stream.NewPubSub", opts).name}
}

// MakePubSub returns an effect that makes a PubSub as [NewPubSub] does,
// owned by the current scope: when that scope closes, the PubSub is closed.
func MakePubSub[R, E, A any](capacity int, strategy Strategy, opts ...QueueOption) effect.Effect[R, E, *PubSub[A]] {
	NewPubSub[A](capacity, strategy, opts...) // validate now, at construction
	return effect.AcquireRelease(
		effect.Sync[R, E](func() *PubSub[A] { return NewPubSub[A](capacity, strategy, opts...) }),
		func(p *PubSub[A]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { p.Close(); return struct{}{} })
		})
}

// Publish returns an effect that publishes a to every current subscriber
// whose filter accepts it, and reports whether it was published: false once
// the PubSub is closed. With [BackPressure] it waits until every such
// subscriber has room, in FIFO order with other waiting publishers; the wait
// is interruptible, and an interrupted Publish reached no subscriber. With
// [Dropping] and [Sliding] it never waits. Filters run while the PubSub is
// locked: they must be quick and must not use the PubSub.
func (p *PubSub[A]) Publish[R, E any](a A) effect.Effect[R, E, bool] {
	return effect.Suspend(func() effect.Effect[R, E, bool] {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return effect.Succeed[R, E](false)
		}
		if p.strategy != BackPressure || (p.pubq.FrontValue() == nil && p.roomLocked(a)) {
			p.deliverLocked(a)
			p.mu.Unlock()
			return effect.Succeed[R, E](true)
		}
		p.mu.Unlock()
		return parkPublisher[R, E](p, a)
	})
}

func parkPublisher[R, E, A any](p *PubSub[A], a A) effect.Effect[R, E, bool] {
	st := &waitState{}
	w := &waiter[A]{st: st, send: []A{a}}
	wait := effect.AsyncOn[R, E, struct{}](p, func(resume func(effect.Exit[E, struct{}])) func() {
		st.wake = func() { resume(effect.Exit[E, struct{}]{}) }
		p.mu.Lock()
		// Announce the wait before looking for room: a subscriber that
		// makes room after the look then sees a publisher waiting, and
		// pumps.
		p.waiting.Add(1)
		if p.closed || (p.pubq.FrontValue() == nil && p.roomLocked(a)) {
			p.waiting.Add(-1)
			if w.closed = p.closed; !w.closed {
				p.deliverLocked(a)
			}
			p.mu.Unlock()
			resume(effect.Exit[E, struct{}]{})
			return nil
		}
		p.pubq.Push(w.node())
		p.mu.Unlock()
		return func() {
			p.mu.Lock()
			if st.cancel() {
				p.unlinkPublisher(w)
			}
			p.mu.Unlock()
			// Publishers queued behind this one waited for their turn, not
			// for room: they may go on now.
			p.pump()
		}
	})
	done := effect.CatchCause(wait, func(c effect.Cause[E]) effect.Effect[R, E, struct{}] {
		if c.IsInterruptedOnly() && st.fired() >= 0 {
			return effect.Unit[R, E]()
		}
		return effect.FailCause[R, struct{}](c)
	})
	return effect.Map(done, func(struct{}) bool { return !w.closed })
}

// BlockerName returns ("pubsub", its name), for [effect.Blocker].
func (p *PubSub[A]) BlockerName() (kind, name string) { return "pubsub", p.name }

// BlockerHolders returns no holders (see [QueueOption]) and how many
// publishers wait and for how many subscribers: "2 publishers waiting, 3
// subscribers". It takes the PubSub's lock.
func (p *PubSub[A]) BlockerHolders() ([]effect.FiberID, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return nil, plural(p.pubq.Len(), "publisher") + " waiting, " + plural(len(p.subs), "subscriber")
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}

func (p *PubSub[A]) unlinkPublisher(w *waiter[A]) {
	if p.pubq.Remove(&w.link) {
		p.waiting.Add(-1)
	}
}

func (p *PubSub[A]) accepts(s *Subscription[A], a A) bool {
	return s.filter == nil || s.filter(a)
}

// roomLocked reports whether every subscriber that accepts a has room.
func (p *PubSub[A]) roomLocked(a A) bool {
	for _, s := range p.subs {
		if !p.accepts(s, a) {
			continue
		}
		s.c.mu.Lock()
		ok := s.c.hasRoomLocked()
		s.c.mu.Unlock()
		if !ok {
			return false
		}
	}
	return true
}

// deliverLocked hands a to every subscriber that accepts it, each applying
// the strategy.
func (p *PubSub[A]) deliverLocked(a A) {
	for _, s := range p.subs {
		if !p.accepts(s, a) {
			continue
		}
		s.c.mu.Lock()
		if !s.c.closed {
			s.c.trySendLocked(a)
		}
		s.c.mu.Unlock()
	}
}

// pump publishes the messages of waiting publishers, oldest first, while
// every subscriber concerned has room. Subscribers call it when they make
// room; it costs an atomic load when nobody waits.
func (p *PubSub[A]) pump() {
	if p.waiting.Load() == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for w := p.pubq.FrontValue(); w != nil; w = p.pubq.FrontValue() {
		if !w.st.pending() {
			p.unlinkPublisher(w)
			continue
		}
		if !p.roomLocked(w.send[0]) {
			return
		}
		p.unlinkPublisher(w)
		if w.st.claim(0) {
			p.deliverLocked(w.send[0])
			w.st.wake()
		}
	}
}

// Close closes the PubSub: later publications report false, waiting
// publishers are woken with false, and every subscription ends once its
// subscriber has received what is buffered. Closing twice does nothing.
func (p *PubSub[A]) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	subs := p.subs
	p.subs = nil
	for w := p.pubq.FrontValue(); w != nil; w = p.pubq.FrontValue() {
		p.unlinkPublisher(w)
		if w.st.claim(0) {
			w.closed = true
			w.st.wake()
		}
	}
	p.mu.Unlock()
	for _, s := range subs {
		s.c.close()
	}
}

// IsClosed reports whether the PubSub was closed.
func (p *PubSub[A]) IsClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// Subscribers returns how many subscriptions are active.
func (p *PubSub[A]) Subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.subs)
}

// Subscribe returns an effect that subscribes to the PubSub and succeeds with
// the subscription, which receives every message published from now on that
// filter accepts (every message if filter is nil). The subscription belongs
// to the current scope: it is unsubscribed when the scope closes. Subscribing
// to a closed PubSub gives a subscription that is already closed.
func (p *PubSub[A]) Subscribe[R, E any](filter func(A) bool) effect.Effect[R, E, *Subscription[A]] {
	return effect.AcquireRelease(
		effect.Sync[R, E](func() *Subscription[A] { return p.subscribe(filter) }),
		func(s *Subscription[A]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { s.Unsubscribe(); return struct{}{} })
		})
}

func (p *PubSub[A]) subscribe(filter func(A) bool) *Subscription[A] {
	s := &Subscription[A]{ps: p, filter: filter}
	s.c.init("subscription", p.capacity, p.strategy, config{name: p.name})
	s.c.onTake = p.pump
	p.mu.Lock()
	isClosed := p.closed
	if !isClosed {
		p.subs = append(p.subs, s)
	}
	p.mu.Unlock()
	if isClosed {
		s.c.close()
	}
	return s
}

// Subscription is one subscriber's view of a [PubSub]: its own buffer of
// messages, received as from a [Channel]. Get one with [PubSub.Subscribe].
type Subscription[A any] struct {
	ps     *PubSub[A]
	filter func(A) bool
	c      core[A]
}

// Receive returns an effect that waits for the next message and succeeds
// with it, or with None once the subscription has ended (unsubscribed, or
// the PubSub closed) and its buffer is drained. The wait is interruptible;
// an interrupted Receive has received nothing.
func (s *Subscription[A]) Receive[R, E any]() effect.Effect[R, E, effect.Option[A]] {
	return recv1[R, E](&s.c)
}

// ReceiveUpTo returns an effect that receives between 1 and max messages,
// waiting for the first, or succeeds with an empty slice once the
// subscription has ended and is drained. It panics if max is not positive.
func (s *Subscription[A]) ReceiveUpTo[R, E any](max int) effect.Effect[R, E, []A] {
	checkMax("Subscription.ReceiveUpTo", max)
	return recvUpTo[R, E](&s.c, max)
}

// TryReceive receives a message without waiting, as [Channel.TryReceive].
func (s *Subscription[A]) TryReceive() (a A, ok, closed bool) {
	s.c.recv.notePlain()
	return s.c.tryTake1()
}

// All returns an iterator over the subscription's messages, as
// [Channel.All] does for a channel.
func (s *Subscription[A]) All(ctx context.Context) iter.Seq[A] {
	return func(yield func(A) bool) {
		for {
			a, ok, err := recv1Context(ctx, &s.c)
			if !ok || err != nil || !yield(a) {
				return
			}
		}
	}
}

// Unsubscribe ends the subscription: it receives no new message, and its
// receivers get what is buffered and then None. Publishers that waited only
// for this subscriber go on. Unsubscribing twice does nothing.
func (s *Subscription[A]) Unsubscribe() {
	p := s.ps
	p.mu.Lock()
	if i := slices.Index(p.subs, s); i >= 0 {
		p.subs = slices.Delete(p.subs, i, i+1)
	}
	p.mu.Unlock()
	s.c.close()
	p.pump()
}

// Dropped returns how many messages this subscriber missed because its
// buffer was full ([Dropping] and [Sliding] only).
func (s *Subscription[A]) Dropped() uint64 { return s.c.dropped.Load() }

// Len returns how many messages are buffered for this subscriber.
func (s *Subscription[A]) Len() int { return s.c.len() }

func (s *Subscription[A]) receiverCore() *core[A] { return &s.c }
