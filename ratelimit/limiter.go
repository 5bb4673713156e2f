package ratelimit

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/internal/waitq"
	"github.com/gogoscope/gogoscope/resource"
)

// ErrClosed is the reason of the interruption of a wait on a limiter whose
// scope has closed, and of every acquire after that. It is
// [resource.ErrClosed], so one errors.Is check covers every managed thing.
var ErrClosed = resource.ErrClosed

// CostError is the failure of a request whose cost exceeds what the limiter
// can ever admit at once (its [Limiter.Capacity]): such a request could
// never go, so it fails at once instead of waiting forever.
type CostError struct {
	Cost, Capacity int64
}

func (e *CostError) Error() string {
	return fmt.Sprintf("ratelimit: cost %d exceeds the limiter's capacity %d: it could never be admitted", e.Cost, e.Capacity)
}

// Limiter is a rate limiter owned by a scope: it admits requests at the rate
// its [Algorithm] allows, each request weighing a cost (1 unless said
// otherwise), and makes the others wait.
//
// Waiting is fair: requests that must wait queue first-in, first-out, and a
// costly request at the head of the queue is not overtaken by later, cheaper
// ones (nor by [Limiter.TryAcquire]), so none starves. A wait is
// interruptible and takes nothing it does not keep: a waiter interrupted
// before its admission leaves the queue having consumed no capacity, and the
// next in line moves up. Capacity taken by an admission is spent, as in
// golang.org/x/time/rate's Wait: it is not given back if the caller is
// interrupted afterwards.
//
// No goroutine runs for the limiter: the fiber at the head of the queue
// sleeps (a timer of the time package) until its admission is due, so
// inside a testing/synctest bubble all of it runs on virtual time. When the
// limiter's scope closes, every waiter is woken with an interruption whose
// reason is [ErrClosed], and later acquires fail the same way.
//
// A Limiter is an [effect.Blocker]: a fiber waiting for its admission shows
// in dumps, wait hooks, the profiler and the deadlock detector as waiting
// on "limiter NAME" (see [WithName]), with what is available and how many
// wait: `limiter api (0/20 available, 3 waiting)`. It reports no holders:
// time alone admits the waiters, so the deadlock detector treats the wait
// as live.
type Limiter struct {
	name    string
	mu      sync.Mutex
	pol     policy
	start   time.Time
	queue   waitq.Queue[*waiter] // oldest first
	closed  bool
	retired bool // taken out of its Keyed set while at rest: look up again
}

// waiter is a fiber queued for cost. It is in the queue while state is
// waiting; wake, set while its fiber is parked, ends the park.
type waiter struct {
	cost  int64
	state uint8
	wake  func()
	timer *time.Timer
	link  waitq.Node[*waiter] // its place in the queue; Value is the waiter
}

const (
	waiting uint8 = iota
	admitted
	gone // interrupted, or removed by the close
)

// New returns an effect that makes a limiter running alg, owned by the
// current scope (see [effect.Scoped]): when the scope closes, the limiter
// stops and wakes its waiters with an interruption (see [Limiter]).
// Options name it ([WithName]). It panics if alg's parameters are invalid: a zero or negative rate, limit or
// period, or a negative burst.
func New[R, E any](alg Algorithm, opts ...Option) effect.Effect[R, E, *Limiter] {
	if alg == nil {
		panic("ratelimit.New: alg must not be nil")
	}
	pol := alg.policy("ratelimit.New")
	name := configure("ratelimit.New", opts).name
	return effect.AcquireRelease(
		effect.Sync[R, E](func() *Limiter { return &Limiter{name: name, pol: pol, start: time.Now()} }),
		func(l *Limiter) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { l.close(); return struct{}{} })
		})
}

// Option configures a [Limiter] made by [New], or the limiters of a
// [Keyed] set made by [NewKeyed]; [WithName] is the one there is.
type Option func(*options)

type options struct{ name string }

// WithName names a limiter: dumps, wait hooks, the profiler and the
// deadlock detector show a fiber waiting on it as waiting on "limiter
// name". The limiters of a [Keyed] set share the set's name (keys are not
// shown: they are many, and may be private). Without it the limiter is
// anonymous ("limiter"). It panics if name is empty or holds a control
// character (a newline would break the lines of a text dump).
func WithName(name string) Option {
	if name == "" {
		panic("ratelimit.WithName: name must not be empty")
	}
	if strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		panic(fmt.Sprintf("ratelimit.WithName: name must not hold control characters, got %q", name))
	}
	return func(o *options) { o.name = name }
}

// configure applies opts, and panics, naming where, on a nil one.
func configure(where string, opts []Option) options {
	var o options
	for _, f := range opts {
		if f == nil {
			panic(where + ": an option is nil")
		}
		f(&o)
	}
	return o
}

// Name returns the limiter's name, empty when it has none.
func (l *Limiter) Name() string { return l.name }

// BlockerName returns ("limiter", its name), for [effect.Blocker].
func (l *Limiter) BlockerName() (kind, name string) { return "limiter", l.name }

