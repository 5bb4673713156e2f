// Package waitq is the one waiter queue of gogoscope: an intrusive,
// doubly linked FIFO list that the blocking primitives of effect, stream,
// resource, ratelimit and stm keep their parked waiters in (a deferred's
// awaiters, a semaphore's or a pool's acquirers, a channel's or a pubsub's
// senders and receivers, a rate limiter's queue, the transactions retrying
// on a TRef).
//
// A waiter is a [Node] that the primitive allocates when an operation must
// wait; Push parks it at the back, Remove unlinks it in O(1) wherever it is
// (an interrupted waiter leaves the queue at once), and the primitive
// serves waiters from the Front. A Queue is not safe for concurrent use:
// the primitive guards it with its own lock, which is also what makes
// "complete a waiter" and "cancel a waiter" mutually exclusive. The zero
// Queue is empty and ready to use.
//
// A primitive whose waiter is a struct of its own embeds a Node whose
// Value points back to that struct (one allocation per wait):
//
//	type waiter struct {
//		n    int64
//		link waitq.Node[*waiter]
//	}
//
//	w := &waiter{n: n}
//	w.link.Value = w
//	q.Push(&w.link)          // park
//	q.Remove(&w.link)        // cancel: a no-op if already served
//	head := q.FrontValue()   // the oldest waiter, or nil
package waitq

// Node is an element of a [Queue], carrying the waiter's Value.
type Node[T any] struct {
	Value      T
	prev, next *Node[T]
	queued     bool
}

// Queued reports whether n is in a queue.
func (n *Node[T]) Queued() bool { return n.queued }

// Next returns the node after n in its queue, or nil.
func (n *Node[T]) Next() *Node[T] { return n.next }

// Prev returns the node before n in its queue, or nil.
func (n *Node[T]) Prev() *Node[T] { return n.prev }

// Queue is an intrusive FIFO list of nodes.
type Queue[T any] struct {
	first, last *Node[T]
	n           int
}

// Len returns the number of nodes in q.
func (q *Queue[T]) Len() int { return q.n }

// Front returns the oldest node of q, or nil if q is empty.
func (q *Queue[T]) Front() *Node[T] { return q.first }

// FrontValue returns the Value of the oldest node of q, or T's zero value
// if q is empty. When T is a pointer to the waiter that embeds the node, it
// is the waiter at the head of the queue, or nil.
func (q *Queue[T]) FrontValue() T {
	if q.first == nil {
		var zero T
		return zero
	}
	return q.first.Value
}

// Back returns the newest node of q, or nil if q is empty.
func (q *Queue[T]) Back() *Node[T] { return q.last }

// Push appends n at the back of q. It panics if n is already queued: a
// node is in at most one queue.
func (q *Queue[T]) Push(n *Node[T]) {
	if n.queued {
		panic("waitq.Queue.Push: n is already queued")
	}
	n.prev, n.next, n.queued = q.last, nil, true
	if q.last != nil {
		q.last.next = n
	} else {
		q.first = n
	}
	q.last = n
	q.n++
}

// Remove unlinks n from q and reports whether it was there; a node that is
// not queued is left alone. n must not be in another queue.
func (q *Queue[T]) Remove(n *Node[T]) bool {
	if !n.queued {
		return false
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		q.first = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		q.last = n.prev
	}
	n.prev, n.next, n.queued = nil, nil, false
	q.n--
	return true
}

// PopFront removes and returns the oldest node of q, or nil if q is empty.
func (q *Queue[T]) PopFront() *Node[T] {
	n := q.first
	if n != nil {
		q.Remove(n)
	}
	return n
}

// TakeAll empties q and returns its nodes, oldest first.
func (q *Queue[T]) TakeAll() []*Node[T] {
	if q.n == 0 {
		return nil
	}
	out := make([]*Node[T], 0, q.n)
	for n := q.first; n != nil; {
		next := n.next
		n.prev, n.next, n.queued = nil, nil, false
		out = append(out, n)
		n = next
	}
	q.first, q.last, q.n = nil, nil, 0
	return out
}
