package stream

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// This file holds the engine that Queue, Channel and every Subscription share:
// a ring buffer guarded by a mutex, with FIFO lists of blocked senders and
// receivers, much like the Go runtime's own channels. Nothing in it blocks;
// the blocking operations (wait.go) park a waiter here and are woken by the
// operation that completes them.
//
// Invariants, under mu:
//   - receivers wait only while the buffer is empty and no sender waits, and
//     senders wait only while the buffer is full (strategy BackPressure);
//   - a waiter is completed only by the goroutine that wins its waitState
//     (claim); the winner writes the waiter's result while it holds mu, so
//     anyone who later holds mu sees the result.

// coreIDs orders cores for Select, which locks several at once.
var coreIDs atomic.Uint64

// lockable is the part of a core that Select needs without knowing its
// element type.
type lockable struct {
	id uint64
	mu sync.Mutex
}

// Strategy says what a bounded [Queue] (or a [PubSub] subscriber's buffer)
// does with a new element when it is full.
type Strategy uint8

const (
	// BackPressure makes the sender wait until there is room. Nothing is
	// lost; a slow consumer slows its producers down.
	BackPressure Strategy = iota
	// Dropping drops the new element: the send reports false and the
	// [Queue.Dropped] count grows. The sender never waits.
	Dropping
	// Sliding drops the oldest buffered element to make room for the new
	// one: the send reports true and the Dropped count grows. The sender
	// never waits; the consumer always sees the newest elements.
	Sliding
)

// String returns the strategy's name.
func (s Strategy) String() string {
	switch s {
	case BackPressure:
		return "BackPressure"
	case Dropping:
		return "Dropping"
	case Sliding:
		return "Sliding"
	}
	return "Strategy(" + strconv.Itoa(int(s)) + ")"
}

// sendStatus is the outcome of a non-blocking send of one element.
type sendStatus uint8

const (
	sent    sendStatus = iota // delivered to a receiver or buffered
	full                      // no room: a BackPressure sender would wait
	dropped                   // no room: dropped (Dropping)
	closed                    // the core is closed: nothing was sent
)

// core is the shared engine. The zero value is not usable: call init.
type core[A any] struct {
	lockable
	kind     string // "queue", "channel", "subscription": for observability
	name     string
	ring     ring[A]
	capacity int // the most buffered elements; < 0 means unbounded
	strategy Strategy
	closed   bool
	recvq    waitQueue[A]
	sendq    waitQueue[A]
	dropped  atomic.Uint64
	recv     receiverSet // who receives: the holders of a wait to send
	// onTake, when set, is called without mu after a receive made room.
	onTake func()
	built  built
}

// built holds what the one-element operations of a core build once instead
// of at every call: the receive effect and the send step, for the last
// instantiation [R, E] that asked (almost always the only one). The effects
// are immutable and shared by every caller.
type built struct {
	recv atomic.Pointer[any] // an effect.Effect[R, E, effect.Option[A]]
	send atomic.Pointer[any] // a func(A) effect.Effect[R, E, bool]
}

// cachedAs returns the value in p if there is one of type T.
func cachedAs[T any](p *atomic.Pointer[any]) (T, bool) {
	if v := p.Load(); v != nil {
		t, ok := (*v).(T)
		return t, ok
	}
	var zero T
	return zero, false
}

// cache stores v in p, replacing what was there.
func cache[T any](p *atomic.Pointer[any], v T) {
	var box any = v
	p.Store(&box)
}

func (c *core[A]) init(kind string, capacity int, strategy Strategy, cfg config) {
	c.id = coreIDs.Add(1)
	c.kind, c.name = kind, cfg.name
	c.capacity = capacity
	c.strategy = strategy
}

// room returns how many more elements the buffer takes (a large number when
// unbounded).
func (c *core[A]) room() int {
	if c.capacity < 0 {
		return int(^uint(0) >> 2)
	}
	return c.capacity - c.ring.n
}

// offerLocked hands items to waiting receivers, then buffers what fits, and
// applies the strategy to the rest (Dropping drops it, Sliding evicts the
// oldest elements). It returns how many items were accepted; for
// BackPressure the rest is left to the caller, who may wait. c.closed must
// be false.
func (c *core[A]) offerLocked(items []A) int {
	n := 0
	for len(items) > 0 {
		r := c.recvq.FrontValue()
		if r == nil {
			break
		}
		c.recvq.Remove(&r.link)
		if !r.st.claim(r.idx) {
			continue
		}
		k := min(r.max, len(items))
		r.got = append(make([]A, 0, k), items[:k]...)
		r.st.wake()
		items = items[k:]
		n += k
	}
	if len(items) == 0 {
		return n
	}
	k := min(c.room(), len(items))
	c.ring.pushAll(items[:k], c.capacity)
	items = items[k:]
	n += k
	if len(items) == 0 {
		return n
	}
	switch c.strategy {
	case Dropping:
		c.dropped.Add(uint64(len(items)))
	case Sliding:
		if c.capacity == 0 {
			c.dropped.Add(uint64(len(items)))
			return n
		}
		n += len(items)
		if len(items) > c.capacity {
			c.dropped.Add(uint64(len(items) - c.capacity))
			items = items[len(items)-c.capacity:]
		}
		c.dropped.Add(uint64(c.ring.dropFront(len(items))))
		c.ring.pushAll(items, c.capacity)
	}
	return n
}

