package stream

import (
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// RepeatEffect returns a stream that runs e and emits its value, then asks
// the schedule s whether to go on (its driver gets the value as input) and
// runs e again after the delay s returns, until s stops: polling a source
// at a steady pace, for instance with [schedule.Spaced]. The first run is
// immediate; s starts its run when the stream is opened. A failure of e
// fails the stream. The waits are interruptible, and pulled lazily: nothing
// runs while the consumer does not ask for more.
func RepeatEffect[R, E, A, Out any](e effect.Effect[R, E, A], s schedule.Schedule[Out]) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		var (
			d     *schedule.Driver[Out]
			done  bool
			delay time.Duration
		)
		one := func(a A) []A {
			next, _, more := d.Next(time.Now(), a)
			delay, done = next, !more
			return []A{a}
		}
		return effect.Suspend(func() pull[R, E, A] {
			switch {
			case done:
				return ended[R, E, A]()
			case d == nil:
				d = s.Start(time.Now())
				return effect.Map(e, one)
			}
			return effect.AndThen(effect.Sleep[R, E](delay), effect.Map(e, one))
		})
	})
}

// Retry returns a stream that runs s and, when s fails with an expected
// failure, runs it again from the start, as the schedule sched decides: its
// driver gets the failure as input and returns the delay before the next
// attempt, or stops, and then the stream fails with the last failure. Each
// attempt runs in a scope of its own, closed (its resources released) before
// the next one begins. Elements emitted before a failure are not taken back:
// the next attempt emits from its own start, so Retry suits sources that
// resume where they are (a subscription, a tail, a paginated cursor kept in
// the effect's state). Once an attempt emits an element, the schedule
// starts over, so sporadic failures never exhaust it. Defects and
// interruptions are not retried.
func (s Stream[R, E, A]) Retry[Out any](sched schedule.Schedule[Out]) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		var (
			cur  *child[R, E, A]
			d    *schedule.Driver[Out]
			loop pull[R, E, A]
		)
		// failed decides what a failure of the current attempt leads to:
		// another attempt after a delay, or the failure itself.
		failed := func(sc *effect.Scope, c effect.Cause[E]) pull[R, E, A] {
			cur = nil
			closing := effect.CatchCause(effect.CloseScope[R, E](sc), func(fc effect.Cause[E]) effect.Effect[R, E, struct{}] {
				return effect.FailCause[R, struct{}](c.Then(fc))
			})
			err, ok := c.Failure()
			if !ok || c.IsDefect() || c.IsInterrupted() {
				return effect.AndThen(closing, effect.FailCause[R, []A](c))
			}
			delay, _, more := d.Next(time.Now(), err)
			if !more {
				return effect.AndThen(closing, effect.FailCause[R, []A](c))
			}
			return effect.AndThen(closing, effect.AndThen(effect.Sleep[R, E](delay), loop))
		}
		loop = effect.Suspend(func() pull[R, E, A] {
			if d == nil {
				d = sched.Start(time.Now())
			}
			if cur != nil {
				in := *cur
				return effect.MatchCauseEffect(in.pull,
					func(c effect.Cause[E]) pull[R, E, A] { return failed(in.scope, c) },
					func(c []A) pull[R, E, A] {
						if len(c) > 0 {
							d.Reset(time.Now())
						}
						return effect.Succeed[R, E](c)
					})
			}
			return effect.FlatMap(effect.MakeScope[R, E](), func(sc *effect.Scope) pull[R, E, A] {
				return effect.MatchCauseEffect(effect.Extend(sc, s.open),
					func(c effect.Cause[E]) pull[R, E, A] { return failed(sc, c) },
					func(p pull[R, E, A]) pull[R, E, A] {
						cur = &child[R, E, A]{pull: effect.Extend(sc, p), scope: sc}
						return loop
					})
			})
		})
		return loop
	})
}
