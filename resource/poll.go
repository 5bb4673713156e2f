package resource

import (
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// PollOptions configures [Poll]. The zero value polls at once when the
// poller starts and reports failures only through [Poller.Status].
type PollOptions struct {
	// InitialDelay is how long the poller waits, each time it starts, before
	// its first poll. Zero polls at once: go-go-scope's immediate option,
	// true by default; InitialDelay = interval is its immediate: false.
	InitialDelay time.Duration
	// OnError, if set, is called with the failure of each poll that fails
	// with an expected error, as [effect.Run] would return it, on the
	// poller's fiber; it must not block. Polling goes on either way.
	OnError func(err error)
}

// PollStatus is a snapshot of a [Poller].
type PollStatus struct {
	// Running reports whether the poller is started and its schedule has
	// not stopped.
	Running bool
	// Polls counts the polls that have ended, successes and failures,
	// since the poller was made.
	Polls int
	// LastPoll is when the last poll ended; zero before the first.
	LastPoll time.Time
	// NextPoll is when the poll in progress or the next one was due to
	// start; zero when the poller is stopped.
	NextPoll time.Time
	// Err is the failure of the last poll, nil if it succeeded, or the
	// defect that stopped the poller.
	Err error
}

// Poller is a running poll (see [Poll]), with go-go-scope's controller:
// [Poller.Stop], [Poller.Start] to start it again, and [Poller.Status].
// Its methods are safe for concurrent use.
type Poller struct {
	scope *effect.Scope
	delay time.Duration // the initial delay
	// body returns the polling loop of one run, its environment bound and
	// its failure type erased (it fails only with defects and
	// interruptions).
	body func(r *pollRun) effect.Effect[any, struct{}, struct{}]

	mu     sync.Mutex
	closed bool
	run    *pollRun // the current run; nil when stopped
	status PollStatus
}

// pollRun is one run of a poller, from a start to its stop.
type pollRun struct {
	stop    func() // interrupts the run's fiber; nil until it is forked
	stopped bool   // a stop came before the fiber was known
	// forked is completed, once the run's fiber is forked, with an effect
	// that waits for that fiber to end. (A fiber interrupted before its
	// first step runs none of its effect, so the end of a run is awaited on
	// the fiber itself, not signalled from inside it.)
	forked *effect.Deferred[struct{}, effect.Effect[any, struct{}, struct{}]]
}

// Poll returns an effect that starts polling e on the schedule s, owned by
// the current scope, and succeeds at once with the [Poller] that controls
// it. The poller runs e on a fiber of the scope: at once (or after
// opts.InitialDelay), then again after each delay that s decides, handing
// each value to onValue, until s stops, [Poller.Stop] is called or the
// scope closes, whichever comes first. It runs in the environment Poll ran
// in.
//
// s is consulted after each poll with the value, or with the error after a
// failure, as its input (see [schedule.Driver.Next]); it starts afresh each
// time the poller starts. schedule.Spaced(d) waits d between the end of a
// poll and the start of the next, as go-go-scope's poll does;
// schedule.Fixed(d) keeps a steady cadence whatever each poll costs.
//
// A poll that fails with an expected error does not stop the poller: the
// error is recorded in [Poller.Status], handed to opts.OnError if set, and
// the schedule decides as usual (retry inside e, with [effect.Retry], for
// a different cadence after failures). A defect (a panic in e or in
// onValue) stops the poller and is recorded in its status. onValue runs on
// the poller's fiber, one value at a time; it must not block.
//
// When the scope closes the poller stops, its fiber interrupted and
// awaited, and [Poller.Start] fails afterwards with an interruption whose
// reason is [ErrClosed]. Cost: one fiber while running; each poll costs
// what e costs plus a schedule decision and a timer.
func Poll[R, E, A, Out any](e effect.Effect[R, E, A], s schedule.Schedule[Out], onValue func(A), opts PollOptions) effect.Effect[R, E, *Poller] {
	if onValue == nil {
		panic("resource.Poll: onValue must not be nil")
	}
	if opts.InitialDelay < 0 {
		panic("resource.Poll: InitialDelay must not be negative, got " + opts.InitialDelay.String())
	}
	acquire := effect.AccessEffect(func(env R) effect.Effect[R, E, *Poller] {
		return effect.Map(effect.CurrentScope[R, E](), func(scope *effect.Scope) *Poller {
			p := &Poller{scope: scope, delay: opts.InitialDelay}
			polls := effect.Provide[any](e, env)
			p.body = func(r *pollRun) effect.Effect[any, struct{}, struct{}] {
				return runBody(p, r, pollLoop(p, polls, s, onValue, opts))
			}
			return p
		})
	})
	made := effect.AcquireRelease(acquire, func(p *Poller) effect.Effect[R, E, struct{}] {
		return effect.Sync[R, E](func() struct{} { p.close(); return struct{}{} })
	})
	return effect.FlatMap(made, func(p *Poller) effect.Effect[R, E, *Poller] {
		return effect.As(p.Start[R, E](), p)
	})
}

// pollLoop returns the loop of one run: poll, record, decide, wait, poll…
// It fails only with the defect or interruption that stops it.
func pollLoop[E, A, Out any](p *Poller, e effect.Effect[any, E, A], s schedule.Schedule[Out], onValue func(A), opts PollOptions) effect.Effect[any, E, struct{}] {
	return effect.Suspend(func() effect.Effect[any, E, struct{}] {
		var (
			driver *schedule.Driver[Out]
			poll   effect.Effect[any, E, struct{}]
		)
		next := func(in any) effect.Effect[any, E, struct{}] {
			now := time.Now()
			delay, _, ok := driver.Next(now, in)
			if !ok {
				return effect.Unit[any, E]()
			}
			p.due(now.Add(delay))
			return effect.AndThen(effect.Sleep[any, E](delay), poll)
		}
		poll = effect.MatchCauseEffect(e,
			func(c effect.Cause[E]) effect.Effect[any, E, struct{}] {
				err := effect.FailedWith[E, A](c).Err()
				if c.IsDefect() || c.IsInterrupted() {
					return effect.FailCause[any, struct{}](c)
				}
				p.polled(err)
				if opts.OnError != nil {
					opts.OnError(err)
				}
				return next(err)
			},
			func(a A) effect.Effect[any, E, struct{}] {
				p.polled(nil)
				onValue(a)
				return next(a)
			})
		start := effect.Sync[any, E](func() struct{} {
			now := time.Now()
			driver = s.Start(now)
			p.due(now)
			return struct{}{}
		})
		if opts.InitialDelay > 0 {
			start = effect.AndThen(effect.Sleep[any, E](opts.InitialDelay), start)
		}
		return effect.AndThen(start, poll)
	})
}

// runBody wraps loop, the polling loop of run r, so that its end records
// the end of r in the poller's status.
func runBody[E any](p *Poller, r *pollRun, loop effect.Effect[any, E, struct{}]) effect.Effect[any, struct{}, struct{}] {
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[any, struct{}, struct{}] {
		return effect.MatchCauseEffect(restore.Apply(loop),
			func(c effect.Cause[E]) effect.Effect[any, struct{}, struct{}] {
				var err error
				if c.IsDefect() {
					err = effect.FailedWith[E, struct{}](c).Err()
				}
				p.ended(r, err)
				return effect.Unit[any, struct{}]()
			},
			func(struct{}) effect.Effect[any, struct{}, struct{}] {
				p.ended(r, nil)
				return effect.Unit[any, struct{}]()
			})
	})
}