// trySend sends one element without waiting.
func (c *core[A]) trySend(a A) sendStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trySendLocked(a)
}

func (c *core[A]) trySendLocked(a A) sendStatus {
	if c.closed {
		return closed
	}
	for r := c.recvq.FrontValue(); r != nil; r = c.recvq.FrontValue() {
		c.recvq.Remove(&r.link)
		if r.st.claim(r.idx) {
			r.got = []A{a}
			r.st.wake()
			return sent
		}
	}
	if c.room() > 0 {
		c.ring.push(a, c.capacity)
		return sent
	}
	switch c.strategy {
	case Dropping:
		c.dropped.Add(1)
		return dropped
	case Sliding:
		if c.capacity == 0 {
			c.dropped.Add(1)
			return dropped
		}
		c.dropped.Add(uint64(c.ring.dropFront(1)))
		c.ring.push(a, c.capacity)
		return sent
	}
	return full
}

// refillLocked moves the values of waiting senders into the room that a
// receive made, completing the senders whose values are all delivered. For
// an unbuffered core it does nothing: receivers take from senders directly.
func (c *core[A]) refillLocked() {
	for c.room() > 0 {
		s := c.sendq.FrontValue()
		if s == nil {
			return
		}
		k := min(c.room(), len(s.send))
		c.takeFromSender(s, k, func(vals []A) { c.ring.pushAll(vals, c.capacity) })
	}
}

// takeFromSender moves the first k values of the waiting sender s to put.
// Delivering the last of its values completes s, which must be claimed
// first; delivering a prefix needs only that s was not cancelled. It reports
// false, having unlinked s, when s could not be used.
func (c *core[A]) takeFromSender(s *waiter[A], k int, put func([]A)) bool {
	if k == len(s.send) {
		c.sendq.Remove(&s.link)
		if !s.st.claim(s.idx) {
			return false
		}
		put(s.send)
		s.sent += k
		s.send = nil
		s.st.wake()
		return true
	}
	if !s.st.pending() {
		c.sendq.Remove(&s.link)
		return false
	}
	put(s.send[:k])
	s.sent += k
	s.send = s.send[k:]
	return true
}

// tryTakeLocked takes up to max elements without waiting: from the buffer,
// or, when it is unbuffered, straight from waiting senders. It returns nil
// when there is nothing to take.
func (c *core[A]) tryTakeLocked(max int) []A {
	if c.ring.n > 0 {
		out := c.ring.popN(max)
		c.refillLocked()
		return out
	}
	var out []A
	for len(out) < max {
		s := c.sendq.FrontValue()
		if s == nil {
			break
		}
		k := min(max-len(out), len(s.send))
		c.takeFromSender(s, k, func(vals []A) {
			if out == nil {
				out = make([]A, 0, k)
			}
			out = append(out, vals...)
		})
	}
	return out
}

// tryTake1Locked takes one element without waiting.
func (c *core[A]) tryTake1Locked() (a A, ok bool) {
	if c.ring.n > 0 {
		a = c.ring.pop()
		c.refillLocked()
		return a, true
	}
	for s := c.sendq.FrontValue(); s != nil; s = c.sendq.FrontValue() {
		if c.takeFromSender(s, 1, func(vals []A) { a = vals[0] }) {
			return a, true
		}
	}
	return a, false
}

// tryTake1 takes one element without waiting. It reports ok false when there
// is none, and isClosed true when there never will be one again.
func (c *core[A]) tryTake1() (a A, ok, isClosed bool) {
	c.mu.Lock()
	a, ok = c.tryTake1Locked()
	isClosed = !ok && c.closed
	c.mu.Unlock()
	if ok && c.onTake != nil {
		c.onTake()
	}
	return a, ok, isClosed
}

// tryTake takes up to max elements without waiting, as tryTake1.
func (c *core[A]) tryTake(max int) (out []A, isClosed bool) {
	c.mu.Lock()
	out = c.tryTakeLocked(max)
	isClosed = out == nil && c.closed
	c.mu.Unlock()
	if out != nil && c.onTake != nil {
		c.onTake()
	}
	return out, isClosed
}

// close closes the core: senders are refused from now on, and every waiter
// is woken: receivers with "closed" (they wait only while nothing is
// buffered) and senders with what they had delivered so far. It reports
// false if the core was already closed.
func (c *core[A]) close() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.closed = true
	for _, q := range []*waitQueue[A]{&c.recvq, &c.sendq} {
		for w := q.FrontValue(); w != nil; w = q.FrontValue() {
			q.Remove(&w.link)
			if w.st.claim(w.idx) {
				w.closed = true
				w.st.wake()
			}
		}
	}
	return true
}

func (c *core[A]) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *core[A]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ring.n
}

// hasRoomLocked reports whether one more element would be accepted without
// waiting or dropping.
func (c *core[A]) hasRoomLocked() bool {
	return c.closed || c.recvq.FrontValue() != nil || c.room() > 0
}
