package resource

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
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
//
// A Semaphore is an [effect.Blocker]: a fiber waiting for permits shows in
// dumps, wait hooks, the profiler and the deadlock detector as waiting on
// "semaphore NAME" (see [WithName]), with the fibers that hold its permits
// and how many are taken: `semaphore db (3/3 permits, held by #12, #14,
// #17)`. [Semaphore.WithPermits] and [Semaphore.AcquireScoped] record the
// fiber that holds the permits, and forget it when they give them back;
// permits taken with [Semaphore.Acquire] or [Semaphore.TryAcquire] are
// reported as held by plain Go (FiberID 0), because [Semaphore.Release]
// does not say whose permits it returns. The deadlock detector treats a
// wait on permits held by plain Go as live, so it reports a cycle only
// through permits whose holders are known.
type Semaphore struct {
	size int64
	name string

	mu     sync.Mutex
	avail  int64
	queue  waitq.Queue[*semWaiter] // the waiters, oldest first
	closed bool
	// held counts the permits taken, by holder: the fiber of a WithPermits
	// or an AcquireScoped, or 0 for Acquire and TryAcquire. Their sum is
	// size-avail, except after a Release of permits that a fiber holds (a
	// misuse that the holder's own release then reports).
	held map[effect.FiberID]int64
}

// semWaiter is a fiber waiting for n permits. It is in the queue while
// state is semWaiting; whoever moves it out of that state (a grant, a close,
// the waiter's own cancellation) does so under the semaphore's lock.
type semWaiter struct {
	n     int64
	id    effect.FiberID // whose permits they will be
	wake  func(granted bool)
	state uint8
	link  waitq.Node[*semWaiter] // its place in the queue; Value is the waiter
}

const (
	semWaiting uint8 = iota
	semGranted
	semGone // cancelled or woken by the close
)

// SemaphoreOption configures a [Semaphore] made by [NewSemaphore].
type SemaphoreOption func(*Semaphore)

// WithName names a semaphore: dumps, wait hooks, the profiler and the
// deadlock detector show a fiber waiting on it as waiting on "semaphore
// name". Without it the semaphore is anonymous ("semaphore"). It panics if
// name is empty or holds a control character (a newline would break the
// lines of a text dump).
func WithName(name string) SemaphoreOption {
	checkName("resource.WithName", name)
	return func(s *Semaphore) { s.name = name }
}

// checkName panics, naming where, if name is empty or holds a control
// character.
func checkName(where, name string) {
	if name == "" {
		panic(where + ": name must not be empty")
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		panic(fmt.Sprintf("%s: name must not hold control characters, got %q", where, name))
	}
}

// NewSemaphore returns an effect that makes a semaphore of permits permits
// owned by the current scope: when the scope closes, the semaphore stops
// and wakes its waiters with an interruption (see [Semaphore]). Options
// name it ([WithName]). It panics if permits is not positive.
func NewSemaphore[R, E any](permits int64, opts ...SemaphoreOption) effect.Effect[R, E, *Semaphore] {
	if permits <= 0 {
		panic(fmt.Sprintf("resource.NewSemaphore: permits must be > 0, got %d", permits))
	}
	var proto Semaphore
	for _, o := range opts {
		if o == nil {
			panic("resource.NewSemaphore: an option is nil")
		}
		o(&proto)
	}
	return effect.AcquireRelease(
		effect.Sync[R, E](func() *Semaphore { return &Semaphore{size: permits, avail: permits, name: proto.name} }),
		func(s *Semaphore) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { s.close(); return struct{}{} })
		})
}

// Name returns the semaphore's name, empty when it has none.
func (s *Semaphore) Name() string { return s.name }

// BlockerName returns ("semaphore", its name), for [effect.Blocker].
func (s *Semaphore) BlockerName() (kind, name string) { return "semaphore", s.name }

