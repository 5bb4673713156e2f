package stm

import "github.com/gogoscope/gogoscope/effect"

// exclusiveAfter is how many conflicts in a row a transaction suffers before
// its next attempt runs holding the commit lock, where nothing can conflict
// with it: a long transaction under a storm of short ones still ends. (A
// variable only so that the benchmarks can measure the design where every
// attempt holds the lock: exclusiveAfter = 0.)
var exclusiveAfter = 8

// Atomically returns an effect that runs the transaction fn and commits it
// atomically: either everything fn wrote becomes visible to other
// transactions at once, or nothing does. It succeeds with fn's result.
//
// Isolation is serializable: every committed transaction behaves as if it
// had run alone, at the moment of its commit, and fn only ever sees a
// consistent state (no write of a concurrent commit half-seen, even in an
// attempt that is later abandoned). When another transaction's commit
// changes a TRef that fn read, fn runs again; so fn may run several times
// and must do nothing but compute over TRefs: no I/O, no locks, no effects,
// no side effects it cannot repeat. It should be short: it runs on the
// fiber's goroutine and is not interruptible while it runs.
//
// When fn calls [Tx.Retry] (or [Tx.Check] with false), nothing is
// committed and the fiber waits until a commit changes one of the TRefs
// that fn read, then runs fn again. The wait is interruptible: an
// interrupted transaction leaves no trace (no write, no registration on any
// TRef). A Retry without any TRef read fails at once with
// [ErrRetryWithoutReads]. When fn calls [Tx.Fail], the effect fails with
// that error and nothing is committed. A panic in fn becomes a defect of the
// fiber (see [effect.Sync]), and nothing is committed either.
//
// The returned effect may be run any number of times; each run is a new
// transaction. Cost: an uncontended transaction over one TRef costs a few
// hundred nanoseconds and a few small allocations (the attempt and one cell
// per TRef written); see BENCHMARKS.md.
func Atomically[R, A any](fn func(tx *Tx) A) effect.Effect[R, error, A] {
	if fn == nil {
		panic("stm.Atomically: fn must not be nil")
	}
	return effect.Suspend(func() effect.Effect[R, error, A] {
		return run[R](newTx(), fn, 0)
	})
}

// run runs attempts of fn until one commits, fails or retries; after a
// conflict it goes back to the run loop, so that an interruption is seen.
func run[R, A any](tx *Tx, fn func(*Tx) A, conflicts int) effect.Effect[R, error, A] {
	if conflicts >= exclusiveAfter {
		tx.lock()
	}
	a, out := attempt(tx, fn)
	switch out {
	case done:
		if tx.commit() {
			tx.end()
			return effect.Succeed[R, error](a)
		}
	case failed:
		tx.unlock()
		err := tx.err
		tx.end()
		return effect.Fail[R, A](err)
	case retried:
		tx.unlock()
		return effect.AndThen(park[R](tx), effect.Suspend(func() effect.Effect[R, error, A] {
			tx.reset()
			return run[R](tx, fn, 0)
		}))
	}
	tx.unlock()
	tx.reset()
	return effect.Suspend(func() effect.Effect[R, error, A] { return run[R](tx, fn, conflicts+1) })
}

type outcome uint8

const (
	done outcome = iota
	retried
	conflicted
	failed
)

// attempt calls fn once and tells how it ended. A panic that is not one of
// the transaction's signals ends the transaction and goes on up, to become
// a defect of the fiber.
func attempt[A any](tx *Tx, fn func(*Tx) A) (a A, out outcome) {
	normal := false
	defer func() {
		if normal {
			return
		}
		switch r := recover(); r.(type) {
		case retrySignal:
			out = retried
		case failSignal:
			out = failed
		case conflictSignal:
			out = conflicted
		default:
			tx.unlock()
			tx.end()
			if r != nil { // nil: runtime.Goexit, which goes on by itself
				panic(r)
			}
		}
	}()
	a = fn(tx)
	normal = true
	// A signal that user code recovered still counts.
	switch {
	case tx.err != nil:
		out = failed
	case tx.conflicted:
		out = conflicted
	case tx.retrying:
		out = retried
	}
	return a, out
}

// park returns an effect that waits until a commit changes a TRef that tx
// read. Registering and checking happen under commitMu, so a commit that
// lands between the attempt and the wait is not missed: the reads are then
// stale and the wait ends at once.
func park[R any](tx *Tx) effect.Effect[R, error, struct{}] {
	ok := effect.Succeeded[error](struct{}{})
	return effect.Async[R](func(resume func(effect.Exit[error, struct{}])) func() {
		commitMu.Lock()
		if !tx.validLocked() {
			commitMu.Unlock()
			resume(ok)
			return nil
		}
		w := &waiter{}
		for i := range tx.log {
			if e := &tx.log[i]; e.isRead {
				e.b.pushLocked(w)
			}
		}
		if len(w.nodes) == 0 {
			commitMu.Unlock()
			resume(effect.FailedWith[error, struct{}](effect.CauseFail[error](ErrRetryWithoutReads)))
			return nil
		}
		w.resume = func() { resume(ok) }
		commitMu.Unlock()
		return func() {
			commitMu.Lock()
			if !w.fired {
				w.fired = true
				w.unlinkLocked()
			}
			commitMu.Unlock()
		}
	})
}
