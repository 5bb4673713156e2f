package effect

import "sync"

// Deferred is a value that is set once and awaited by any number of fibers:
// a one-shot promise. Completing it is plain Go (safe from any goroutine and
// inside [Sync]); awaiting it is an effect ([Deferred.Await]). The zero
// Deferred is not usable: call [NewDeferred].
type Deferred[E, A any] struct {
	mu   sync.Mutex
	done bool
	exit Exit[E, A]
	ch   chan struct{}
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
	d.done, d.exit = true, ex
	close(d.ch)
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
	return prim(func(f *fiber, _ R) Effect[R, E, A] {
		select {
		case <-d.ch:
		default:
			intr := f.beginWait(waitInfo{on: deferredBlocker[E, A]{d}})
			select {
			case <-d.ch:
				f.endWait()
			case <-intr:
				f.endWait()
				return interrupted[R, E, A](f)
			}
		}
		ex, _ := d.Poll()
		return FromExit[R](ex)
	})
}