// BlockerHolders returns the fibers that hold permits now, in increasing
// order with plain Go (0: permits taken by Acquire or TryAcquire) last,
// and how many permits are taken: "3/3 permits", with the count of each
// holder of more than one ("3/3 permits, #12 holds 2"). It is what dumps
// and the deadlock detector read (see [effect.Blocker]); it takes the
// semaphore's lock.
func (s *Semaphore) BlockerHolders() (holders []effect.FiberID, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString(strconv.FormatInt(s.size-s.avail, 10))
	b.WriteByte('/')
	b.WriteString(strconv.FormatInt(s.size, 10))
	b.WriteString(" permits")
	if s.closed {
		b.WriteString(", closed")
	}
	holders = sortedHolders(s.held)
	for _, id := range holders {
		if k := s.held[id]; k > 1 && id != 0 {
			fmt.Fprintf(&b, ", #%d holds %d", id, k)
		}
	}
	return holders, b.String()
}

// sortedHolders returns the keys of held in increasing order, with 0 (plain
// Go) last; nil when held is empty.
func sortedHolders(held map[effect.FiberID]int64) []effect.FiberID {
	if len(held) == 0 {
		return nil
	}
	out := make([]effect.FiberID, 0, len(held))
	for id := range held {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b effect.FiberID) int {
		switch {
		case a == b:
			return 0
		case a == 0:
			return 1
		case b == 0:
			return -1
		case a < b:
			return -1
		}
		return 1
	})
	return out
}

// takeLocked takes n permits for the holder id.
func (s *Semaphore) takeLocked(id effect.FiberID, n int64) {
	s.avail -= n
	if s.held == nil {
		s.held = make(map[effect.FiberID]int64)
	}
	s.held[id] += n
}

// forgetLocked forgets that id holds n permits (as many as it has, if
// fewer).
func (s *Semaphore) forgetLocked(id effect.FiberID, n int64) {
	if k, ok := s.held[id]; ok {
		if k <= n {
			delete(s.held, id)
		} else {
			s.held[id] = k - n
		}
	}
}

// releaseFrom gives back n permits that id holds, as Release does.
func (s *Semaphore) releaseFrom(id effect.FiberID, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkRelease(n)
	s.avail += n
	s.forgetLocked(id, n)
	s.grantLocked()
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
	s.takeLocked(0, n)
	return true
}

// Release gives back n permits and wakes the waiters at the head of the
// queue that they satisfy. It never blocks. It panics if n is negative or
// if the permits would exceed the semaphore's size: giving back what was
// never taken is a bug.
//
// Release is plain Go and does not know whose permits it returns: it
// forgets permits of plain Go (those of Acquire and TryAcquire), which is
// how they are reported (see [Semaphore]).
func (s *Semaphore) Release(n int64) {
	s.releaseFrom(0, n)
}

func (s *Semaphore) checkRelease(n int64) {
	if n < 0 || s.avail+n > s.size {
		panic(fmt.Sprintf("resource.Semaphore.Release: releasing %d permits with %d available exceeds the size %d", n, s.avail, s.size))
	}
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
	return s.acquire[R, E](0, n)
}

// acquire returns the effect that takes n > 0 permits for the holder id,
// waiting for them if need be.
func (s *Semaphore) acquire[R, E any](id effect.FiberID, n int64) effect.Effect[R, E, struct{}] {
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return closedEffect[R, E, struct{}]()
		case s.queue.Len() == 0 && n <= s.avail:
			s.takeLocked(id, n)
			s.mu.Unlock()
			return effect.Effect[R, E, struct{}]{}
		}
		s.mu.Unlock()
		return s.wait[R, E](id, n)
	})
}

