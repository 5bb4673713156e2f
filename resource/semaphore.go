package resource

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/internal/waitq"
)

// Semaphore is a weighted semaphore owned by a scope: a number of permits
// that fibers take and give back, waiting in first-in, first-out order when
// too few are left. A waiter for many permits at the head of the queue is
// not overtaken by later waiters for fewer, so no waiter starves.
//
// Acquiring is interruptible and never leaks: a waiter interrupted while it
// waits leaves the queue, and if the permits reached it at the same moment
// it gives them back. [Semaphore.WithPermits] holds the permits exactly
// while an effect runs, and gives them back whether it succeeds, fails,
// dies or is interrupted.
//
// When the semaphore's scope closes, every waiter is woken with an
// interruption whose reason is [ErrClosed], and later acquires fail the
// same way; permits still held may be given back, which wakes no one.
type Semaphore struct {
	size int64

	mu     sync.Mutex
	avail  int64
	queue  waitq.Queue[*semWaiter] // the waiters, oldest first
	closed bool
}

// semWaiter is a fiber waiting for n permits. It is in the queue while
// state is semWaiting; whoever moves it out of that state (a grant, a close,
// the waiter's own cancellation) does so under the semaphore's lock.
type semWaiter struct {
	n     int64
	wake  func(granted bool)
	state uint8
	link  waitq.Node[*semWaiter] // its place in the queue; Value is the waiter
}

const (
	semWaiting uint8 = iota
	semGranted
	semGone // cancelled or woken by the close
)

// NewSemaphore returns an effect that makes a semaphore of permits permits
// owned by the current scope: when the scope closes, the semaphore stops
// and wakes its waiters with an interruption (see [Semaphore]). It panics if
// permits is not positive.
func NewSemaphore[R, E any](permits int64) effect.Effect[R, E, *Semaphore] {
	if permits <= 0 {
		panic(fmt.Sprintf("resource.NewSemaphore: permits must be > 0, got %d", permits))
	}
	return effect.AcquireRelease(
		effect.Sync[R, E](func() *Semaphore { return &Semaphore{size: permits, avail: permits} }),
		func(s *Semaphore) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { s.close(); return struct{}{} })
		})
}

// Size returns the number of permits the semaphore was made with.
func (s *Semaphore) Size() int64 { return s.size }

// Available returns the number of permits not held right now.
func (s *Semaphore) Available() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.avail
}

// Waiting returns the number of fibers waiting for permits right now.
func (s *Semaphore) Waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue.Len()
}

// TryAcquire takes n permits and reports true if they are available now and
// no one waits before; otherwise, or if the semaphore is closed, it takes
// nothing and reports false. It never blocks. A successful TryAcquire must
// be paired with [Semaphore.Release].
func (s *Semaphore) TryAcquire(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.queue.Len() > 0 || n > s.avail || n < 0 {
		return false
	}
	s.avail -= n
	return true
}

// Release gives back n permits and wakes the waiters at the head of the
// queue that they satisfy. It never blocks. It panics if n is negative or
// if the permits would exceed the semaphore's size: giving back what was
// never taken is a bug.
func (s *Semaphore) Release(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 || s.avail+n > s.size {
		panic(fmt.Sprintf("resource.Semaphore.Release: releasing %d permits with %d available exceeds the size %d", n, s.avail, s.size))
	}
	s.avail += n
	s.grantLocked()
}

// Acquire returns an effect that takes n permits, waiting in the queue
// until they are available. The wait is interruptible and leaks nothing:
// an interrupted waiter leaves the queue, and gives back permits that
// reached it at the moment of the interruption. On a closed semaphore, or
// when its scope closes during the wait, the effect fails with an
// interruption whose reason is [ErrClosed].
//
// The permits are the caller's to give back with [Semaphore.Release];
// between the two, an interruption could lose them, so prefer
// [Semaphore.WithPermits] or [Semaphore.AcquireScoped], which cannot. It
// panics if n is negative or more than the semaphore's size (such a wait
// could never end). Acquiring zero permits succeeds at once. Cost: an
// uncontended acquire allocates nothing; a wait allocates a few small
// objects and parks the fiber.
func (s *Semaphore) Acquire[R, E any](n int64) effect.Effect[R, E, struct{}] {
	s.check("Acquire", n)
	if n == 0 {
		return effect.Unit[R, E]()
	}
	closed := closedEffect[R, E, struct{}]()
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return closed
		case s.queue.Len() == 0 && n <= s.avail:
			s.avail -= n
			s.mu.Unlock()
			return effect.Effect[R, E, struct{}]{}
		}
		s.mu.Unlock()
		return s.wait[R, E](n)
	})
}

// wait returns the effect that queues for n permits.
func (s *Semaphore) wait[R, E any](n int64) effect.Effect[R, E, struct{}] {
	return effect.Async[R](func(resume func(effect.Exit[E, struct{}])) func() {
		w := &semWaiter{n: n}
		w.link.Value = w
		w.wake = func(granted bool) {
			if granted {
				resume(effect.Succeeded[E](struct{}{}))
			} else {
				resume(effect.FailedWith[E, struct{}](closedCause[E]()))
			}
		}
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			w.wake(false)
			return nil
		case s.queue.Len() == 0 && n <= s.avail:
			s.avail -= n
			s.mu.Unlock()
			w.wake(true)
			return nil
		}
		s.queue.Push(&w.link)
		s.mu.Unlock()
		return func() { s.cancel(w) }
	})
}

