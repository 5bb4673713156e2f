package persistence

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// WaitOptions configure a waiting acquire ([Acquire], [AcquirePermit], and
// the effects [Lock] and [Permit]). The zero value waits until ctx ends,
// polling with [DefaultPoll] and woken by release announcements.
type WaitOptions struct {
	// Poll is the schedule of the tries while the lock is held: after a
	// try finds it held, the waiter sleeps for the schedule's next delay,
	// cut short by a release announcement ([ReleaseWatcher]) or by the
	// expiry of the holder's lease. When the schedule stops, the wait
	// fails with the last [*LockedError]: schedule.Recurs(0) makes a
	// waiting acquire a try-acquire, and UpTo a timeout. The zero Schedule
	// means [DefaultPoll].
	Poll schedule.Schedule[time.Duration]
	// NoWatch turns release announcements off: the waiter only polls.
	NoWatch bool
}

// DefaultPoll returns the schedule a waiting acquire polls with by
// default: exponential from 2ms, capped at 200ms, with full jitter, so that
// waiters on one key spread their tries. It never stops.
func DefaultPoll() schedule.Schedule[time.Duration] {
	return schedule.Exponential(2 * time.Millisecond).Capped(200 * time.Millisecond).FullJitter()
}

func (o WaitOptions) poll() schedule.Schedule[time.Duration] {
	if o.Poll == (schedule.Schedule[time.Duration]{}) {
		return DefaultPoll()
	}
	return o.Poll
}

// Acquire takes the lock of key for owner for ttl on l, waiting while it is
// held: it tries, and after each try that finds the lock held, sleeps for
// the next delay of opts.Poll — woken early when l announces a release (see
// [ReleaseWatcher]) and never past the holder's expiry — then tries again.
//
// It returns the lease, or fails with ctx's cause when ctx ends (the
// waiter then holds nothing: only a try that succeeded grants a lease, and a
// try cut by ctx may have been granted on the server, so the caller that
// wants no lease to linger releases owner's lease of key, as the [Lock]
// effect does), with the last [*LockedError] when opts.Poll stops, or at
// once with any other error of l (a [*BackendError] is not retried: wrap
// the call in a retry for that). Waiters are not served in order: the first
// try after a release wins.
func Acquire(ctx context.Context, l Locker, key, owner string, ttl time.Duration, opts WaitOptions) (Lease, error) {
	var watch func() (<-chan struct{}, func())
	if w, ok := l.(ReleaseWatcher); ok && !opts.NoWatch {
		watch = func() (<-chan struct{}, func()) {
			// A watch that cannot start leaves polling alone to do
			// the work.
			if ch, stop, err := w.WatchReleases(ctx, key); err == nil {
				return ch, stop
			}
			return nil, func() {}
		}
	}
	return wait(ctx, key, opts, watch, func() (Lease, error) { return l.TryAcquire(ctx, key, owner, ttl) })
}

// AcquirePermit takes one of limit permits of key for owner for ttl on s,
// waiting while all are held, as [Acquire] waits for a lock (semaphores
// announce no releases: the waiter polls, and wakes at the expiry of the
// first permit to expire at the latest).
func AcquirePermit(ctx context.Context, s Semaphore, key, owner string, limit int, ttl time.Duration, opts WaitOptions) (Lease, error) {
	return wait(ctx, key, opts, nil, func() (Lease, error) { return s.TryAcquirePermit(ctx, key, owner, limit, ttl) })
}

// wait tries until a try succeeds or fails otherwise than with a
// *LockedError. After the first try that finds the lock held, it starts
// watching for releases (watch, if not nil) and tries again at once, so
// that a release between that try and the start of the watch is not
// missed; an uncontended acquire costs one try and no watch.
func wait(ctx context.Context, key string, opts WaitOptions, watch func() (<-chan struct{}, func()), try func() (Lease, error)) (Lease, error) {
	var (
		d        *schedule.Driver[time.Duration]
		released <-chan struct{}
	)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		lease, err := try()
		var held *LockedError
		if !errors.As(err, &held) {
			return lease, err
		}
		if watch != nil {
			ch, stop := watch()
			defer stop()
			released, watch = ch, nil
			continue
		}
		if d == nil {
			d = opts.poll().Start(time.Now())
		}
		delay, _, ok := d.Next(time.Now(), err)
		if !ok {
			return Lease{}, err
		}
		if held.TTL > 0 && held.TTL < delay {
			delay = held.TTL
		}
		if timer == nil {
			timer = time.NewTimer(delay)
		} else {
			timer.Reset(delay)
		}
		select {
		case <-ctx.Done():
			return Lease{}, fmt.Errorf("persistence: waiting for %s: %w", quoteKey(key), context.Cause(ctx))
		case <-released:
		case <-timer.C:
		}
	}
}
