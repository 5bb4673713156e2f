package effect

import (
	"sync"

	"github.com/gogoscope/gogoscope/internal/waitq"
)

// Deferred is a value that is set once and awaited by any number of fibers:
// a one-shot promise. Completing it is plain Go (safe from any goroutine and
// inside [Sync]); awaiting it is an effect ([Deferred.Await]). The zero
// Deferred is not usable: call [NewDeferred].
type Deferred[E, A any] struct {
	mu      sync.Mutex
	done    bool
	exit    Exit[E, A]
	ch      chan struct{}
	waiters waitq.Queue[func()] // the fibers parked in Await, woken by Complete
}

// NewDeferred returns an empty Deferred.
func NewDeferred[E, A any]() *Deferred[E, A] { return &Deferred[E, A]{ch: make(chan struct{})} }

// Complete sets the Deferred to ex and wakes every waiter. It reports false,
// changing nothing, if the Deferred was already set.
func (d *Deferred[E, A]) Complete(ex Exit[E, A]) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return false
	}
	// Waiters are woken under the lock: a wake only hands the exit to a
	// parked fiber, it never blocks.
	d.done, d.exit = true, ex
	close(d.ch)
	for _, w := range d.waiters.TakeAll() {
		w.Value()
	}
	return true
}

// Succeed completes the Deferred with the value a; see [Deferred.Complete].
func (d *Deferred[E, A]) Succeed(a A) bool { return d.Complete(Exit[E, A]{value: a}) }

// Fail completes the Deferred with the failure e; see [Deferred.Complete].
func (d *Deferred[E, A]) Fail(e E) bool { return d.Complete(Exit[E, A]{cause: CauseFail(e)}) }

// Poll returns the Deferred's exit and true if it is set.
func (d *Deferred[E, A]) Poll() (Exit[E, A], bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.exit, d.done
}

// Done returns a channel that is closed once the Deferred is set.
func (d *Deferred[E, A]) Done() <-chan struct{} { return d.ch }

// Await returns an effect that waits until the Deferred is set and ends as
// its exit. The wait is interruptible.
func (d *Deferred[E, A]) Await[R any]() Effect[R, E, A] {
	return asyncOn[R](deferredBlocker[E, A]{d}, func(resume func(Exit[E, A])) func() {
		d.mu.Lock()
		if d.done {
			ex := d.exit
			d.mu.Unlock()
			resume(ex)
			return nil
		}
		w := &waitq.Node[func()]{}
		w.Value = func() { resume(d.exit) }
		d.waiters.Push(w)
		d.mu.Unlock()
		return func() {
			d.mu.Lock()
			d.waiters.Remove(w)
			d.mu.Unlock()
		}
	})
}