// cancel takes w, whose fiber was interrupted while waiting, out of the
// queue, or gives back the permits that reached it meanwhile.
func (s *Semaphore) cancel(w *semWaiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch w.state {
	case semWaiting:
		s.queue.Remove(&w.link)
		w.state = semGone
	case semGranted:
		w.state = semGone
		s.avail += w.n
	default:
		return
	}
	// A large waiter leaving the head may let smaller ones through.
	s.grantLocked()
}

// grantLocked hands permits to the waiters at the head of the queue while
// they are satisfied. Waking a waiter never blocks.
func (s *Semaphore) grantLocked() {
	if s.closed {
		return
	}
	for w := s.queue.FrontValue(); w != nil && w.n <= s.avail; w = s.queue.FrontValue() {
		s.avail -= w.n
		s.queue.Remove(&w.link)
		w.state = semGranted
		w.wake(true)
	}
}

// close stops the semaphore and wakes every waiter with ErrClosed.
func (s *Semaphore) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	for _, n := range s.queue.TakeAll() {
		w := n.Value
		w.state = semGone
		w.wake(false)
	}
}

func (s *Semaphore) check(op string, n int64) {
	if n < 0 || n > s.size {
		panic(fmt.Sprintf("resource.Semaphore.%s: n must be in [0, %d] (the size), got %d", op, s.size, n))
	}
}

// WithPermits returns an effect that runs e while holding n permits: it
// waits for them (interruptibly, in the queue, as [Semaphore.Acquire]
// does), runs e, and gives them back when e ends, whether it succeeds,
// fails, dies or is interrupted. Taking the permits and arranging their
// return is one uninterruptible step, so no interruption point between the
// two can leak them; e itself is interruptible if the caller was. It panics
// if n is negative or more than the semaphore's size.
//
// Cost: the returned effect is built once and may be run any number of
// times; an uncontended run allocates one small object besides what e
// allocates.
func (s *Semaphore) WithPermits[R, E, A any](n int64, e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	s.check("WithPermits", n)
	release := func() {
		if n > 0 {
			s.Release(n)
		}
	}
	closed := closedEffect[R, E, A]()
	return masked(func(restore effect.Restore) effect.Effect[R, E, A] {
		use := effect.MatchCauseEffect(restore.Apply(e),
			func(c effect.Cause[E]) effect.Effect[R, E, A] {
				release()
				return effect.FailCause[R, A](c)
			},
			func(a A) effect.Effect[R, E, A] {
				release()
				return effect.Succeed[R, E](a)
			})
		if n == 0 {
			return use
		}
		// The fast path takes the permits right here, masked; only a
		// wait needs the caller's interruptibility back.
		return effect.Suspend(func() effect.Effect[R, E, A] {
			s.mu.Lock()
			switch {
			case s.closed:
				s.mu.Unlock()
				return closed
			case s.queue.Len() == 0 && n <= s.avail:
				s.avail -= n
				s.mu.Unlock()
				return use
			}
			s.mu.Unlock()
			return effect.AndThen(restore.Apply(s.wait[R, E](n)), use)
		})
	})
}

// AcquireScoped returns an effect that takes n permits, waiting for them as
// [Semaphore.Acquire] does, and registers their return in the current scope
// (see [effect.Scoped]): they are held until that scope closes. The wait is
// interruptible; once the permits are taken their return is registered
// before any interruption can take effect. It panics if n is negative or
// more than the semaphore's size.
func (s *Semaphore) AcquireScoped[R, E any](n int64) effect.Effect[R, E, struct{}] {
	s.check("AcquireScoped", n)
	acquire := s.Acquire[R, E](n)
	fin := effect.AddFinalizer(func(error) effect.Effect[R, E, struct{}] {
		return effect.Sync[R, E](func() struct{} { s.Release(n); return struct{}{} })
	})
	return masked(func(restore effect.Restore) effect.Effect[R, E, struct{}] {
		return effect.AndThen(restore.Apply(acquire), fin)
	})
}

// masked returns effect.UninterruptibleMask(body), building body's effect
// once for each of the two interruptibility states a caller can be in, so
// that running the result again builds nothing.
func masked[R, E, A any](body func(effect.Restore) effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	var built [2]atomic.Pointer[effect.Effect[R, E, A]]
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, A] {
		k := 0
		if restore != (effect.Restore{}) {
			k = 1
		}
		if p := built[k].Load(); p != nil {
			return *p
		}
		e := body(restore)
		built[k].Store(&e)
		return e
	})
}

// closedCause is the cause of an operation stopped by the close of its
// resource.
func closedCause[E any]() effect.Cause[E] { return effect.CauseInterrupt[E](0, ErrClosed) }

func closedEffect[R, E, A any]() effect.Effect[R, E, A] {
	return effect.FailCause[R, A](closedCause[E]())
}
