package stream

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Case is one arm of a [Select]: a receive ([OnReceive]), a send
// ([OnSend]), a time limit ([OnTimeout]) or a default ([OnDefault]), with
// the effect to run if it is the one that fires. A Case is a description:
// the same Case may be used in many Selects, and a Select may run many
// times.
type Case[R, E, B any] struct {
	mk        func() arm[R, E, B]
	isDefault bool
	recv      *receiverSet // a receive case's core's: the Select's fiber receives
}

// arm is the state of one Case during one run of a Select. The *Locked
// methods run with the arm's core locked (every core of the Select is).
type arm[R, E, B any] interface {
	lock() *lockable                       // nil for timers and defaults
	tryLocked() bool                       // complete at once if possible
	registerLocked(st *waitState, idx int) // park a waiter
	unregisterLocked()                     // remove it, if still parked
	then() effect.Effect[R, E, B]          // the case's effect, once it fired
}

// OnReceive returns a case that receives from r. When it fires, f is
// called with the element and true, or with the zero value and false if r
// is closed and drained (a closed receiver is always ready, as in Go), and
// the Select continues with the effect f returns.
func OnReceive[R, E, A, B any](r Receiver[A], f func(a A, ok bool) effect.Effect[R, E, B]) Case[R, E, B] {
	c := r.receiverCore()
	return Case[R, E, B]{mk: func() arm[R, E, B] { return &recvArm[R, E, A, B]{c: c, f: f} }, recv: &c.recv}
}

// OnSend returns a case that sends a to s. When it fires, f is called with
// true if a was sent, or false if s is closed (a closed sender is always
// ready; so is a full [Dropping] queue, which drops a), and the Select
// continues with the effect f returns.
func OnSend[R, E, A, B any](s Sender[A], a A, f func(sent bool) effect.Effect[R, E, B]) Case[R, E, B] {
	c := s.senderCore()
	return Case[R, E, B]{mk: func() arm[R, E, B] { return &sendArm[R, E, A, B]{c: c, a: a, f: f} }}
}

// OnTimeout returns a case that fires when d has passed since the Select
// began waiting, if no other case fired first; the Select continues with
// f(). A d of zero or less is ready at once. Time comes from the time
// package (virtual inside a testing/synctest bubble).
func OnTimeout[R, E, B any](d time.Duration, f func() effect.Effect[R, E, B]) Case[R, E, B] {
	return Case[R, E, B]{mk: func() arm[R, E, B] { return &timerArm[R, E, B]{d: d, f: f} }}
}

// OnDefault returns a case that fires when no other case is ready at once,
// making the Select non-blocking; the Select continues with f(). A Select
// takes at most one default case.
func OnDefault[R, E, B any](f func() effect.Effect[R, E, B]) Case[R, E, B] {
	return Case[R, E, B]{isDefault: true, mk: func() arm[R, E, B] { return &defaultArm[R, E, B]{f: f} }}
}

// Select returns an effect that waits until one of cases can fire, fires
// exactly that one, and continues with its effect: a Go select statement
// over channels, queues and subscriptions, with time limits. When several
// cases are ready, one is chosen at random, so that none starves. Without a
// ready case, a default case ([OnDefault]) fires at once; without one
// either, Select waits. A Select with no case waits until interrupted, as Go's
// empty select blocks forever.
//
// The wait is interruptible and never loses an element: if the fiber is
// interrupted, either no case fired and the Select ends as interrupted, or
// one did (its element was received or sent) and the Select continues with
// that case's effect, which the pending interruption then stops at its first
// interruptible step. The case that fired is told by which effect runs: give
// each case an effect that reports it, for example a label. Select locks the
// cores of its cases together, in a fixed order, so that firing one case
// and withdrawing from the others is atomic. It panics if there is more than
// one default case.
func Select[R, E, B any](cases ...Case[R, E, B]) effect.Effect[R, E, B] {
	defaults := 0
	for _, c := range cases {
		if c.isDefault {
			defaults++
		}
	}
	if defaults > 1 {
		panic(fmt.Sprintf("stream.Select: at most one default case, got %d", defaults))
	}
	if len(cases) == 0 {
		return effect.Never[R, E, B]()
	}
	return effect.SuspendFiber(func(id effect.FiberID) effect.Effect[R, E, B] {
		var unknown []*receiverSet
		for _, c := range cases {
			if c.recv != nil && !c.recv.knows(id) {
				unknown = append(unknown, c.recv)
			}
		}
		if unknown == nil {
			return runSelect(cases)
		}
		return effect.FlatMap(effect.CurrentFiber[R, E](), func(h effect.FiberHandle) effect.Effect[R, E, B] {
			for _, r := range unknown {
				r.note(h)
			}
			return runSelect(cases)
		})
	})
}

