package stm

import "fmt"

// TQueue is a bounded first-in, first-out queue whose operations are parts
// of transactions: an offer to a full queue, or a take from an empty one,
// retries the transaction ([Tx.Retry]), so the fiber waits until another
// transaction makes room or adds an item. Combined with [OrElse], a
// transaction can take from whichever of several queues has something, or
// move an item between queues atomically.
//
// It is a ring of TRefs with a head and a tail counter: an offer and a take
// touch one slot each, plus the counters, so producers conflict with
// producers and consumers with consumers (and both with each other when
// they read the size), as in ZIO's TQueue.
type TQueue[A any] struct {
	head, tail TRef[int] // items taken and offered so far; size = tail - head
	slots      []TRef[A]
}

// NewTQueue returns an empty queue that holds at most capacity items. It
// panics if capacity is not positive: an unbounded transactional queue
// would let producers outrun consumers without limit.
func NewTQueue[A any](capacity int) *TQueue[A] {
	if capacity <= 0 {
		panic(fmt.Sprintf("stm.NewTQueue: capacity must be > 0, got %d", capacity))
	}
	return &TQueue[A]{slots: make([]TRef[A], capacity)}
}

// Capacity returns the most items the queue holds.
func (q *TQueue[A]) Capacity() int { return len(q.slots) }

// Size returns the number of items in the queue, in tx.
func (q *TQueue[A]) Size(tx *Tx) int { return q.tail.Get(tx) - q.head.Get(tx) }

// Offer adds a at the back of the queue in tx; if the queue is full, it
// retries the transaction, which waits until a take makes room.
func (q *TQueue[A]) Offer(tx *Tx, a A) {
	if !q.TryOffer(tx, a) {
		tx.Retry()
	}
}

// TryOffer adds a at the back of the queue in tx and reports true, or
// reports false, changing nothing, if the queue is full. A dropping queue
// is made of TryOffer; a sliding one drops the oldest first:
//
//	if !q.TryOffer(tx, a) { q.Take(tx); q.Offer(tx, a) }
func (q *TQueue[A]) TryOffer(tx *Tx, a A) bool {
	t := q.tail.Get(tx)
	if t-q.head.Get(tx) >= len(q.slots) {
		return false
	}
	q.slots[t%len(q.slots)].Set(tx, a)
	q.tail.Set(tx, t+1)
	return true
}

// Take removes and returns the item at the front of the queue in tx; if the
// queue is empty, it retries the transaction, which waits until an offer.
func (q *TQueue[A]) Take(tx *Tx) A {
	a, ok := q.TryTake(tx)
	if !ok {
		tx.Retry()
	}
	return a
}

// TryTake removes and returns the item at the front of the queue in tx and
// true, or the zero value and false if the queue is empty.
func (q *TQueue[A]) TryTake(tx *Tx) (A, bool) {
	h := q.head.Get(tx)
	if h == q.tail.Get(tx) {
		var zero A
		return zero, false
	}
	s := &q.slots[h%len(q.slots)]
	var zero A
	a := s.Swap(tx, zero) // the queue keeps no reference to what it gave out
	q.head.Set(tx, h+1)
	return a, true
}

// Peek returns the item at the front of the queue in tx without removing
// it; if the queue is empty, it retries the transaction.
func (q *TQueue[A]) Peek(tx *Tx) A {
	h := q.head.Get(tx)
	if h == q.tail.Get(tx) {
		tx.Retry()
	}
	return q.slots[h%len(q.slots)].Get(tx)
}

// TakeUpTo removes and returns up to n items from the front of the queue in
// tx, oldest first; it never retries (an empty queue gives an empty slice).
func (q *TQueue[A]) TakeUpTo(tx *Tx, n int) []A {
	var out []A
	for len(out) < n {
		a, ok := q.TryTake(tx)
		if !ok {
			break
		}
		out = append(out, a)
	}
	return out
}

// TakeAll removes and returns every item of the queue in tx, oldest first.
func (q *TQueue[A]) TakeAll(tx *Tx) []A { return q.TakeUpTo(tx, len(q.slots)) }
