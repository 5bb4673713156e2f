package persistence

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The sentinel errors of this package and of every backend. Each typed error
// below matches one of them with [errors.Is].
var (
	// ErrLocked: a try-acquire found the lock held, by another owner or by
	// the same one (locks are not re-entrant). Matched by [*LockedError].
	ErrLocked = errors.New("persistence: lock held")
	// ErrNoPermits: a try-acquire found every permit of a semaphore taken.
	// Matched by [*LockedError].
	ErrNoPermits = errors.New("persistence: no permit left")
	// ErrNotHeld: a release or an extend named a lease that does not hold
	// the lock or permit any more — it expired, was force-released, or
	// belongs to another owner. Nothing was changed.
	ErrNotHeld = errors.New("persistence: lease not held")
	// ErrLockLost: a lock or permit held by a scope was lost while the scope
	// lived. Matched by [*LockLostError].
	ErrLockLost = errors.New("persistence: lock lost")
	// ErrInvalid: an argument was rejected before anything reached the
	// server (an empty key, a TTL that is not positive...). Matched by
	// [*InvalidError].
	ErrInvalid = errors.New("persistence: invalid argument")
	// ErrUnavailable: the backend could not be reached or failed (a
	// network error, a server that went away, a timeout). The outcome of
	// the operation is unknown. Matched by [*BackendError].
	ErrUnavailable = errors.New("persistence: backend unavailable")
)

// LockedError is the failure of a try-acquire that found the lock held or
// the semaphore full. It matches [ErrLocked] or [ErrNoPermits].
type LockedError struct {
	// Key is the key asked for, without the store's prefix.
	Key string
	// TTL is how long the current holder's lease (for a semaphore: the
	// first permit to expire) still runs by the server's clock, or zero
	// if the backend did not say.
	TTL time.Duration
	// Semaphore is true for a semaphore without a free permit.
	Semaphore bool
}

// Error returns a message naming the key (shortened if it is long).
func (e *LockedError) Error() string {
	if e.Semaphore {
		return fmt.Sprintf("persistence: no permit left for %s", quoteKey(e.Key))
	}
	return fmt.Sprintf("persistence: lock %s is held", quoteKey(e.Key))
}

// Is reports whether target is ErrLocked (a lock) or ErrNoPermits (a
// semaphore).
func (e *LockedError) Is(target error) bool {
	if e.Semaphore {
		return target == ErrNoPermits
	}
	return target == ErrLocked
}

// LockLostError is the reason of the interruption of a fiber whose lock (or
// permit) was lost while its scope held it: the renewal found that another
// owner holds it, that it expired, or could not reach the backend before the
// lease ran out. It is also the failure of the release of a lease found lost
// when its scope closed. It matches [ErrLockLost] and unwraps to what the
// renewal or release saw.
type LockLostError struct {
	// Key is the lock's key.
	Key string
	// Token is the fencing token of the lost lease.
	Token uint64
	// Err is what showed the loss: [ErrNotHeld], or a backend failure that
	// lasted until the lease's deadline.
	Err error
}

// Error returns a message naming the key, the token and what was seen.
func (e *LockLostError) Error() string {
	return fmt.Sprintf("persistence: lock %s lost (token %d): %v", quoteKey(e.Key), e.Token, e.Err)
}

// Is reports whether target is ErrLockLost.
func (e *LockLostError) Is(target error) bool { return target == ErrLockLost }

// Unwrap returns what showed the loss.
func (e *LockLostError) Unwrap() error { return e.Err }

// InvalidError is an argument rejected before anything reached the server.
// It matches [ErrInvalid].
type InvalidError struct {
	// Op is the operation, as "redis.Store.TryAcquire".
	Op string
	// Rule is what the argument broke, as "ttl must be > 0".
	Rule string
}

// Error returns "persistence: <op>: <rule>".
func (e *InvalidError) Error() string { return "persistence: " + e.Op + ": " + e.Rule }

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// BackendError is a failure of the backend: the server could not be reached,
// went away or failed the operation. The operation's outcome is unknown (a
// write may or may not have been applied). It matches [ErrUnavailable] and
// unwraps to the driver's error, so errors.As finds the driver's own types.
// Its message never contains a password: the backends remove the one of
// their DSN from the driver's message.
type BackendError struct {
	// Backend names the backend: "redis", "postgres", "mysql", "sqlite".
	Backend string
	// Op is the operation, as "TryAcquire".
	Op string
	// Err is the driver's error.
	Err error

	// secret is removed from Err's message. A pointer, so that a dump of
	// the error (%#v) shows an address, not the password.
	secret *string
}

// NewBackendError returns a BackendError for backend and op wrapping err,
// whose message will show with every occurrence of secret (a DSN's
// password; nothing if empty) replaced by "xxxxx". For backend authors.
func NewBackendError(backend, op string, err error, secret string) *BackendError {
	return &BackendError{Backend: backend, Op: op, Err: err, secret: secretOf(secret)}
}

// Error returns "persistence: <backend> <op>: <driver's message>", with the
// password of the backend's DSN removed.
func (e *BackendError) Error() string {
	msg := fmt.Sprint(e.Err)
	if e.secret != nil {
		msg = strings.ReplaceAll(msg, *e.secret, "xxxxx")
	}
	return "persistence: " + e.Backend + " " + e.Op + ": " + msg
}

// Is reports whether target is ErrUnavailable.
func (e *BackendError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the driver's error.
func (e *BackendError) Unwrap() error { return e.Err }

// quoteKey quotes a key for a message, cut to 64 bytes: keys may be long and
// hostile, and a message is no place for 10 KB of them.
func quoteKey(k string) string {
	const max = 64
	if len(k) > max {
		return fmt.Sprintf("%q…(%d bytes)", k[:max], len(k))
	}
	return fmt.Sprintf("%q", k)
}

// secretOf returns s behind a pointer, or nil if s is empty.
func secretOf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Secret holds a password for a backend: its dumps (%v, %+v, %#v, and those
// of a struct that holds it) never show the password. For backend authors.
type Secret struct{ p *string }

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret { return Secret{secretOf(s)} }

// Reveal returns the password.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// String returns "xxxxx" if a password is held, "" otherwise.
func (s Secret) String() string {
	if s.p == nil {
		return ""
	}
	return "xxxxx"
}

// GoString is String.
func (s Secret) GoString() string { return s.String() }
