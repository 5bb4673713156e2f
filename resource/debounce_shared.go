package resource

import (
	"strconv"
	"sync"

	"github.com/gogoscope/gogoscope/effect"
)

// Edge picks the edges of a burst of calls at which a debounced or
// throttled function runs: [LeadingEdge] (at once, on the first call),
// [TrailingEdge] (later, with the input of the latest call), or both,
// LeadingEdge|TrailingEdge. The zero Edge means the default of the function
// it is given to: trailing for [Debounce], leading for [Throttle], as in
// go-go-scope.
type Edge uint8

// The edges of [Edge].
const (
	LeadingEdge Edge = 1 << iota
	TrailingEdge
)

// String returns "leading", "trailing", "leading|trailing" or "default".
func (e Edge) String() string {
	switch e {
	case 0:
		return "default"
	case LeadingEdge:
		return "leading"
	case TrailingEdge:
		return "trailing"
	case LeadingEdge | TrailingEdge:
		return "leading|trailing"
	}
	return "Edge(" + strconv.Itoa(int(e)) + ")"
}

// batch is one run of the wrapped function and the callers coalesced into
// it: they all wait for done, which the run completes with its exit.
type batch[E, In, A any] struct {
	in   In // the input of the run: the latest caller's
	done *effect.Deferred[E, A]
}

// coalescer is what Debounce and Throttle share: the wrapped function, the
// environment and scope it runs in, and the batches not yet completed, so
// that closing the scope can wake their callers.
type coalescer[R, E, In, A any] struct {
	fn    func(In) effect.Effect[R, E, A]
	env   R
	scope *effect.Scope

	mu      sync.Mutex
	closed  bool
	batches map[*batch[E, In, A]]struct{}
}

// newCoalescer returns an effect that makes a coalescer owned by the
// current scope: when the scope closes (after its fibers, the runs and
// timers among them, were interrupted) every batch still waiting is
// completed with an interruption whose reason is [ErrClosed].
func newCoalescer[R, E, In, A any](fn func(In) effect.Effect[R, E, A]) effect.Effect[R, E, *coalescer[R, E, In, A]] {
	acquire := effect.AccessEffect(func(env R) effect.Effect[R, E, *coalescer[R, E, In, A]] {
		return effect.Map(effect.CurrentScope[R, E](), func(s *effect.Scope) *coalescer[R, E, In, A] {
			return &coalescer[R, E, In, A]{fn: fn, env: env, scope: s, batches: map[*batch[E, In, A]]struct{}{}}
		})
	})
	return effect.AcquireRelease(acquire, func(c *coalescer[R, E, In, A]) effect.Effect[R, E, struct{}] {
		return effect.Sync[R, E](func() struct{} { c.close(); return struct{}{} })
	})
}

// newBatchLocked returns a new batch with input in, tracked until it
// completes. c.mu must be held.
func (c *coalescer[R, E, In, A]) newBatchLocked(in In) *batch[E, In, A] {
	b := &batch[E, In, A]{in: in, done: effect.NewDeferred[E, A]()}
	c.batches[b] = struct{}{}
	return b
}

// complete completes b with ex, once, and stops tracking it.
func (c *coalescer[R, E, In, A]) complete(b *batch[E, In, A], ex effect.Exit[E, A]) {
	c.mu.Lock()
	delete(c.batches, b)
	c.mu.Unlock()
	b.done.Complete(ex)
}

// run returns the effect that runs the wrapped function on b's input, in
// the coalescer's environment, and completes b with its exit,
// uninterruptibly, whatever it is. A run stopped by the close of the scope
// completes b with an interruption whose reason is ErrClosed. The effect
// itself always succeeds: the outcome is the callers', not the fiber's.
// b must no longer be open to new callers (its input no longer changes).
func (c *coalescer[R, E, In, A]) run(b *batch[E, In, A]) effect.Effect[R, E, struct{}] {
	call := effect.Provide[R](effect.Suspend(func() effect.Effect[R, E, A] { return c.fn(b.in) }), c.env)
	ran := effect.OnExit(call, func(ex effect.Exit[E, A]) effect.Effect[R, E, struct{}] {
		return effect.Sync[R, E](func() struct{} {
			if ex.IsInterrupted() && c.scope.IsClosed() {
				ex = effect.FailedWith[E, A](closedCause[E]())
			}
			c.complete(b, ex)
			return struct{}{}
		})
	})
	return effect.MatchCause(ran, func(effect.Cause[E]) struct{} { return struct{}{} }, func(A) struct{} { return struct{}{} })
}

// join returns the effect with which a caller joins a burst: register, run
// under c.mu with the coalescer open, picks (or makes) the caller's batch
// and the fibers to start, which are started before any interruption can
// take effect, so that no batch is left without the fiber that completes
// it; then the caller waits for its batch, interruptibly.
func (c *coalescer[R, E, In, A]) join(register func() (*batch[E, In, A], effect.Effect[R, E, struct{}])) effect.Effect[R, E, A] {
	reg := effect.Uninterruptible(effect.Suspend(func() effect.Effect[R, E, *batch[E, In, A]] {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return closedEffect[R, E, *batch[E, In, A]]()
		}
		b, start := register()
		c.mu.Unlock()
		return effect.As(start, b)
	}))
	return effect.FlatMap(reg, c.await)
}

// fork returns an effect that starts e on a fiber of the coalescer's scope,
// so that it outlives the caller that started it and stops when the scope
// closes. If the scope is already closing, e never starts: close completes
// the batches it would have.
func (c *coalescer[R, E, In, A]) fork(e effect.Effect[R, E, struct{}]) effect.Effect[R, E, struct{}] {
	return effect.Void(effect.ForkIn(c.scope, e))
}

// await returns the effect with which a caller waits for the run of b: it
// ends as that run did. The wait is interruptible; an interrupted caller
// stops waiting, and the run goes on for the others.
func (c *coalescer[R, E, In, A]) await(b *batch[E, In, A]) effect.Effect[R, E, A] {
	return b.done.Await[R]()
}

// close stops the coalescer: later calls fail at once, and the callers of
// every batch not yet completed are woken with an interruption whose reason
// is ErrClosed.
func (c *coalescer[R, E, In, A]) close() {
	c.mu.Lock()
	c.closed = true
	left := make([]*batch[E, In, A], 0, len(c.batches))
	for b := range c.batches {
		left = append(left, b)
	}
	clear(c.batches)
	c.mu.Unlock()
	for _, b := range left {
		b.done.Complete(effect.FailedWith[E, A](closedCause[E]()))
	}
}
