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
		var drv *schedule.Driver[time.Duration]
		n := 0
		var loop func() effect.Effect[R, error, A]
		loop = func() effect.Effect[R, error, A] {
			return effect.Catch(attempt, func(err error) effect.Effect[R, error, A] {
				n++
				retry, after := decide(err)
				if !retry {
					return effect.Fail[R, A](err)
				}
				now := time.Now()
				if drv == nil {
					drv = s.Start(now)
				}
				delay, _, ok := drv.Next(now, err)
				if !ok {
					return effect.Fail[R, A](err)
				}
				delay = max(delay, after)
				if !deadline.IsZero() && !now.Add(delay).Before(deadline) {
					return effect.Fail[R, A](err)
				}
				if discard != nil {
					discard(err)
				}
				if onRetry != nil {
					onRetry(n, err, delay)
				}
				return effect.AndThen(effect.Sleep[R, error](delay), effect.Suspend(loop))
			})
		}
		return loop()
	})
}
