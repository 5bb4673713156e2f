package stm

import (
	"errors"
	"sync"
	"sync/atomic"
)

// The concurrency control (docs/architecture.md has the measurements behind
// it). Every commit that writes takes commitMu, checks that every TRef the
// transaction read still holds the cell it read (pointer identity), and
// publishes its pending cells stamped with the next value of clock, then
// advances clock. A transaction reads at a snapshot: it takes clock when it
// starts (rv), and a cell newer than rv means a commit since then, so it
// checks its reads and moves rv forward, or starts over. Reads take no lock;
// a read-only transaction commits without one.
var (
	commitMu sync.Mutex
	clock    atomic.Uint64
)

// Tx is one attempt of a transaction, handed to the transaction function.
// Its methods and the TRef operations that take it are valid only during
// the call of that function, on its goroutine; using it afterwards panics.
type Tx struct {
	*txn // nil once the transaction has ended
}

// txn is the state of a transaction; it is reused by later transactions
// (txPool), which is why a Tx that outlives its transaction loses it.
type txn struct {
	rv         uint64
	log        []entry
	idx        map[*tbase]int // the index of log, built once log is long
	idxPooled  map[*tbase]int // an empty index kept for reuse
	undo       []undoRec      // undo records of the open OrElse branches
	depth      int            // how many OrElse branches are open
	branch     uint64         // the id of the innermost open branch (0: none)
	branches   uint64         // branch ids handed out
	exclusive  bool           // the attempt holds commitMu throughout
	retrying   bool           // Retry was called and not undone by OrElse
	conflicted bool           // a read found the snapshot stale
	err        error          // Fail was called
	hooks      []func()       // run after the commit
}

// entry is what a transaction did to one TRef: the cell it read (isRead),
// and the cell it will publish (pending, made in OrElse branch `branch`).
type entry struct {
	v       tvar
	b       *tbase
	read    any
	pending any
	branch  uint64
	isRead  bool
}

type undoRec struct {
	i       int
	pending any
	branch  uint64
}

// The signals that unwind a transaction function. They are panics that the
// transaction (or OrElse) recovers; user code must let them through.
type (
	retrySignal    struct{}
	conflictSignal struct{}
	failSignal     struct{}
)

// ErrRetryWithoutReads is the failure of a transaction that called
// [Tx.Retry] without having read any TRef: no commit could ever wake it, so
// it fails at once instead of hanging.
var ErrRetryWithoutReads = errors.New("stm: Retry in a transaction that read no TRef could never be woken")

const indexAt = 24 // log length from which lookups use a map

var txPool = sync.Pool{New: func() any { return &txn{log: make([]entry, 0, 4)} }}

func newTx() *Tx {
	tx := &Tx{txPool.Get().(*txn)}
	tx.rv = clock.Load()
	return tx
}

// end ends the transaction: its state goes back to the pool, and tx is
// unusable from now on.
func (tx *Tx) end() {
	t := tx.txn
	tx.txn = nil
	t.reset()
	if cap(t.log) <= 64 {
		txPool.Put(t)
	}
}

func (tx *Tx) check() {
	if tx == nil || tx.txn == nil {
		panic("stm: Tx used outside its transaction function")
	}
}

func (tx *txn) find(b *tbase) int {
	if tx.idx != nil {
		if i, ok := tx.idx[b]; ok {
			return i
		}
		return -1
	}
	for i := range tx.log {
		if tx.log[i].b == b {
			return i
		}
	}
	return -1
}

func (tx *txn) add(e entry) {
	tx.log = append(tx.log, e)
	switch n := len(tx.log); {
	case tx.idx != nil:
		tx.idx[e.b] = n - 1
	case n > indexAt:
		if tx.idxPooled != nil {
			tx.idx, tx.idxPooled = tx.idxPooled, nil
		} else {
			tx.idx = make(map[*tbase]int, 2*n)
		}
		for i := range tx.log {
			tx.idx[tx.log[i].b] = i
		}
	}
}

// Retry abandons this attempt of the transaction: nothing it wrote is
// committed, and the transaction runs again once a TRef that it read has
// been changed by another transaction's commit. Retry does not return; it
// unwinds the transaction function (deferred calls run). Inside [OrElse],
// it abandons only the current alternative. Waiting is interruptible (see
// [Atomically]).
func (tx *Tx) Retry() {
	tx.check()
	tx.retrying = true
	panic(retrySignal{})
}

// Check retries the transaction (see [Tx.Retry]) unless ok is true: it
// waits until the condition that the transaction computed from its TRefs
// holds.
func (tx *Tx) Check(ok bool) {
	if !ok {
		tx.Retry()
	}
}

