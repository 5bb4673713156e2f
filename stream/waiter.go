package stream

import (
	"sync/atomic"

	"github.com/gogoscope/gogoscope/internal/waitq"
)

// waitState is shared by the waiters of one blocking operation: one waiter
// for a send or a receive, one per case for a Select. Exactly one party wins
// it: a core that completes one of its waiters (claim), or the operation
// itself when it gives up (cancel, on interruption or a context's end).
type waitState struct {
	// state is 0 while waiting, -1 once cancelled, and i+1 once the waiter
	// of case i was completed.
	state atomic.Int32
	// wake tells the waiting party that the state was claimed. It must not
	// block: it is called with a core's lock held.
	wake func()
}

// claim reports whether the waiter of case idx won the state.
func (s *waitState) claim(idx int) bool { return s.state.CompareAndSwap(0, int32(idx)+1) }

// cancel reports whether the waiting party won the state: then no waiter
// was completed, and none will be.
func (s *waitState) cancel() bool { return s.state.CompareAndSwap(0, -1) }

// pending reports whether nobody has won the state yet.
func (s *waitState) pending() bool { return s.state.Load() == 0 }

// fired returns the index of the case whose waiter was completed, or -1.
func (s *waitState) fired() int {
	v := s.state.Load()
	if v <= 0 {
		return -1
	}
	return int(v) - 1
}

// waiter is one parked send or receive on a core.
type waiter[A any] struct {
	st  *waitState
	idx int
	// send holds a sender's values not delivered yet; sent counts those
	// delivered (a batch sender may be served in several parts).
	send []A
	sent int
	// max is the most a receiver takes; got is what it was given.
	max int
	got []A
	// closed is set when the core's close completed the waiter.
	closed bool

	// link is the waiter's place in a core's queue (its Value is the
	// waiter itself, set by node).
	link waitq.Node[*waiter[A]]
}

// waitQueue is a core's FIFO queue of waiters: the shared [waitq.Queue].
type waitQueue[A any] = waitq.Queue[*waiter[A]]

// node returns w's queue node, pointing back to w, for [waitq.Queue.Push].
func (w *waiter[A]) node() *waitq.Node[*waiter[A]] {
	w.link.Value = w
	return &w.link
}
