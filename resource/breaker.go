package resource

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// ErrBreakerOpen is matched by every [BreakerOpenError] with [errors.Is].
var ErrBreakerOpen = errors.New("resource: circuit breaker open")

// BreakerOpenError is the failure of a call that a circuit breaker refused:
// the breaker is open, or half-open with all its trial calls taken. It names
// the breaker and matches [ErrBreakerOpen] with [errors.Is].
type BreakerOpenError struct {
	// Name is the breaker's name.
	Name string
	// State is the breaker's state when it refused the call: open or
	// half-open.
	State BreakerState
	// RetryAt is when an open breaker will let trial calls through; zero
	// for a half-open one.
	RetryAt time.Time
}

// Error returns a message naming the breaker and its state.
func (e *BreakerOpenError) Error() string {
	return fmt.Sprintf("resource: circuit breaker %q is %s", e.Name, e.State)
}

// Is reports whether target is [ErrBreakerOpen].
func (e *BreakerOpenError) Is(target error) bool { return target == ErrBreakerOpen }

// BreakerOptions configure a [CircuitBreaker]. The zero value opens after 5
// consecutive failures, lets one trial call through after 30 seconds, and
// counts every failure but interruptions.
type BreakerOptions struct {
	// Name names the breaker in its errors and in its store; default
	// "breaker". Breakers that share a store and a name share their state.
	Name string
	// FailureThreshold is the number of consecutive counted failures that
	// opens a closed breaker. Zero means 5, or no count at all when
	// FailureRate is set (the breaker then watches the rate only).
	FailureThreshold int
	// FailureRate, if not zero, also opens a closed breaker when the
	// counted failures among the last Window calls reach this fraction
	// (0.5: half of them), once there have been MinCalls calls.
	FailureRate float64
	// Window is the number of most recent calls the failure rate is
	// computed over; required with FailureRate.
	Window int
	// MinCalls is the fewest calls in the window before the failure rate
	// counts; zero means Window.
	MinCalls int
	// ResetTimeout is how long an open breaker refuses calls before it
	// turns half-open; zero means 30 seconds. Time comes from the time
	// package, so it is virtual inside a testing/synctest bubble.
	ResetTimeout time.Duration
	// HalfOpenCalls is the number of trial calls a half-open breaker lets
	// through; when they all succeed it closes, and the first counted
	// failure opens it again. Zero means 1. Calls beyond the trials are
	// refused while the trials run.
	HalfOpenCalls int
	// IsFailure tells which failures count against the service. It receives
	// what running the call from plain Go would return (a lone failure as
	// itself, anything else as the [effect.Cause], so errors.Is and
	// errors.As work). A failure for which it reports false counts as a
	// success: the service answered. Nil counts every failure, defects
	// included. Interruptions never count, whatever it says.
	IsFailure func(err error) bool
	// OnStateChange, if set, is called after each change of state, on the
	// fiber whose call caused it; changes to and from half-open included.
	// Calls may overlap when several fibers use the breaker.
	OnStateChange func(name string, from, to BreakerState)
	// OnStoreError, if set, receives the errors of the store. A breaker
	// whose store fails lets calls through (it fails open) rather than
	// refusing them all.
	OnStoreError func(err error)
	// Store keeps the breaker's state; nil means a new [MemoryBreakerStore].
	Store BreakerStore
}

// CircuitBreaker protects a service from calls that are likely to fail and
// the service from a flood of them: after enough failures it opens and
// fails calls at once with a [*BreakerOpenError], without running them;
// after a reset timeout it lets a few trial calls through (half-open), which
// close it again if they succeed. See [BreakerOptions] for the thresholds.
//
// Its state lives in a [BreakerStore], in memory by default. It is owned by
// the scope it was made in ([NewCircuitBreaker]): once that scope has closed,
// calls fail with an interruption whose reason is [ErrClosed]; the stored
// state is left as it is, for other breakers that share the store.
type CircuitBreaker struct {
	name   string
	m      machine
	opts   BreakerOptions
	store  BreakerStore
	closed atomic.Bool
}

// NewCircuitBreaker returns an effect that makes a circuit breaker owned by
// the current scope. It panics if an option is out of range: a negative
// threshold, timeout or count, a FailureRate outside [0, 1] or without a
// Window, a Window without a FailureRate, or MinCalls beyond Window.
func NewCircuitBreaker[R, E any](opts BreakerOptions) effect.Effect[R, E, *CircuitBreaker] {
	cb := newBreaker(opts)
	return effect.AcquireRelease(effect.Sync[R, E](func() *CircuitBreaker { return cb.fresh() }),
		func(cb *CircuitBreaker) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { cb.closed.Store(true); return struct{}{} })
		})
}