// Fail abandons the transaction with the error err: nothing it wrote is
// committed, and the effect made by [Atomically] fails with err. Fail does
// not return; it unwinds the transaction function (deferred calls run), and
// OrElse does not catch it. It panics if err is nil.
func (tx *Tx) Fail(err error) {
	tx.check()
	if err == nil {
		panic("stm: Tx.Fail: err must not be nil")
	}
	tx.err = err
	panic(failSignal{})
}

// conflict starts the attempt over: a TRef it read has changed.
func (tx *txn) conflict() {
	tx.conflicted = true
	panic(conflictSignal{})
}

// validLocked reports whether every TRef that tx read still holds the cell
// it read. The caller holds commitMu (or tx is exclusive).
func (tx *txn) validLocked() bool {
	for i := range tx.log {
		e := &tx.log[i]
		if e.isRead && e.v.current() != e.read {
			return false
		}
	}
	return true
}

// reset makes tx ready for a new attempt, with a fresh snapshot.
func (tx *txn) reset() {
	clear(tx.log)
	tx.log = tx.log[:0]
	if tx.idx != nil {
		clear(tx.idx)
		tx.idxPooled, tx.idx = tx.idx, nil // kept for the next long transaction
	}
	clear(tx.undo)
	tx.undo = tx.undo[:0]
	tx.hooks = nil
	tx.depth, tx.branch, tx.branches = 0, 0, 0
	tx.retrying, tx.conflicted, tx.err = false, false, nil
	tx.rv = clock.Load()
}

// savepoint is where an OrElse branch began.
type savepoint struct {
	logLen, undoLen, hooksLen int
	branch                    uint64
}

func (tx *txn) beginBranch() savepoint {
	sp := savepoint{logLen: len(tx.log), undoLen: len(tx.undo), hooksLen: len(tx.hooks), branch: tx.branch}
	tx.branches++
	tx.branch = tx.branches
	tx.depth++
	return sp
}

// endBranch closes the branch opened at sp, keeping its writes.
func (tx *txn) endBranch(sp savepoint) {
	tx.depth--
	tx.branch = sp.branch
	if tx.depth == 0 {
		clear(tx.undo)
		tx.undo = tx.undo[:0]
	}
}

// rollback closes the branch opened at sp and undoes its writes. What it
// read stays recorded: the choice to abandon it depended on those values,
// so the commit checks them and a retry waits for them.
func (tx *txn) rollback(sp savepoint) {
	for j := len(tx.undo) - 1; j >= sp.undoLen; j-- {
		u := tx.undo[j]
		tx.log[u.i].pending, tx.log[u.i].branch = u.pending, u.branch
	}
	clear(tx.undo[sp.undoLen:])
	tx.undo = tx.undo[:sp.undoLen]
	for i := sp.logLen; i < len(tx.log); i++ {
		tx.log[i].pending = nil
	}
	clear(tx.hooks[sp.hooksLen:])
	tx.hooks = tx.hooks[:sp.hooksLen]
	tx.retrying = false
	tx.depth--
	tx.branch = sp.branch
}

// commit publishes tx's writes and reports true, or reports false, changing
// nothing, if a TRef it read has changed since. It wakes the transactions
// waiting for the TRefs it wrote.
func (tx *txn) commit() bool {
	writes := false
	for i := range tx.log {
		if tx.log[i].pending != nil {
			writes = true
			break
		}
	}
	if !writes {
		// Every read was current at the snapshot rv: the transaction
		// serializes there, with no lock.
		if tx.exclusive {
			tx.unlock()
		}
		tx.runHooks()
		return true
	}
	if !tx.exclusive {
		commitMu.Lock()
	}
	if !tx.validLocked() {
		commitMu.Unlock()
		tx.exclusive = false
		return false
	}
	wv := clock.Load() + 1
	var wake []func()
	for i := range tx.log {
		if e := &tx.log[i]; e.pending != nil {
			e.v.publish(e.pending, wv)
			if e.b.waiters.Len() > 0 {
				wake = e.b.wakeLocked(wake)
			}
		}
	}
	clock.Store(wv)
	commitMu.Unlock()
	tx.exclusive = false
	for _, f := range wake {
		f()
	}
	tx.runHooks()
	return true
}

// afterCommit arranges for f to run once tx has committed (not if it
// retries, fails, or the OrElse branch that arranged it is undone).
func (tx *txn) afterCommit(f func()) { tx.hooks = append(tx.hooks, f) }

func (tx *txn) runHooks() {
	for _, f := range tx.hooks {
		f()
	}
	tx.hooks = nil
}

// lock makes the next attempt exclusive: it holds commitMu, so no other
// commit can come between its reads and its commit. It is the way out of
// repeated conflicts.
func (tx *txn) lock() {
	commitMu.Lock()
	tx.exclusive = true
	tx.rv = clock.Load()
}

func (tx *txn) unlock() {
	if tx.exclusive {
		tx.exclusive = false
		commitMu.Unlock()
	}
}