// Start returns an effect that starts the poller again after
// [Poller.Stop] or after its schedule stopped: it polls at once (or after
// the initial delay) with its schedule started afresh. Starting a running
// poller does nothing. After the owning scope has closed, the effect fails
// with an interruption whose reason is [ErrClosed]. Start does not wait
// for the first poll.
func (p *Poller) Start[R, E any]() effect.Effect[R, E, struct{}] {
	return effect.Uninterruptible(effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return closedEffect[R, E, struct{}]()
		}
		if p.run != nil {
			p.mu.Unlock()
			return effect.Unit[R, E]()
		}
		r := &pollRun{forked: effect.NewDeferred[struct{}, effect.Effect[any, struct{}, struct{}]]()}
		p.run = r
		p.status.NextPoll = time.Now().Add(p.delay)
		p.mu.Unlock()
		body := effect.Widen[R](retypeNever[E](p.body(r)))
		return effect.Map(effect.ForkIn(p.scope, body), func(fb *effect.Fiber[E, struct{}]) struct{} {
			p.mu.Lock()
			r.stop = fb.InterruptFromGo
			stopNow := r.stopped
			p.mu.Unlock()
			if stopNow {
				fb.InterruptFromGo()
			}
			r.forked.Succeed(retypeNever[struct{}](effect.Void(effect.Await[any](fb))))
			return struct{}{}
		})
	}))
}

// Stop returns an effect that stops the poller and waits until its fiber
// has ended: once it succeeds, onValue is not called again until
// [Poller.Start]. A poll in progress is interrupted. Stopping a stopped
// poller does nothing. The wait is interruptible; the poller stops anyway.
func (p *Poller) Stop[R, E any]() effect.Effect[R, E, struct{}] {
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		r := p.run
		if r == nil {
			p.mu.Unlock()
			return effect.Unit[R, E]()
		}
		p.run = nil
		p.status.NextPoll = time.Time{}
		r.stopped = true
		stop := r.stop
		p.mu.Unlock()
		if stop != nil {
			stop()
		}
		return effect.Widen[R](retypeNever[E](effect.Flatten(r.forked.Await[any]())))
	})
}

// Status returns a snapshot of the poller's state. It never blocks for
// long and may be called from plain Go.
func (p *Poller) Status() PollStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.status
	st.Running = p.run != nil
	return st
}

// due records when the next poll is due.
func (p *Poller) due(at time.Time) {
	p.mu.Lock()
	p.status.NextPoll = at
	p.mu.Unlock()
}

// polled records the end of a poll with err (nil for a success).
func (p *Poller) polled(err error) {
	p.mu.Lock()
	p.status.Polls++
	p.status.LastPoll = time.Now()
	p.status.Err = err
	p.mu.Unlock()
}

// ended records the end of run r, with the defect that stopped it (nil
// when it was stopped or its schedule stopped).
func (p *Poller) ended(r *pollRun, defect error) {
	p.mu.Lock()
	if p.run == r {
		p.run = nil
		p.status.NextPoll = time.Time{}
	}
	if defect != nil {
		p.status.Err = defect
	}
	p.mu.Unlock()
}

// close stops the poller for good when its scope closes (its fiber was
// interrupted and awaited before): later starts fail with ErrClosed.
func (p *Poller) close() {
	p.mu.Lock()
	p.closed = true
	p.run = nil
	p.status.NextPoll = time.Time{}
	p.mu.Unlock()
}

// retypeNever returns e, an effect that fails with no expected failure of
// type E0, as an effect of failure type E.
func retypeNever[E, E0, A any](e effect.Effect[any, E0, A]) effect.Effect[any, E, A] {
	return effect.Catch(e, func(E0) effect.Effect[any, E, A] {
		var zero A
		return effect.Succeed[any, E](zero)
	})
}