func newBreaker(o BreakerOptions) *CircuitBreaker {
	bad := func(rule string, v any) {
		panic(fmt.Sprintf("resource.NewCircuitBreaker: %s, got %v", rule, v))
	}
	switch {
	case o.FailureThreshold < 0:
		bad("FailureThreshold must be >= 0", o.FailureThreshold)
	case o.FailureRate < 0 || o.FailureRate > 1:
		bad("FailureRate must be in [0, 1]", o.FailureRate)
	case o.FailureRate > 0 && o.Window <= 0:
		bad("Window must be > 0 with a FailureRate", o.Window)
	case o.FailureRate == 0 && o.Window != 0:
		bad("Window needs a FailureRate", o.Window)
	case o.MinCalls < 0 || o.MinCalls > o.Window:
		bad("MinCalls must be in [0, Window]", o.MinCalls)
	case o.ResetTimeout < 0:
		bad("ResetTimeout must be >= 0", o.ResetTimeout)
	case o.HalfOpenCalls < 0:
		bad("HalfOpenCalls must be >= 0", o.HalfOpenCalls)
	}
	m := machine{threshold: o.FailureThreshold, window: o.Window, rate: o.FailureRate,
		minCalls: o.MinCalls, reset: o.ResetTimeout, trials: o.HalfOpenCalls}
	if m.threshold == 0 && m.rate == 0 {
		m.threshold = 5
	}
	if m.minCalls == 0 {
		m.minCalls = m.window
	}
	if m.reset == 0 {
		m.reset = 30 * time.Second
	}
	if m.trials == 0 {
		m.trials = 1
	}
	if o.Name == "" {
		o.Name = "breaker"
	}
	return &CircuitBreaker{name: o.Name, m: m, opts: o, store: o.Store}
}

// fresh returns a copy of a configured breaker for one run of the
// constructor, with its own memory store if none was given.
func (cb *CircuitBreaker) fresh() *CircuitBreaker {
	c := &CircuitBreaker{name: cb.name, m: cb.m, opts: cb.opts, store: cb.store}
	if c.store == nil {
		c.store = NewMemoryBreakerStore()
	}
	return c
}

// Name returns the breaker's name.
func (cb *CircuitBreaker) Name() string { return cb.name }

// Snapshot returns the breaker's record as it stands now: an open breaker
// whose reset timeout has passed shows as half-open. It reads the store.
func (cb *CircuitBreaker) Snapshot(ctx context.Context) (BreakerRecord, error) {
	r, err := cb.store.Load(ctx, cb.name)
	return cb.m.view(r, time.Now()), err
}

// Reset closes the breaker and forgets its failures, whatever its state;
// calls in progress are not counted when they end.
func (cb *CircuitBreaker) Reset(ctx context.Context) error {
	var from BreakerState
	_, err := cb.store.Update(ctx, cb.name, func(r BreakerRecord) BreakerRecord {
		from = r.State
		return BreakerRecord{State: BreakerClosed, Generation: r.Generation + 1}
	})
	if err == nil && from != BreakerClosed {
		cb.changed(from, BreakerClosed)
	}
	return err
}

// Execute returns an effect that runs e through the breaker: if the breaker
// lets the call through, e runs and its outcome is counted (see
// [BreakerOptions.IsFailure]); if not, the effect fails at once with a
// [*BreakerOpenError] and e does not run.
//
// The failure is of e's type E, so E must be able to hold a
// *BreakerOpenError: error (the common case) or any; for another E, Execute
// panics at construction, and [CircuitBreaker.ExecuteOr] says what to do
// instead. Admission and counting are uninterruptible, so an interruption
// never leaves a trial call counted as in progress; e is interruptible if
// the caller was, and its interruption is not counted. Cost: a Load from
// the store to admit the call and an Update to count it; with the memory
// store, about a microsecond and 8 small allocations in all.
func (cb *CircuitBreaker) Execute[R, E, A any](e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	var probe any = (*BreakerOpenError)(nil)
	if _, ok := probe.(E); !ok {
		panic(fmt.Sprintf("resource.CircuitBreaker.Execute: the failure type E (%v) cannot hold *resource.BreakerOpenError; use ExecuteOr", reflect.TypeFor[E]()))
	}
	return cb.ExecuteOr(e, func(oe *BreakerOpenError) effect.Effect[R, E, A] {
		return effect.Fail[R, A](any(oe).(E))
	})
}

