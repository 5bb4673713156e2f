package stm

import "strconv"

// OrElse returns a transaction function that runs first and, if first
// retries ([Tx.Retry]), undoes what first wrote and runs the next
// alternative instead, and so on; if the last one retries too, the whole
// transaction retries, waiting for a change of any TRef that any of the
// alternatives read. It is the choice of STM: take from whichever of several
// queues has something, fall back to a default when a condition does not
// hold. A failure ([Tx.Fail]) or a panic in an alternative is not caught:
// it ends the transaction, which commits nothing.
//
// The alternatives read the same snapshot, and the commit checks what the
// abandoned ones read too: the choice to skip them stays valid at the
// commit.
func OrElse[A any](first func(*Tx) A, rest ...func(*Tx) A) func(*Tx) A {
	if first == nil {
		panic("stm.OrElse: first must not be nil")
	}
	for i, f := range rest {
		if f == nil {
			panic("stm.OrElse: alternative " + strconv.Itoa(i+2) + " is nil")
		}
	}
	return func(tx *Tx) A {
		tx.check()
		f := first
		for _, next := range rest {
			if a, ok := tryBranch(tx, f); ok {
				return a
			}
			f = next
		}
		return f(tx)
	}
}

// tryBranch runs f as a nested branch of tx and reports false, with f's
// writes undone, if f retried.
func tryBranch[A any](tx *Tx, f func(*Tx) A) (a A, ok bool) {
	sp := tx.beginBranch()
	normal := false
	defer func() {
		if normal {
			return
		}
		r := recover()
		if _, retry := r.(retrySignal); retry {
			tx.rollback(sp)
			return
		}
		tx.depth--
		tx.branch = sp.branch
		if r != nil { // nil: runtime.Goexit, which goes on by itself
			panic(r)
		}
	}()
	a = f(tx)
	normal = true
	if tx.retrying && tx.err == nil && !tx.conflicted {
		// user code recovered the signal; the branch retried all the same
		tx.rollback(sp)
		var zero A
		return zero, false
	}
	tx.endBranch(sp)
	return a, true
}