// BlockerHolders returns no holders (time admits the waiters) and what is
// available and how many wait: "0/20 available, 3 waiting", with
// ", closed" once closed. It is what dumps read (see [effect.Blocker]); it
// takes the limiter's lock.
func (l *Limiter) BlockerHolders() ([]effect.FiberID, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	b.WriteString(strconv.FormatInt(l.pol.available(l.now()), 10))
	b.WriteByte('/')
	b.WriteString(strconv.FormatInt(l.pol.capacity(), 10))
	b.WriteString(" available, ")
	b.WriteString(strconv.Itoa(l.queue.Len()))
	b.WriteString(" waiting")
	if l.closed {
		b.WriteString(", closed")
	}
	return nil, b.String()
}

// Capacity returns the most that one request may cost: the burst of a
// token bucket or GCRA, the limit of a window.
func (l *Limiter) Capacity() int64 { return l.pol.capacity() }

// Available returns how much cost could be admitted right now if no one
// waited: the tokens in the bucket, or what is left of the window.
func (l *Limiter) Available() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pol.available(l.now())
}

// Waiting returns the number of fibers waiting right now.
func (l *Limiter) Waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.queue.Len()
}

// TryAcquire admits a request of cost and reports true if it can go now and
// no one waits before it; otherwise, or if the limiter is closed, or the
// cost exceeds the capacity, it admits nothing and reports false. It never
// blocks. It panics if cost is negative.
func (l *Limiter) TryAcquire(cost int64) bool {
	l.checkCost("TryAcquire", cost)
	return cost <= l.pol.capacity() && l.tryAdmit(cost) == tryAdmitted
}

// admitNowLocked admits cost and reports true if no one waits and the
// algorithm allows it now.
func (l *Limiter) admitNowLocked(cost int64) bool {
	if l.queue.Len() > 0 {
		return false
	}
	now := l.now()
	if l.pol.delay(now, cost) > 0 {
		return false
	}
	l.pol.take(now, cost)
	return true
}

// Acquire returns an effect that admits a request of cost, waiting in the
// queue until the limiter allows it (see [Limiter] for fairness and
// interruption). A cost of zero succeeds at once. A cost above
// [Limiter.Capacity] fails at once with a [*CostError]: as an expected
// failure when E can hold an error (error or any), as a defect otherwise.
// On a closed limiter, or when its scope closes during the wait, the effect
// fails with an interruption whose reason is [ErrClosed]. It panics if cost
// is negative.
//
// Cost: an admission without waiting takes a lock and reads the clock, and
// allocates nothing; a wait allocates a few small objects, parks the fiber
// and, at the head of the queue, arms one timer.
func (l *Limiter) Acquire[R, E any](cost int64) effect.Effect[R, E, struct{}] {
	l.checkCost("Acquire", cost)
	if cost == 0 {
		return effect.Unit[R, E]()
	}
	if capa := l.pol.capacity(); cost > capa {
		return costFailure[R, E, struct{}](&CostError{Cost: cost, Capacity: capa})
	}
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		switch l.tryAdmit(cost) {
		case tryClosed, tryRetired:
			return closedEffect[R, E, struct{}]()
		case tryAdmitted:
			return effect.Effect[R, E, struct{}]{}
		}
		// The closed failure is built only when needed: not on the
		// admitted path, which allocates nothing of its own.
		closed := closedEffect[R, E, struct{}]()
		return l.wait[R, E](cost, closed, closed)
	})
}

// tryState is what an attempt to admit a request at once found.
type tryState uint8

const (
	tryAdmitted tryState = iota
	tryWait
	tryClosed
	tryRetired
)

// tryAdmit admits cost if it can go now (see admitNowLocked), or says why
// not.
func (l *Limiter) tryAdmit(cost int64) tryState {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.retired:
		return tryRetired
	case l.closed:
		return tryClosed
	case l.admitNowLocked(cost):
		return tryAdmitted
	}
	return tryWait
}

// Limit returns an effect that runs e once the limiter admits it at a cost
// of 1: the effect form of a rate limit, as Effect's RateLimiter is a
// function of effects. It is [Limiter.WithCost] with a cost of 1.
func (l *Limiter) Limit[R, E, A any](e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	return effect.AndThen(l.Acquire[R, E](1), e)
}

// WithCost returns an effect that waits until the limiter admits a request
// of cost (as [Limiter.Acquire] does, with the same failures), then runs e.
// The wait is interruptible; e runs with the caller's interruptibility. The
// returned effect may be run any number of times, each run a new request.
func (l *Limiter) WithCost[R, E, A any](cost int64, e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	return effect.AndThen(l.Acquire[R, E](cost), e)
}

func (l *Limiter) checkCost(op string, cost int64) {
	if cost < 0 {
		panic(fmt.Sprintf("ratelimit.Limiter.%s: cost must be >= 0, got %d", op, cost))
	}
}

func (l *Limiter) now() int64 { return int64(time.Since(l.start)) }

// costFailure fails with err: as E if E can hold it, as a defect otherwise.
func costFailure[R, E, A any](err *CostError) effect.Effect[R, E, A] {
	if e, ok := any(err).(E); ok {
		return effect.Fail[R, A](e)
	}
	return effect.Die[R, E, A](fmt.Errorf("%w (the failure type %v cannot hold it)", err, reflect.TypeFor[E]()))
}

func closedEffect[R, E, A any]() effect.Effect[R, E, A] {
	return effect.FailCause[R, A](effect.CauseInterrupt[E](0, ErrClosed))
}
