package resource

import (
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

// The semaphore and the breaker as scope-wide policies ([effect.Policy]):
// go-go-scope's scope({ concurrency, circuitBreaker }).

var (
	_ effect.Policy = (*Semaphore)(nil)
	_ effect.Policy = (*CircuitBreaker)(nil)
)

// Concurrency returns a semaphore of n permits that belongs to no scope, made
// in plain Go, for a scope's concurrency limit:
//
//	s := rt.NewScope(effect.WithPolicy(resource.Concurrency(3)))
//
// runs at most 3 of the fibers forked in s (and in the scopes opened in it)
// at once, in fork order. Its waiters are fibers of the scopes it admits for,
// which interrupt them when they close, so it needs no scope of its own. It
// panics if n is not positive.
func Concurrency(n int64) *Semaphore {
	if n <= 0 {
		panic(fmt.Sprintf("resource.Concurrency: n must be > 0, got %d", n))
	}
	return &Semaphore{size: n, avail: n}
}

// Admit returns the admission of one fiber under the semaphore used as a
// scope's concurrency limit ([effect.WithPolicy]): it takes one permit,
// waiting in the semaphore's first-in, first-out queue, and succeeds with the
// release that gives it back when the fiber has ended, whatever its outcome.
// The wait is interruptible and leaks nothing ([Semaphore.Acquire]). The same
// semaphore may limit several scopes at once, and calls through
// [Semaphore.WithPermits] elsewhere: they share its permits.
func (s *Semaphore) Admit() effect.Effect[any, error, effect.Release] {
	return effect.As(s.Acquire[any, error](1), effect.Release(s.releaseOne))
}

func (s *Semaphore) releaseOne(error) { s.Release(1) }

// Breaker returns a circuit breaker that belongs to no scope, made in plain
// Go, for a scope's circuit-breaker policy:
//
//	s := rt.NewScope(effect.WithPolicy(resource.Breaker(resource.BreakerOptions{FailureThreshold: 5})))
//
// counts the outcomes of the fibers forked in s and, once open, refuses new
// ones (see [CircuitBreaker.Admit]). It panics on bad options, as
// [NewCircuitBreaker] does.
func Breaker(opts BreakerOptions) *CircuitBreaker { return newBreaker(opts).fresh() }

// Admit returns the admission of one fiber under the breaker used as a
// scope's policy ([effect.WithPolicy]). A closed breaker (or a half-open one
// with a trial left) admits the fiber, and the release counts the fiber's
// outcome as [CircuitBreaker.Execute] counts a call's: a failure for which
// [BreakerOptions.IsFailure] holds counts against the service, an
// interruption is not counted. An open breaker refuses the fiber with a
// [*BreakerOpenError]: the fiber never runs and fails with it (or, if its
// failure type cannot hold it, ends interrupted with it as the reason; see
// [effect.Policy]). A breaker whose scope has closed refuses with an
// interruption whose reason is [ErrClosed]. The admission is
// uninterruptible and quick: it reads the breaker's store.
func (cb *CircuitBreaker) Admit() effect.Effect[any, error, effect.Release] {
	admit := admitEffect[any, error](cb)
	return effect.Uninterruptible(effect.FlatMap(admit, func(t *ticket) effect.Effect[any, error, effect.Release] {
		switch {
		case t.panic != nil:
			cb.record(t, outIgnored)
			return effect.Die[any, error, effect.Release](t.panic)
		case !t.admitted && t.closed:
			return closedEffect[any, error, effect.Release]()
		case !t.admitted:
			return effect.Fail[any, effect.Release](error(&BreakerOpenError{Name: cb.name, State: t.state, RetryAt: t.retryAt}))
		}
		return effect.Succeed[any, error](effect.Release(func(err error) {
			o, bug := cb.outcomeOf(err)
			if b := cb.record(t, o); bug == nil {
				bug = b
			}
			if bug != nil {
				panic(bug)
			}
		}))
	}))
}

// outcomeOf tells how a fiber that ended with err counts, as classify does
// for a call: nil is a success, an interruption is not counted, a failure
// counts unless IsFailure says otherwise. A panic in IsFailure counts the
// failure and is returned, to go on as a panic of the release (a defect of
// the fiber) once the outcome is recorded.
func (cb *CircuitBreaker) outcomeOf(err error) (o outcome, bug any) {
	switch {
	case err == nil:
		return outSuccess, nil
	case effect.IsInterruption(err):
		return outIgnored, nil
	case cb.opts.IsFailure == nil:
		return outFailure, nil
	}
	defer func() {
		if r := recover(); r != nil {
			o, bug = outFailure, r
		}
	}()
	if !cb.opts.IsFailure(err) {
		return outSuccess, nil
	}
	return outFailure, nil
}
