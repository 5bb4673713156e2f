package stream

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gogoscope/gogoscope/effect"
)

// QueueOption configures a [Queue], a [Channel] or a [PubSub] at
// construction; [WithName] is the one there is.
//
// Queues, channels and pubsubs are [effect.Blocker]s: a fiber waiting on
// one shows in dumps, wait hooks, the profiler and the deadlock detector
// with the primitive's kind and name and its fill ("64/64 items, waiting
// to send").
//
// A fiber waiting to send to a full queue or channel reports as holders
// its receivers: the fibers that have received from it through its
// effects (Receive, ReceiveUpTo, Take, TakeUpTo, a receive case of
// [Select], the streams that read it) and are still alive, with plain Go
// (0) if plain Go has received from it (TryReceive, TryTake, All). The
// deadlock detector so reports a cycle through a full channel whose known
// receivers are all stuck in it: two fibers each blocked sending to a full
// channel that only the other drains. A fiber that has not received yet is
// not foreseen, as plain Go releasing a semaphore is not. Once more than
// eight fibers have received from it over its life (a worker pool, a fiber
// per request), its receivers are no longer told apart and a wait to send
// to it reports no holders: the detector treats it as live.
//
// Waits to receive, waits of a publisher of a [PubSub], and waits in a
// [Select] report no holders: a send that does not wait is not attributed
// to its fiber (that would cost every element), so who may send is not
// known, and the detector treats these waits as live. [effect.Runtime.Stuck]
// and the dumps still show how long they last.
type QueueOption func(*config)

// config is what the options set.
type config struct{ name string }

// WithName names a queue, a channel or a pubsub: dumps, wait hooks, the
// profiler and the deadlock detector show a fiber waiting on it as waiting
// on "queue name", "channel name" or "pubsub name". Without it the
// primitive is anonymous. It panics if name is empty or holds a control
// character (a newline would break the lines of a text dump).
func WithName(name string) QueueOption {
	if name == "" {
		panic("stream.WithName: name must not be empty")
	}
	if strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		panic(fmt.Sprintf("stream.WithName: name must not hold control characters, got %q", name))
	}
	return func(c *config) { c.name = name }
}

// configure applies opts, and panics, naming where, on a nil one.
func configure(where string, opts []QueueOption) config {
	var c config
	for _, o := range opts {
		if o == nil {
			panic(where + ": an option is nil")
		}
		o(&c)
	}
	return c
}

// sendSide and recvSide are a core as the Blocker its senders and its
// receivers wait on: the same kind and name, a detail that says which
// side waits. Converting a *core to either is free.
type (
	sendSide[A any] core[A]
	recvSide[A any] core[A]
)

// blocker returns the Blocker that waiters of q, one of c's queues, wait
// on.
func (c *core[A]) blocker(q *waitQueue[A]) effect.Blocker {
	if q == &c.sendq {
		return (*sendSide[A])(c)
	}
	return (*recvSide[A])(c)
}

func (s *sendSide[A]) BlockerName() (kind, name string) { return s.kind, s.name }

// BlockerHolders returns the core's receivers (see [QueueOption]).
func (s *sendSide[A]) BlockerHolders() ([]effect.FiberID, string) {
	return s.recv.holders(), (*core[A])(s).fill() + ", waiting to send"
}

func (r *recvSide[A]) BlockerName() (kind, name string) { return r.kind, r.name }
func (r *recvSide[A]) BlockerHolders() ([]effect.FiberID, string) {
	return nil, (*core[A])(r).fill() + ", waiting to receive"
}

// fill describes what the core buffers: "3/64 items", "3 items" when
// unbounded, "unbuffered".
func (c *core[A]) fill() string {
	c.mu.Lock()
	n, closed := c.ring.n, c.closed
	c.mu.Unlock()
	var s string
	switch {
	case c.capacity == 0:
		s = "unbuffered"
	case c.capacity < 0:
		s = strconv.Itoa(n) + " items"
	default:
		s = strconv.Itoa(n) + "/" + strconv.Itoa(c.capacity) + " items"
	}
	if closed {
		s += ", closed"
	}
	return s
}

// selectOf is a Select of n cases, as the Blocker it waits on: anonymous,
// without holders (any of its cases' counterparts may fire it).
type selectOf int

func (selectOf) BlockerName() (kind, name string) { return "select", "" }
func (n selectOf) BlockerHolders() ([]effect.FiberID, string) {
	return nil, plural(int(n), "case")
}

// maxReceivers is how many receiving fibers a core tells apart over its
// life.
const maxReceivers = 8

// receiverSet records who receives from a core: the fibers that have
// received through its effects, and whether plain Go has. The receiving
// effects ask knows with their fiber's ID at every element (a few atomic
// loads, no lock) and note the fiber's handle the first time only. The
// fibers that ended stay in the set (so a core received from by a fiber
// per element stops noting them after maxReceivers) and are left out of
// holders.
type receiverSet struct {
	n     atomic.Int32                // how many of ids are set
	ids   [maxReceivers]atomic.Uint64 // the IDs of known, in order
	many  atomic.Bool                 // more than maxReceivers fibers: anyone
	plain atomic.Bool                 // plain Go has received

	mu    sync.Mutex           // serializes note
	known []effect.FiberHandle // at most maxReceivers
}

// knows reports whether the fiber id needs no noting.
func (r *receiverSet) knows(id effect.FiberID) bool {
	n := int(r.n.Load())
	for i := range n {
		if r.ids[i].Load() == uint64(id) {
			return true
		}
	}
	return r.many.Load()
}

// note records that the fiber h receives.
func (r *receiverSet) note(h effect.FiberHandle) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.many.Load() || slices.ContainsFunc(r.known, func(k effect.FiberHandle) bool { return k.ID() == h.ID() }) {
		return
	}
	if len(r.known) == maxReceivers {
		r.many.Store(true)
		return
	}
	r.ids[len(r.known)].Store(uint64(h.ID()))
	r.known = append(r.known, h)
	r.n.Store(int32(len(r.known)))
}

// notePlain records that plain Go receives.
func (r *receiverSet) notePlain() {
	if !r.plain.Load() {
		r.plain.Store(true)
	}
}

// holders returns the receiving fibers still alive, in increasing order,
// with 0 last if plain Go receives; nil if there are none, or too many to
// tell apart.
func (r *receiverSet) holders() []effect.FiberID {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.many.Load() {
		return nil
	}
	var out []effect.FiberID
	for _, h := range r.known {
		if !fiberEnded(h) {
			out = append(out, h.ID())
		}
	}
	slices.Sort(out)
	if r.plain.Load() {
		out = append(out, 0)
	}
	return out
}

// fiberEnded reports whether the fiber h has ended.
func fiberEnded(h effect.FiberHandle) bool {
	select {
	case <-h.Done():
		return true
	default:
		return false
	}
}

// receiving returns body's effect once the fiber id is known to receive
// from c: at once when it is, after noting the fiber's handle otherwise.
func receiving[R, E, A, T any](c *core[A], id effect.FiberID, body func() effect.Effect[R, E, T]) effect.Effect[R, E, T] {
	if c.recv.knows(id) {
		return body()
	}
	return effect.FlatMap(effect.CurrentFiber[R, E](), func(h effect.FiberHandle) effect.Effect[R, E, T] {
		c.recv.note(h)
		return body()
	})
}
