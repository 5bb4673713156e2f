package stm

import (
	"sync/atomic"

	"github.com/gogoscope/gogoscope/internal/waitq"
)

// TRef is a transactional reference: a variable that transactions read and
// write with [TRef.Get] and [TRef.Set], and that changes only when a
// transaction that wrote it commits. Every committed value of a TRef is
// immutable: a transaction's write replaces it, so a value is never seen
// half-written. Store values, not things you mutate in place: a slice or a
// map read from a TRef must be copied before it is changed, or the change
// escapes the transaction.
//
// The zero TRef holds the zero value of A and is ready to use. A TRef must
// not be copied after first use.
type TRef[A any] struct {
	tbase
	c atomic.Pointer[cell[A]]
}

// cell is one committed (or, in a transaction's log, pending) value of a
// TRef with the version of the commit that wrote it. A committed cell is
// never changed again; a transaction's pending cell is changed only by that
// transaction, until its commit publishes it.
type cell[A any] struct {
	val A
	ver uint64
}

// tvar is what the commit sees of a TRef of any type.
type tvar interface {
	base() *tbase
	// current returns the committed cell (a *cell[A], possibly nil) as any:
	// a pointer, so the conversion allocates nothing. Two reads of a TRef
	// saw the same commit iff they returned equal values.
	current() any
	// publish makes pending (a *cell[A]) the committed value, at version
	// ver. It is called under commitMu.
	publish(pending any, ver uint64)
}

// NewTRef returns a TRef holding a. Making a TRef is plain Go and may be done
// anywhere, also inside a transaction function: it is private to its maker
// until stored where others can reach it.
func NewTRef[A any](a A) *TRef[A] {
	r := &TRef[A]{}
	r.c.Store(&cell[A]{val: a})
	return r
}

func (r *TRef[A]) base() *tbase { return &r.tbase }
func (r *TRef[A]) current() any { return r.c.Load() }
func (r *TRef[A]) publish(p any, ver uint64) {
	c := p.(*cell[A])
	c.ver = ver
	r.c.Store(c)
}

// Load returns the TRef's last committed value, read outside any
// transaction. It never blocks and allocates nothing. Two Loads of two TRefs
// are two separate reads, not a consistent snapshot: read them in one
// transaction for that.
func (r *TRef[A]) Load() A {
	if c := r.c.Load(); c != nil {
		return c.val
	}
	var zero A
	return zero
}

// Get returns the TRef's value as the transaction tx sees it: the value tx
// wrote last, or else the committed value, which stays the same for the rest
// of the attempt (a commit by another transaction in between makes this one
// start over, never see a mix). The read is recorded: the commit checks that
// the value is still current, and [Tx.Retry] waits for it to change.
func (r *TRef[A]) Get(tx *Tx) A {
	tx.check()
	if i := tx.find(&r.tbase); i >= 0 {
		e := &tx.log[i]
		if e.pending != nil {
			return e.pending.(*cell[A]).val
		}
		if e.isRead {
			return valueOf(e.read.(*cell[A]))
		}
		c := load(tx, r)
		e.read, e.isRead = c, true
		return valueOf(c)
	}
	c := load(tx, r)
	tx.add(entry{v: r, b: &r.tbase, read: c, isRead: true})
	return valueOf(c)
}

// Set makes a the TRef's value in the transaction tx: tx sees it from now
// on, and others see it once tx commits. Nothing is written if tx does not
// commit (it retries, fails, or its function panics). A write is not a read:
// a transaction that only writes a TRef does not conflict with another
// writer of it (the last commit wins), and does not wait for it to change.
func (r *TRef[A]) Set(tx *Tx, a A) {
	tx.check()
	i := tx.find(&r.tbase)
	if i < 0 {
		tx.add(entry{v: r, b: &r.tbase, pending: &cell[A]{val: a}, branch: tx.branch})
		return
	}
	e := &tx.log[i]
	if e.pending != nil && e.branch == tx.branch {
		e.pending.(*cell[A]).val = a
		return
	}
	if tx.depth > 0 {
		tx.undo = append(tx.undo, undoRec{i: i, pending: e.pending, branch: e.branch})
	}
	e.pending, e.branch = &cell[A]{val: a}, tx.branch
}

// Update sets the TRef to f of its value in tx and returns the new value.
// It is a Get followed by a Set.
func (r *TRef[A]) Update(tx *Tx, f func(A) A) A {
	a := f(r.Get(tx))
	r.Set(tx, a)
	return a
}

// Swap sets the TRef to a in tx and returns the value it replaced.
func (r *TRef[A]) Swap(tx *Tx, a A) A {
	old := r.Get(tx)
	r.Set(tx, a)
	return old
}

// Modify sets the TRef to the second result of f of its value in tx and
// returns the first.
func (r *TRef[A]) Modify[B any](tx *Tx, f func(A) (B, A)) B {
	b, a := f(r.Get(tx))
	r.Set(tx, a)
	return b
}

// load returns r's committed cell for tx: one whose version is not newer
// than tx's snapshot. A newer one means a commit happened since tx began:
// tx's snapshot is moved forward if everything it read is still current,
// and tx starts over otherwise, so that it never sees a mix of states.
func load[A any](tx *Tx, r *TRef[A]) *cell[A] {
	c := r.c.Load()
	if c == nil || c.ver <= tx.rv {
		return c
	}
	if !tx.exclusive {
		commitMu.Lock()
	}
	ok := tx.validLocked()
	c = r.c.Load()
	tx.rv = clock.Load()
	if !tx.exclusive {
		commitMu.Unlock()
	}
	if !ok {
		tx.conflict()
	}
	return c
}

func valueOf[A any](c *cell[A]) A {
	if c == nil {
		var zero A
		return zero
	}
	return c.val
}

// tbase is the part of a TRef that does not depend on its type: the
// transactions waiting in Retry for it to change. It is guarded by
// commitMu.
type tbase struct {
	waiters waitq.Queue[*waiter]
}

// waiter is a transaction blocked in Retry, registered on every TRef it
// read. The first commit that writes one of them fires it: it is unlinked
// from all of them at once and its fiber is resumed. All under commitMu.
type waiter struct {
	nodes  []*wnode
	fired  bool
	resume func()
}

// wnode is a waiter's registration on one TRef: its node in that TRef's
// queue (whose Value is the waiter).
type wnode struct {
	on   *tbase
	node waitq.Node[*waiter]
}

func (b *tbase) pushLocked(w *waiter) {
	n := &wnode{on: b}
	n.node.Value = w
	b.waiters.Push(&n.node)
	w.nodes = append(w.nodes, n)
}

func (n *wnode) unlinkLocked() { n.on.waiters.Remove(&n.node) }

// unlinkLocked takes w off every TRef it waits on.
func (w *waiter) unlinkLocked() {
	for _, n := range w.nodes {
		n.unlinkLocked()
	}
	w.nodes = nil
}

// wakeLocked fires every waiter of b, appending the resumes to call (after
// commitMu is released) to wake.
func (b *tbase) wakeLocked(wake []func()) []func() {
	for w := b.waiters.FrontValue(); w != nil; w = b.waiters.FrontValue() {
		w.fired = true
		w.unlinkLocked()
		if w.resume != nil {
			wake = append(wake, w.resume)
			w.resume = nil
		}
	}
	return wake
}
