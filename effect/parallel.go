package effect

import (
	"sync"
	"sync/atomic"
)

// Par configures [ForEachPar] and [All]. The zero value runs every item at
// once and stops at the first failure.
type Par struct {
	// Limit is the most items in progress at once; zero or less means no
	// limit. With a limit of n, ForEachPar runs n worker fibers that take
	// items in order, not a fiber per item.
	Limit int
}

// ForEachPar returns an effect that runs f on every item concurrently, at
// most opts.Limit at a time, and succeeds with the results in input order.
// At the first failure it interrupts the items still in progress, starts no
// more, waits for the workers to end, and fails with the failures seen, in
// input order, joined in parallel. Every worker has ended, finalizers
// included, when the effect ends.
func ForEachPar[R, E, A, B any](items []A, f func(A) Effect[R, E, B], opts Par) Effect[R, E, []B] {
	return prim(func(fb *fiber, env R) Effect[R, E, []B] {
		n := len(items)
		out := make([]B, n)
		if n == 0 {
			return Succeed[R, E](out)
		}
		workers := opts.Limit
		if workers <= 0 || workers > n {
			workers = n
		}
		st := &parState[E]{causes: make([]Cause[E], n), failed: make(chan struct{})}
		var loop Effect[R, E, struct{}]
		loop = Suspend(func() Effect[R, E, struct{}] {
			if st.stop.Load() {
				return Unit[R, E]()
			}
			i := int(st.next.Add(1) - 1)
			if i >= n {
				return Unit[R, E]()
			}
			return MatchCauseEffect(Suspend(func() Effect[R, E, B] { return f(items[i]) }),
				func(c Cause[E]) Effect[R, E, struct{}] {
					st.fail(i, c)
					return Unit[R, E]()
				},
				func(b B) Effect[R, E, struct{}] {
					out[i] = b
					return loop
				})
		})
		kids := make([]*Fiber[E, struct{}], workers)
		var left atomic.Int64
		left.Store(int64(workers))
		allDone := make(chan struct{})
		for w := range kids {
			kids[w] = start(fb.rt, fb, fb.locals.scope, env, loop, fb.ctx)
			kids[w].observe(func() {
				if left.Add(-1) == 0 {
					close(allDone)
				}
			})
		}
		intr := fb.beginWait(waitInfo{what: "all"})
		select {
		case <-allDone:
		case <-st.failed:
			stopAll(fb, kids, -1)
		case <-intr:
			fb.endWait()
			stopAll(fb, kids, -1)
			return interrupted[R, E, []B](fb)
		}
		fb.endWait()
		if c := st.cause(); !c.IsEmpty() {
			return FailCause[R, []B](c)
		}
		return Succeed[R, E](out)
	})
}

// All returns an effect that runs every effect of effs concurrently, as
// [ForEachPar] does, and succeeds with their values in input order.
func All[R, E, A any](effs []Effect[R, E, A], opts Par) Effect[R, E, []A] {
	return ForEachPar(effs, func(e Effect[R, E, A]) Effect[R, E, A] { return e }, opts)
}

type parState[E any] struct {
	next   atomic.Int64
	stop   atomic.Bool
	mu     sync.Mutex
	causes []Cause[E]
	once   sync.Once
	failed chan struct{}
}

func (s *parState[E]) fail(i int, c Cause[E]) {
	s.mu.Lock()
	s.causes[i] = c
	s.mu.Unlock()
	s.stop.Store(true)
	s.once.Do(func() { close(s.failed) })
}

// cause joins the recorded causes in input order; interruptions caused by
// the fail-fast stop are dropped when a real failure is there.
func (s *parState[E]) cause() Cause[E] {
	s.mu.Lock()
	defer s.mu.Unlock()
	var real, intr Cause[E]
	for _, c := range s.causes {
		if c.IsEmpty() {
			continue
		}
		if c.IsInterruptedOnly() {
			intr = intr.Both(c)
		} else {
			real = real.Both(c)
		}
	}
	if !real.IsEmpty() {
		return real
	}
	return intr
}
