package resource

import (
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// DebounceOptions configures [Debounce]. The zero value is go-go-scope's
// default: a wait of 300ms and the trailing edge.
type DebounceOptions struct {
	// Wait is the quiet period that ends a burst: a call made less than
	// Wait after the previous one belongs to the same burst. Zero means
	// 300ms; it must not be negative.
	Wait time.Duration
	// Edges are the edges of a burst at which fn runs: [TrailingEdge] (the
	// default), [LeadingEdge], or both.
	Edges Edge
}

// Debounce returns an effect that wraps fn in a debounced function owned by
// the current scope. A burst of calls to the debounced function, each less
// than opts.Wait after the previous one, runs fn once per edge instead of
// once per call:
//
//   - on the trailing edge (the default), fn runs when the burst ends, a
//     full Wait after its last call, with that last call's input;
//   - on the leading edge, fn runs at once on the first call of a burst,
//     with its input, and the later calls of the burst do not run it;
//   - with both edges, the first call runs fn at once and, if more calls
//     came during the burst, the last of them runs it again on the
//     trailing edge.
//
// Each call returns the result of the run that it was coalesced into, the
// run that actually happened: every caller of a trailing run receives its
// value or failure; with the leading edge only, the later calls of a burst
// receive the result of the leading run. A call waits for that run,
// interruptibly: an interrupted caller stops waiting, and the run still
// happens for the others. Runs happen on fibers of the owning scope, in
// its environment (the one Debounce ran in); a run may overlap the next
// burst's if fn takes longer than Wait.
//
// When the scope closes, runs and timers in progress are interrupted, the
// callers still waiting are woken with an interruption whose reason is
// [ErrClosed], and later calls fail the same way at once. Cost: a burst
// costs one timer fiber (plus one fiber for a leading run); a call costs a
// few small allocations and a lock. Debounce panics if opts.Wait is
// negative or opts.Edges is not a combination of LeadingEdge and
// TrailingEdge.
func Debounce[R, E, In, A any](fn func(In) effect.Effect[R, E, A], opts DebounceOptions) effect.Effect[R, E, func(In) effect.Effect[R, E, A]] {
	if opts.Wait < 0 {
		panic(fmt.Sprintf("resource.Debounce: Wait must not be negative, got %v", opts.Wait))
	}
	if opts.Edges&^(LeadingEdge|TrailingEdge) != 0 {
		panic(fmt.Sprintf("resource.Debounce: Edges must be LeadingEdge, TrailingEdge or both, got %d", opts.Edges))
	}
	if fn == nil {
		panic("resource.Debounce: fn must not be nil")
	}
	wait, edges := opts.Wait, opts.Edges
	if wait == 0 {
		wait = 300 * time.Millisecond
	}
	if edges == 0 {
		edges = TrailingEdge
	}
	return effect.Map(newCoalescer(fn), func(c *coalescer[R, E, In, A]) func(In) effect.Effect[R, E, A] {
		d := &debouncer[R, E, In, A]{c: c, wait: wait, leading: edges&LeadingEdge != 0, trailing: edges&TrailingEdge != 0}
		return d.call
	})
}

// debouncer is the state of a debounced function; its fields below c are
// guarded by c.mu.
type debouncer[R, E, In, A any] struct {
	c                 *coalescer[R, E, In, A]
	wait              time.Duration
	leading, trailing bool

	burst    bool      // a burst is in progress and its timer fiber runs
	deadline time.Time // when the burst ends, unless another call comes
	lead     *batch[E, In, A]
	pending  *batch[E, In, A] // the trailing run, open to new callers
}

// call is the debounced function.
func (d *debouncer[R, E, In, A]) call(in In) effect.Effect[R, E, A] {
	c := d.c
	return c.join(func() (*batch[E, In, A], effect.Effect[R, E, struct{}]) {
		d.deadline = time.Now().Add(d.wait)
		start := effect.Unit[R, E]()
		if !d.burst {
			d.burst = true
			start = c.fork(d.timer())
			if d.leading {
				d.lead = c.newBatchLocked(in)
				return d.lead, effect.AndThen(start, c.fork(c.run(d.lead)))
			}
		}
		if !d.trailing {
			return d.lead, start
		}
		if d.pending == nil {
			d.pending = c.newBatchLocked(in)
		}
		d.pending.in = in
		return d.pending, start
	})
}

// timer returns the effect of a burst's timer fiber: it sleeps until the
// burst ends (the deadline moves with each call) and then runs the
// trailing batch, if any.
func (d *debouncer[R, E, In, A]) timer() effect.Effect[R, E, struct{}] {
	c := d.c
	var loop effect.Effect[R, E, struct{}]
	loop = effect.Suspend(func() effect.Effect[R, E, struct{}] {
		c.mu.Lock()
		if left := time.Until(d.deadline); left > 0 {
			c.mu.Unlock()
			return effect.AndThen(effect.Sleep[R, E](left), loop)
		}
		b := d.pending
		d.burst, d.lead, d.pending = false, nil, nil
		c.mu.Unlock()
		if b == nil {
			return effect.Unit[R, E]()
		}
		return c.run(b)
	})
	return loop
}