func runSelect[R, E, B any](cases []Case[R, E, B]) effect.Effect[R, E, B] {
	arms := make([]arm[R, E, B], len(cases))
	deflt := -1
	var locks []*lockable
	for i, c := range cases {
		arms[i] = c.mk()
		if c.isDefault {
			deflt = i
		}
		if l := arms[i].lock(); l != nil && !slices.Contains(locks, l) {
			locks = append(locks, l)
		}
	}
	slices.SortFunc(locks, func(a, b *lockable) int { return cmp.Compare(a.id, b.id) })
	lockAll := func() {
		for _, l := range locks {
			l.mu.Lock()
		}
	}
	unlockAll := func() {
		for i := len(locks) - 1; i >= 0; i-- {
			locks[i].mu.Unlock()
		}
	}
	withdraw := func(except int) {
		lockAll()
		for i, a := range arms {
			if i != except {
				a.unregisterLocked()
			}
		}
		unlockAll()
	}
	order := rand.Perm(len(arms))
	st := &waitState{}
	won := -1
	wait := effect.AsyncOn[R, E, struct{}](selectOf(len(arms)), func(resume func(effect.Exit[E, struct{}])) func() {
		st.wake = func() { resume(effect.Exit[E, struct{}]{}) }
		lockAll()
		for _, i := range order {
			if i != deflt && arms[i].tryLocked() {
				won = i
				break
			}
		}
		if won < 0 && deflt >= 0 {
			won = deflt
		}
		if won >= 0 {
			unlockAll()
			resume(effect.Exit[E, struct{}]{})
			return nil
		}
		for i, a := range arms {
			a.registerLocked(st, i)
		}
		unlockAll()
		return func() {
			lockAll()
			st.cancel()
			for _, a := range arms {
				a.unregisterLocked()
			}
			unlockAll()
		}
	})
	fire := func() effect.Effect[R, E, B] {
		if won >= 0 {
			return arms[won].then()
		}
		i := st.fired()
		withdraw(i)
		return arms[i].then()
	}
	return effect.MatchCauseEffect(wait,
		func(c effect.Cause[E]) effect.Effect[R, E, B] {
			if c.IsInterruptedOnly() && st.fired() >= 0 {
				return fire()
			}
			return effect.FailCause[R, B](c)
		},
		func(struct{}) effect.Effect[R, E, B] { return fire() })
}

type recvArm[R, E, A, B any] struct {
	c     *core[A]
	f     func(A, bool) effect.Effect[R, E, B]
	w     waiter[A]
	a     A
	ok    bool
	ready bool // fired at once, without parking
}

func (r *recvArm[R, E, A, B]) lock() *lockable { return &r.c.lockable }

func (r *recvArm[R, E, A, B]) tryLocked() bool {
	if r.a, r.ok = r.c.tryTake1Locked(); r.ok || r.c.closed {
		r.ready = true
		return true
	}
	return false
}

func (r *recvArm[R, E, A, B]) registerLocked(st *waitState, idx int) {
	r.w.st, r.w.idx, r.w.max = st, idx, 1
	r.c.recvq.Push(r.w.node())
}

func (r *recvArm[R, E, A, B]) unregisterLocked() { r.c.recvq.Remove(&r.w.link) }

