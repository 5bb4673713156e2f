package persistence

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// LockOptions configure the lock and permit effects ([Lock], [TryLock],
// [WithLock], [Permit], [WithPermit]). TTL is required.
type LockOptions struct {
	// TTL is the lease's length on the server: if this process stops
	// renewing it (it crashed, or was cut from the server), the lock is
	// free again TTL after the last renewal. Required, at least 1ms.
	TTL time.Duration
	// RenewEvery is how often the lease is extended while the scope
	// holds it; zero means TTL/3. It must be less than TTL.
	RenewEvery time.Duration
	// OpTimeout bounds each renewal and the release (they run with
	// contexts of their own); zero means RenewEvery. A renewal that fails
	// is retried until the lease's deadline.
	OpTimeout time.Duration
	// Wait says how to wait while the lock is held; see [WaitOptions].
	Wait WaitOptions
	// OnError, if set, receives the errors that do not end the hold: a
	// renewal that failed and will be retried, a release that failed (the
	// lease then expires after its TTL). It is called on the renewal's
	// fiber or the releasing one, and must not block.
	OnError func(err error)
}

func (o LockOptions) check(fn string) LockOptions {
	bad := func(rule string, v any) { panic(fmt.Sprintf("%s: %s, got %v", fn, rule, v)) }
	switch {
	case o.TTL < time.Millisecond:
		bad("TTL must be >= 1ms", o.TTL)
	case o.RenewEvery < 0 || o.RenewEvery >= o.TTL:
		bad("RenewEvery must be in [0, TTL)", o.RenewEvery)
	case o.OpTimeout < 0:
		bad("OpTimeout must be >= 0", o.OpTimeout)
	}
	if o.RenewEvery == 0 {
		o.RenewEvery = o.TTL / 3
	}
	if o.OpTimeout == 0 {
		o.OpTimeout = o.RenewEvery
	}
	return o
}

// Held is a lock or permit held by a scope: made by [Lock], [TryLock] or
// [Permit], released when that scope closes, renewed on a fiber of the
// scope until then. Its methods are safe for concurrent use.
type Held struct {
	key   string
	token uint64
	lease atomic.Pointer[Lease]
	ops   leaseOps
	opts  LockOptions

	lostOnce sync.Once
	lost     chan struct{}
	lostErr  error
}

// Key returns the key held.
func (h *Held) Key() string { return h.key }

// Token returns the fencing token of the lease: hand it to every resource
// the lock protects, with each write, so that it can refuse a holder that
// lost the lock without knowing it (see docs/persistence.md).
func (h *Held) Token() uint64 { return h.token }

// Lease returns the lease as last granted or extended.
func (h *Held) Lease() Lease { return *h.lease.Load() }

// Lost returns a channel that is closed when the hold is found lost; the
// holding fiber is interrupted at the same moment, with a [*LockLostError].
func (h *Held) Lost() <-chan struct{} { return h.lost }

// Err returns the [*LockLostError] once the hold is found lost, nil until
// then.
func (h *Held) Err() error {
	select {
	case <-h.lost:
		return h.lostErr
	default:
		return nil
	}
}

// String returns the key and the fencing token.
func (h *Held) String() string {
	return fmt.Sprintf("held{key %s, token %d}", quoteKey(h.key), h.token)
}

