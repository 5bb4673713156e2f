// Package policy holds what the HTTP client and the gRPC client
// interceptors share: a retry loop whose delays come from a schedule and
// from the server (Retry-After, grpc-retry-pushback-ms), and the default
// schedule.
package policy

import (
	"reflect"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// DefaultRetry is the retry schedule of the clients when none is given:
// exponential backoff from 100 ms, capped at 2 s, with full jitter, at most
// 3 retries.
func DefaultRetry() schedule.Schedule[time.Duration] {
	return schedule.Exponential(100 * time.Millisecond).Capped(2 * time.Second).FullJitter().
		Intersect(schedule.Recurs(3))
}

// OrDefault returns s, or DefaultRetry if s is the zero schedule.
func OrDefault(s schedule.Schedule[time.Duration]) schedule.Schedule[time.Duration] {
	if reflect.ValueOf(s).IsZero() {
		return DefaultRetry()
	}
	return s
}

// Decide tells whether a failed attempt may be retried, and the least
// delay the server asked for (zero if it did not).
type Decide func(err error) (retry bool, after time.Duration)

// Retry returns an effect that runs attempt and, each time it fails with
// an expected failure that decide says may be retried, asks the schedule s
// for a delay, waits the longer of that and the server's, and runs it
// again; it stops when decide or s say so, or when the delay would end
// after deadline (if not zero), and then fails with the last failure.
// discard is called with each failure that is retried, before the wait
// (to drain and close a response). onRetry, if not nil, is called before
// each wait with the number of the attempt that failed (1 for the first),
// its failure and the delay. Interruptions and defects are not retried.
// The schedule's driver is started at the first failure, so a call that
// succeeds at once costs no schedule.
func Retry[R, A any](attempt effect.Effect[R, error, A], s schedule.Schedule[time.Duration], deadline time.Time,
	decide Decide, discard func(error), onRetry func(n int, err error, delay time.Duration)) effect.Effect[R, error, A] {
	return effect.Suspend(func() effect.Effect[R, error, A] {
		r := &retrier[R, A]{attempt: attempt, s: s, deadline: deadline, decide: decide, discard: discard, onRetry: onRetry}
		r.handler = r.failed
		return r.loop()
	})
}

// retrier is the state of one run of a Retry effect: one object and its
// handler, where closures over separate variables took five allocations.
type retrier[R, A any] struct {
	attempt  effect.Effect[R, error, A]
	s        schedule.Schedule[time.Duration]
	deadline time.Time
	decide   Decide
	discard  func(error)
	onRetry  func(n int, err error, delay time.Duration)
	handler  func(error) effect.Effect[R, error, A] // r.failed, made once
	drv      *schedule.Driver[time.Duration]        // started at the first failure
	n        int                                    // the attempts that failed
}

func (r *retrier[R, A]) loop() effect.Effect[R, error, A] { return effect.Catch(r.attempt, r.handler) }

// failed decides what follows a failed attempt: another one after a
// delay, or the failure.
func (r *retrier[R, A]) failed(err error) effect.Effect[R, error, A] {
	r.n++
	retry, after := r.decide(err)
	if !retry {
		return effect.Fail[R, A](err)
	}
	now := time.Now()
	if r.drv == nil {
		r.drv = r.s.Start(now)
	}
	delay, _, ok := r.drv.Next(now, err)
	if !ok {
		return effect.Fail[R, A](err)
	}
	delay = max(delay, after)
	if !r.deadline.IsZero() && !now.Add(delay).Before(r.deadline) {
		return effect.Fail[R, A](err)
	}
	if r.discard != nil {
		r.discard(err)
	}
	if r.onRetry != nil {
		r.onRetry(r.n, err, delay)
	}
	return effect.AndThen(effect.Sleep[R, error](delay), effect.Suspend(r.loop))
}