// wait returns the effect that queues for n permits, to be held by id.
func (s *Semaphore) wait[R, E any](id effect.FiberID, n int64) effect.Effect[R, E, struct{}] {
	return effect.AsyncOn[R](s, func(resume func(effect.Exit[E, struct{}])) func() {
		w := &semWaiter{n: n, id: id}
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
			s.takeLocked(id, n)
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
		s.forgetLocked(w.id, w.n)
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
		s.takeLocked(w.id, w.n)
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
// two can leak them; e itself is interruptible if the caller was. While e
// runs, dumps and the deadlock detector show the running fiber as a holder
// of the permits. It panics if n is negative or more than the semaphore's
// size.
//
// Cost: the returned effect is built once and may be run any number of
// times; an uncontended run allocates a few small objects besides what e
// allocates (the record of who holds the permits).
func (s *Semaphore) WithPermits[R, E, A any](n int64, e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	s.check("WithPermits", n)
	return masked(func(restore effect.Restore) effect.Effect[R, E, A] {
		run := restore.Apply(e)
		if n == 0 {
			return run
		}
		var held holdCache[R, E, A]
		// The fast path takes the permits right here, masked; only a
		// wait needs the caller's interruptibility back.
		return effect.SuspendFiber(func(id effect.FiberID) effect.Effect[R, E, A] {
			s.mu.Lock()
			switch {
			case s.closed:
				s.mu.Unlock()
				return closedEffect[R, E, A]()
			case s.queue.Len() == 0 && n <= s.avail:
				s.takeLocked(id, n)
				s.mu.Unlock()
				return held.get(s, id, n, run)
			}
			s.mu.Unlock()
			return effect.AndThen(restore.Apply(s.wait[R, E](id, n)), held.get(s, id, n, run))
		})
	})
}

// holdSlots is the size of a holdCache.
const holdSlots = 16

// holdCache keeps, for the fibers that ran one WithPermits effect last,
// the effect that runs its body and gives the permits back for that fiber
// (holding), in a slot chosen by the fiber's ID: a fiber that takes the
// same permits in a loop builds it once, and an uncontended run allocates
// nothing for the record of its holder.
type holdCache[R, E, A any] [holdSlots]atomic.Pointer[heldRun[R, E, A]]

type heldRun[R, E, A any] struct {
	id  effect.FiberID
	run effect.Effect[R, E, A]
}

// get returns holding(s, id, n, run), from the cache if it is there.
func (c *holdCache[R, E, A]) get(s *Semaphore, id effect.FiberID, n int64, run effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	slot := &c[uint64(id)%holdSlots]
	if h := slot.Load(); h != nil && h.id == id {
		return h.run
	}
	h := &heldRun[R, E, A]{id: id, run: holding(s, id, n, run)}
	slot.Store(h)
	return h.run
}

// holding returns an effect that runs run, which id runs holding n permits
// of s, and gives them back when it ends, whatever its outcome.
func holding[R, E, A any](s *Semaphore, id effect.FiberID, n int64, run effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	return effect.MatchCauseEffect(run,
		func(c effect.Cause[E]) effect.Effect[R, E, A] {
			s.releaseFrom(id, n)
			return effect.FailCause[R, A](c)
		},
		func(a A) effect.Effect[R, E, A] {
			s.releaseFrom(id, n)
			return effect.Succeed[R, E](a)
		})
}

// AcquireScoped returns an effect that takes n permits, waiting for them as
// [Semaphore.Acquire] does, and registers their return in the current scope
// (see [effect.Scoped]): they are held until that scope closes, and dumps
// show the fiber that took them as their holder until then. The wait is
// interruptible; once the permits are taken their return is registered
// before any interruption can take effect. It panics if n is negative or
// more than the semaphore's size.
func (s *Semaphore) AcquireScoped[R, E any](n int64) effect.Effect[R, E, struct{}] {
	s.check("AcquireScoped", n)
	if n == 0 {
		return effect.Unit[R, E]()
	}
	return masked(func(restore effect.Restore) effect.Effect[R, E, struct{}] {
		return effect.SuspendFiber(func(id effect.FiberID) effect.Effect[R, E, struct{}] {
			fin := effect.AddFinalizer(func(error) effect.Effect[R, E, struct{}] {
				return effect.Sync[R, E](func() struct{} { s.releaseFrom(id, n); return struct{}{} })
			})
			return effect.AndThen(restore.Apply(s.acquire[R, E](id, n)), fin)
		})
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
