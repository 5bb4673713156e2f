package resource

import (
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// ThrottleOptions configures [Throttle]. The zero value is go-go-scope's
// default: an interval of 300ms and the leading edge.
type ThrottleOptions struct {
	// Interval is the shortest time between the starts of two runs. Zero
	// means 300ms; it must not be negative.
	Interval time.Duration
	// Edges are the edges of an interval at which fn runs: [LeadingEdge]
	// (the default), [TrailingEdge], or both.
	Edges Edge
}

// Throttle returns an effect that wraps fn in a throttled function owned by
// the current scope: fn runs at most once per opts.Interval, however often
// the throttled function is called. A run opens a window of Interval during
// which no other run starts:
//
//   - on the leading edge (the default), a call made while no window is
//     open runs fn at once with its input and opens a window; the calls
//     made during the window do not run fn;
//   - on the trailing edge, the calls made during a window are coalesced
//     into one run at the window's end, with the last call's input, which
//     opens the next window; with the trailing edge only, a call made while
//     no window is open opens one and waits for its end.
//
// So the starts of two runs are always at least Interval apart. Each call
// returns the result of the run that it was coalesced into, the run that
// actually happened: the callers of a trailing run all receive its value
// or failure, and, with the leading edge only, the calls made during a
// window receive the result of the run that opened it. A call waits for
// that run, interruptibly: an interrupted caller stops waiting, and the
// run still happens for the others. Runs happen on fibers of the owning
// scope, in its environment (the one Throttle ran in); a run that takes
// longer than Interval may overlap the next one.
//
// When the scope closes, runs and timers in progress are interrupted, the
// callers still waiting are woken with an interruption whose reason is
// [ErrClosed], and later calls fail the same way at once. Cost: a leading
// run costs one fiber, a trailing one a fiber that sleeps until the end of
// its window; a call costs a few small allocations and a lock. Throttle
// panics if opts.Interval is negative or opts.Edges is not a combination of
// LeadingEdge and TrailingEdge.
func Throttle[R, E, In, A any](fn func(In) effect.Effect[R, E, A], opts ThrottleOptions) effect.Effect[R, E, func(In) effect.Effect[R, E, A]] {
	if opts.Interval < 0 {
		panic(fmt.Sprintf("resource.Throttle: Interval must not be negative, got %v", opts.Interval))
	}
	if opts.Edges&^(LeadingEdge|TrailingEdge) != 0 {
		panic(fmt.Sprintf("resource.Throttle: Edges must be LeadingEdge, TrailingEdge or both, got %d", opts.Edges))
	}
	if fn == nil {
		panic("resource.Throttle: fn must not be nil")
	}
	interval, edges := opts.Interval, opts.Edges
	if interval == 0 {
		interval = 300 * time.Millisecond
	}
	if edges == 0 {
		edges = LeadingEdge
	}
	return effect.Map(newCoalescer(fn), func(c *coalescer[R, E, In, A]) func(In) effect.Effect[R, E, A] {
		t := &throttler[R, E, In, A]{c: c, interval: interval, leading: edges&LeadingEdge != 0, trailing: edges&TrailingEdge != 0}
		return t.call
	})
}

// throttler is the state of a throttled function; its fields below c are
// guarded by c.mu.
type throttler[R, E, In, A any] struct {
	c                 *coalescer[R, E, In, A]
	interval          time.Duration
	leading, trailing bool

	windowEnd time.Time        // the end of the current window, if in the future
	window    *batch[E, In, A] // the run that opened the window (leading edge)
	pending   *batch[E, In, A] // the trailing run, open to new callers
}

// call is the throttled function.
func (t *throttler[R, E, In, A]) call(in In) effect.Effect[R, E, A] {
	c := t.c
	return c.join(func() (*batch[E, In, A], effect.Effect[R, E, struct{}]) {
		if t.pending != nil {
			// A trailing run is due at the end of the window (or overdue, if
			// its timer has not woken yet): join it.
			t.pending.in = in
			return t.pending, effect.Unit[R, E]()
		}
		now := time.Now()
		if !now.Before(t.windowEnd) {
			t.windowEnd = now.Add(t.interval)
			t.window = nil
			if t.leading {
				t.window = c.newBatchLocked(in)
				return t.window, c.fork(c.run(t.window))
			}
		}
		if !t.trailing {
			return t.window, effect.Unit[R, E]()
		}
		t.pending = c.newBatchLocked(in)
		return t.pending, c.fork(t.timer())
	})
}

// timer returns the effect of the fiber of a trailing run: it sleeps until
// the end of the current window, then runs the pending batch, which opens
// the next window.
func (t *throttler[R, E, In, A]) timer() effect.Effect[R, E, struct{}] {
	c := t.c
	var loop effect.Effect[R, E, struct{}]
	loop = effect.Suspend(func() effect.Effect[R, E, struct{}] {
		c.mu.Lock()
		now := time.Now()
		if left := t.windowEnd.Sub(now); left > 0 {
			c.mu.Unlock()
			return effect.AndThen(effect.Sleep[R, E](left), loop)
		}
		b := t.pending
		t.pending = nil
		t.window, t.windowEnd = b, now.Add(t.interval)
		c.mu.Unlock()
		return c.run(b)
	})
	return loop
}