// leaseOps are the server operations of a lock or of a permit.
type leaseOps struct {
	acquire func(ctx context.Context, owner string, ttl time.Duration) (Lease, error)
	release func(ctx context.Context, l Lease) error
	extend  func(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
}

func lockOps(l Locker, key string, wait WaitOptions) leaseOps {
	return leaseOps{
		acquire: func(ctx context.Context, owner string, ttl time.Duration) (Lease, error) {
			return Acquire(ctx, l, key, owner, ttl, wait)
		},
		release: l.Release,
		extend:  l.Extend,
	}
}

func permitOps(s Semaphore, key string, limit int, wait WaitOptions) leaseOps {
	return leaseOps{
		acquire: func(ctx context.Context, owner string, ttl time.Duration) (Lease, error) {
			return AcquirePermit(ctx, s, key, owner, limit, ttl, wait)
		},
		release: s.ReleasePermit,
		extend:  s.ExtendPermit,
	}
}

// Lock returns an effect that takes the lock of key on l, waiting while it
// is held (see [WaitOptions]), as a resource of the current scope, and
// succeeds with the [*Held] lock. Each run takes the lock anew, with a new
// owner token from [NewOwner].
//
// While the scope lives, a fiber of the scope extends the lease every
// opts.RenewEvery. If the lock is found lost — a renewal finds another
// owner or no owner ([ErrNotHeld]: it expired, or was force-released), or
// the backend stays unreachable until the lease's deadline — the fiber
// that ran Lock is interrupted with a [*LockLostError] as the reason
// (errors.As finds it in what Run returns), and [Held.Lost] is closed.
// When the scope closes, the renewal stops and the lease is released;
// a release that finds the lease lost fails the close with a
// [*LockLostError] (the protected work may have overlapped with another
// holder's), other release failures go to opts.OnError.
//
// The wait is interruptible. An acquire that is interrupted or fails after
// its request may have reached the server releases the lease it may have
// been granted, so an interrupted waiter holds nothing. Locks are not
// re-entrant: a fiber that locks a key it holds waits for itself.
//
// It panics if opts break a rule of [LockOptions].
func Lock[R any](l Locker, key string, opts LockOptions) effect.Effect[R, error, *Held] {
	opts = opts.check("persistence.Lock")
	return hold[R](lockOps(l, key, opts.Wait), key, opts)
}

// TryLock is [Lock] without the wait: it fails at once with a
// [*LockedError] (matching [ErrLocked]) when the lock is held.
func TryLock[R any](l Locker, key string, opts LockOptions) effect.Effect[R, error, *Held] {
	opts = opts.check("persistence.TryLock")
	opts.Wait.Poll = schedule.Recurs(0).Delays()
	return hold[R](lockOps(l, key, opts.Wait), key, opts)
}

// WithLock returns an effect that runs body while holding the lock of key:
// [Lock] in a scope of its own ([effect.Scoped]) around body, so the lock is
// released as soon as body ends, whatever its outcome.
func WithLock[R, A any](l Locker, key string, opts LockOptions, body func(*Held) effect.Effect[R, error, A]) effect.Effect[R, error, A] {
	return effect.Scoped(effect.FlatMap(Lock[R](l, key, opts), body))
}

// Permit returns an effect that takes one of limit permits of key on s,
// waiting while all are held, as a resource of the current scope: renewed,
// released and lost exactly as [Lock]'s lock.
func Permit[R any](s Semaphore, key string, limit int, opts LockOptions) effect.Effect[R, error, *Held] {
	opts = opts.check("persistence.Permit")
	if limit <= 0 {
		panic(fmt.Sprintf("persistence.Permit: limit must be > 0, got %d", limit))
	}
	return hold[R](permitOps(s, key, limit, opts.Wait), key, opts)
}

// WithPermit returns an effect that runs body while holding one of limit
// permits of key: [Permit] in a scope of its own around body.
func WithPermit[R, A any](s Semaphore, key string, limit int, opts LockOptions, body func(*Held) effect.Effect[R, error, A]) effect.Effect[R, error, A] {
	return effect.Scoped(effect.FlatMap(Permit[R](s, key, limit, opts), body))
}

func hold[R any](ops leaseOps, key string, opts LockOptions) effect.Effect[R, error, *Held] {
	return effect.Suspend(func() effect.Effect[R, error, *Held] {
		owner := NewOwner()
		refused := false // the server said no: nothing to undo
		acquire := effect.Try[R](func(ctx context.Context) (Lease, error) {
			l, err := ops.acquire(ctx, owner, opts.TTL)
			refused = errors.Is(err, ErrLocked) || errors.Is(err, ErrNoPermits) || errors.Is(err, ErrInvalid)
			return l, err
		})
		// An acquire that did not succeed may still have been granted
		// (its reply lost, or cut by the interruption): release owner's
		// lease, whichever token it has.
		undo := effect.Try[R](func(ctx context.Context) (struct{}, error) {
			if refused {
				return struct{}{}, nil
			}
			ctx, cancel := context.WithTimeout(ctx, opts.OpTimeout)
			defer cancel()
			_ = ops.release(ctx, Lease{Key: key, Owner: owner})
			return struct{}{}, nil
		})
		return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, error, *Held] {
			got := effect.OnError(restore.Apply(acquire), func(effect.Cause[error]) effect.Effect[R, error, struct{}] { return undo })
			return effect.FlatMap(got, func(l Lease) effect.Effect[R, error, *Held] {
				h := &Held{key: key, token: l.Token, ops: ops, opts: opts, lost: make(chan struct{})}
				h.lease.Store(&l)
				return effect.FlatMap(currentHolder[R](), func(holder interrupter) effect.Effect[R, error, *Held] {
					release := effect.AddFinalizer(func(error) effect.Effect[R, error, struct{}] {
						return effect.Try[R](func(ctx context.Context) (struct{}, error) { return struct{}{}, h.release(ctx) })
					})
					renew := effect.Try[R](func(ctx context.Context) (struct{}, error) { h.renew(ctx, holder); return struct{}{}, nil })
					return effect.AndThen(release, effect.As(effect.Fork(renew), h))
				})
			})
		})
	})
}

func (h *Held) report(err error) {
	if f := h.opts.OnError; f != nil {
		f(err)
	}
}

// lose marks the hold lost for err and interrupts its holder.
func (h *Held) lose(holder interrupter, err error) {
	h.lostOnce.Do(func() {
		h.lostErr = &LockLostError{Key: h.key, Token: h.token, Err: err}
		close(h.lost)
		holder.Interrupt(h.lostErr)
	})
}

// renew extends the lease every RenewEvery until ctx ends (the scope is
// closing) or the lease is found lost.
func (h *Held) renew(ctx context.Context, holder interrupter) {
	t := time.NewTimer(h.opts.RenewEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := h.Lease()
		backoff := h.opts.RenewEvery / 8
		for {
			deadline := cur.Deadline()
			actx, cancel := context.WithDeadline(ctx, minTime(time.Now().Add(h.opts.OpTimeout), deadline))
			l, err := h.ops.extend(actx, cur, h.opts.TTL)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				h.lease.Store(&l)
				break
			}
			if errors.Is(err, ErrNotHeld) || !time.Now().Before(deadline) {
				h.lose(holder, err)
				return
			}
			h.report(err)
			wait := min(backoff, time.Until(deadline))
			backoff = min(2*backoff, h.opts.RenewEvery)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		t.Reset(h.opts.RenewEvery)
	}
}

// release gives the lease back when the scope closes (the renewal has
// stopped: the scope's fibers end before its finalizers run).
func (h *Held) release(ctx context.Context) error {
	if h.Err() != nil {
		return nil // already reported to the holder
	}
	ctx, cancel := context.WithTimeout(ctx, h.opts.OpTimeout)
	defer cancel()
	err := h.ops.release(ctx, h.Lease())
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotHeld):
		return &LockLostError{Key: h.key, Token: h.token, Err: err}
	default:
		h.report(err)
		return nil
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