func (r *recvArm[R, E, A, B]) then() effect.Effect[R, E, B] {
	if !r.ready && len(r.w.got) > 0 {
		r.a, r.ok = r.w.got[0], true
	}
	if r.ok && r.c.onTake != nil {
		r.c.onTake()
	}
	return r.f(r.a, r.ok)
}

type sendArm[R, E, A, B any] struct {
	c     *core[A]
	a     A
	f     func(bool) effect.Effect[R, E, B]
	w     waiter[A]
	ok    bool
	ready bool
}

func (s *sendArm[R, E, A, B]) lock() *lockable { return &s.c.lockable }

func (s *sendArm[R, E, A, B]) tryLocked() bool {
	switch s.c.trySendLocked(s.a) {
	case full:
		return false
	case sent:
		s.ok = true
	}
	s.ready = true
	return true
}

func (s *sendArm[R, E, A, B]) registerLocked(st *waitState, idx int) {
	s.w.st, s.w.idx, s.w.send = st, idx, []A{s.a}
	s.c.sendq.Push(s.w.node())
}

func (s *sendArm[R, E, A, B]) unregisterLocked() { s.c.sendq.Remove(&s.w.link) }

func (s *sendArm[R, E, A, B]) then() effect.Effect[R, E, B] {
	if !s.ready {
		s.ok = s.w.sent == 1
	}
	return s.f(s.ok)
}

type timerArm[R, E, B any] struct {
	d time.Duration
	f func() effect.Effect[R, E, B]
	t *time.Timer
}

func (t *timerArm[R, E, B]) lock() *lockable { return nil }
func (t *timerArm[R, E, B]) tryLocked() bool { return t.d <= 0 }

func (t *timerArm[R, E, B]) registerLocked(st *waitState, idx int) {
	t.t = time.AfterFunc(t.d, func() {
		if st.claim(idx) {
			st.wake()
		}
	})
}

func (t *timerArm[R, E, B]) unregisterLocked() {
	if t.t != nil {
		t.t.Stop()
	}
}

func (t *timerArm[R, E, B]) then() effect.Effect[R, E, B] { return t.f() }

type defaultArm[R, E, B any] struct {
	f func() effect.Effect[R, E, B]
}

func (d *defaultArm[R, E, B]) lock() *lockable                { return nil }
func (d *defaultArm[R, E, B]) tryLocked() bool                { return false }
func (d *defaultArm[R, E, B]) registerLocked(*waitState, int) {}
func (d *defaultArm[R, E, B]) unregisterLocked()              {}
func (d *defaultArm[R, E, B]) then() effect.Effect[R, E, B]   { return d.f() }

// onReceiveUpTo is the batch form of OnReceive, for the timed operators: it
// receives between 1 and max elements (none, with ok false, when c is closed
// and drained).
func onReceiveUpTo[R, E, A, B any](c *core[A], max int, f func(got []A, ok bool) effect.Effect[R, E, B]) Case[R, E, B] {
	return Case[R, E, B]{mk: func() arm[R, E, B] { return &batchArm[R, E, A, B]{c: c, max: max, f: f} }, recv: &c.recv}
}

type batchArm[R, E, A, B any] struct {
	c   *core[A]
	max int
	f   func([]A, bool) effect.Effect[R, E, B]
	w   waiter[A]
	got []A
}

func (r *batchArm[R, E, A, B]) lock() *lockable { return &r.c.lockable }

func (r *batchArm[R, E, A, B]) tryLocked() bool {
	r.got = r.c.tryTakeLocked(r.max)
	return r.got != nil || r.c.closed
}

func (r *batchArm[R, E, A, B]) registerLocked(st *waitState, idx int) {
	r.w.st, r.w.idx, r.w.max = st, idx, r.max
	r.c.recvq.Push(r.w.node())
}

func (r *batchArm[R, E, A, B]) unregisterLocked() { r.c.recvq.Remove(&r.w.link) }

func (r *batchArm[R, E, A, B]) then() effect.Effect[R, E, B] {
	if r.got == nil {
		r.got = r.w.got
	}
	if len(r.got) > 0 && r.c.onTake != nil {
		r.c.onTake()
	}
	return r.f(r.got, len(r.got) > 0)
}