// ExecuteOr returns an effect that runs e through the breaker as
// [CircuitBreaker.Execute] does, and runs onOpen instead when the breaker
// refuses the call: a fallback (a cached value, a default), or a failure
// of the caller's own type E. onOpen runs interruptibly if the caller was,
// and its outcome is not counted.
func (cb *CircuitBreaker) ExecuteOr[R, E, A any](e effect.Effect[R, E, A], onOpen func(*BreakerOpenError) effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	admit := admitEffect[R, E](cb)
	return masked(func(restore effect.Restore) effect.Effect[R, E, A] {
		call := restore.Apply(e)
		return effect.FlatMap(admit, func(t *ticket) effect.Effect[R, E, A] {
			if t.panic != nil {
				// OnStateChange panicked after the admission was stored:
				// give the admission back, then fail with the defect.
				cb.record(t, outIgnored)
				return effect.Die[R, E, A](t.panic)
			}
			if !t.admitted {
				if t.closed {
					return closedEffect[R, E, A]()
				}
				return restore.Apply(effect.Suspend(func() effect.Effect[R, E, A] {
					return onOpen(&BreakerOpenError{Name: cb.name, State: t.state, RetryAt: t.retryAt})
				}))
			}
			// Counting is plain Go in the continuations, which run
			// uninterruptibly: nothing can come between the end of the
			// call and its count.
			return effect.MatchCauseEffect(call,
				func(c effect.Cause[E]) effect.Effect[R, E, A] {
					o, bug := classify(cb, c)
					if bug != nil {
						c = c.Then(effect.CauseDie[E](bug))
					}
					if bug := cb.record(t, o); bug != nil {
						c = c.Then(effect.CauseDie[E](bug))
					}
					return effect.FailCause[R, A](c)
				},
				func(a A) effect.Effect[R, E, A] {
					if bug := cb.record(t, outSuccess); bug != nil {
						return effect.Die[R, E, A](bug)
					}
					return effect.Succeed[R, E](a)
				})
		})
	})
}

// classify tells how a failed call counts. A panic in IsFailure counts the
// failure and is returned, to be joined to the call's cause as a defect.
func classify[E any](cb *CircuitBreaker, c effect.Cause[E]) (o outcome, bug any) {
	if c.IsInterruptedOnly() {
		return outIgnored, nil
	}
	f := cb.opts.IsFailure
	if f == nil {
		return outFailure, nil
	}
	defer func() {
		if r := recover(); r != nil {
			o, bug = outFailure, r
		}
	}()
	if !f(effect.FailedWith[E, struct{}](c).Err()) {
		return outSuccess, nil
	}
	return outFailure, nil
}

// admitEffect asks the store whether a call goes through. A store failure
// lets the call through, uncounted. The ticket keeps the context of the
// fiber (its values; never cancelled, as the admission and the count run
// uninterruptibly) for the count at the end of the call.
func admitEffect[R, E any](cb *CircuitBreaker) effect.Effect[R, E, *ticket] {
	try := effect.Try[R](func(ctx context.Context) (*ticket, error) {
		if cb.closed.Load() {
			return &ticket{closed: true}, nil
		}
		now := time.Now()
		r, err := cb.store.Load(ctx, cb.name)
		if err != nil {
			return nil, err
		}
		if !cb.m.changes(r, now) {
			_, t := cb.m.admit(r, now)
			t.ctx = ctx
			return &t, nil
		}
		var (
			t    ticket
			from BreakerState
		)
		r, err = cb.store.Update(ctx, cb.name, func(r BreakerRecord) BreakerRecord {
			from = r.State
			r, t = cb.m.admit(r, now)
			return r
		})
		if err != nil {
			return nil, err
		}
		t.ctx = ctx
		if from != r.State {
			t.panic = cb.safely(func() { cb.changed(from, r.State) })
		}
		return &t, nil
	})
	return effect.Catch(try, func(err error) effect.Effect[R, E, *ticket] {
		if bug := cb.safely(func() { cb.storeError(err) }); bug != nil {
			return effect.Die[R, E, *ticket](bug)
		}
		return effect.Succeed[R, E](&ticket{admitted: true, failOpen: true})
	})
}

// record counts the outcome o of the call of ticket t, in plain Go, and
// returns what a hook panicked with, if one did.
func (cb *CircuitBreaker) record(t *ticket, o outcome) (bug any) {
	if t.failOpen || o == outIgnored && !t.trial {
		return nil
	}
	now := time.Now()
	var from BreakerState
	r, err := cb.store.Update(t.ctx, cb.name, func(r BreakerRecord) BreakerRecord {
		from = r.State
		return cb.m.record(r, *t, o, now)
	})
	switch {
	case err != nil:
		return cb.safely(func() { cb.storeError(err) })
	case from != r.State:
		return cb.safely(func() { cb.changed(from, r.State) })
	}
	return nil
}

// safely calls f and returns what it panicked with, if it did.
func (cb *CircuitBreaker) safely(f func()) (bug any) {
	defer func() { bug = recover() }()
	f()
	return nil
}

func (cb *CircuitBreaker) changed(from, to BreakerState) {
	if h := cb.opts.OnStateChange; h != nil {
		h(cb.name, from, to)
	}
}

func (cb *CircuitBreaker) storeError(err error) {
	if h := cb.opts.OnStoreError; h != nil {
		h(err)
	}
}
