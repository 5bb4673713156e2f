package persistence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"
)

// Lease is a held lock or semaphore permit, as a backend granted it. It is a
// plain value: extending a lease returns a new one, and the old one stays
// valid for Release as long as the owner still holds the key.
//
// A Lease's Owner is the capability that releases and extends it: Lease's
// String, GoString and LogValue leave it out, so that printing or logging a
// lease does not leak it.
type Lease struct {
	// Key is the key, without the store's prefix.
	Key string
	// Owner is the owner token the lease was acquired with.
	Owner string
	// Token is the fencing token: strictly greater than the token of every
	// earlier lease of the same key on the same backend, across every
	// holder and restart of the server (see docs/persistence.md). A
	// resource that only accepts writes with a token at least as high as
	// the highest it has seen refuses a holder that lost its lease without
	// knowing it.
	Token uint64
	// TTL is the lease's length, from the moment the server granted or
	// last extended it, by the server's clock.
	TTL time.Duration
	// Sent is this process's clock when the request that granted or last
	// extended the lease was sent: the server's clock started the TTL no
	// earlier than this.
	Sent time.Time
}

// Deadline returns the local time before which the lease is surely still
// held, barring force release: Sent plus TTL. It assumes the two clocks run
// at the same rate, not that they agree; see docs/persistence.md for what a
// pause of this process does to it.
func (l Lease) Deadline() time.Time { return l.Sent.Add(l.TTL) }

// String returns the key and the fencing token, never the owner.
func (l Lease) String() string {
	return fmt.Sprintf("lease{key %s, token %d, ttl %v}", quoteKey(l.Key), l.Token, l.TTL)
}

// GoString is String, so that %#v does not print the owner either.
func (l Lease) GoString() string { return l.String() }

// LogValue logs the key, token and TTL, never the owner.
func (l Lease) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key", l.Key), slog.Uint64("token", l.Token), slog.Duration("ttl", l.TTL))
}

// LockInfo is what [Locker.Inspect] returns: who holds a lock, by fencing
// token, and for how long.
type LockInfo struct {
	// Key is the key inspected.
	Key string
	// Held reports whether a lease holds the lock now.
	Held bool
	// Token is the fencing token of the holder's lease if Held; otherwise
	// the last token issued for the key, or 0 if none was. A holder checks
	// that it still holds the lock with Held && Token == lease.Token (the
	// owner token is not returned: it is the holder's capability).
	Token uint64
	// TTL is how long the holder's lease still runs by the server's clock
	// if Held; zero otherwise.
	TTL time.Duration
}

// PermitInfo is what [Semaphore.InspectPermits] returns.
type PermitInfo struct {
	// Key is the key inspected.
	Key string
	// Held is the number of permits held now.
	Held int
	// TTL is how long the first permit to expire still runs, by the
	// server's clock; zero if none is held.
	TTL time.Duration
}

// Locker is a distributed lock service: every backend's Store implements
// it. Keys are any byte strings of 1 to [MaxKeyLen] bytes; a store may put a
// prefix before them. Expiry is by the server's clock. Locks are not
// re-entrant: an owner that tries to acquire a lock it holds gets
// [ErrLocked].
//
// Every method returns a [*BackendError] (matching [ErrUnavailable]) when
// the server fails, an [*InvalidError] (matching [ErrInvalid]) for a bad
// argument, and fails within ctx's deadline. [Acquire] waits for a lock on
// any Locker.
type Locker interface {
	// TryAcquire takes the lock of key for owner for ttl, or fails at once
	// with a [*LockedError] (matching [ErrLocked]) if it is held. owner
	// should come from [NewOwner].
	TryAcquire(ctx context.Context, key, owner string, ttl time.Duration) (Lease, error)
	// Release frees the lock if l still holds it, or fails with
	// [ErrNotHeld] and changes nothing. A lease is matched by its key,
	// owner and token; a zero token matches the owner's lease whatever its
	// token (to clean up after an acquire whose reply was lost).
	Release(ctx context.Context, l Lease) error
	// Extend sets the lock's expiry to ttl from now if l still holds it,
	// returning the new lease (same owner and token), or fails with
	// [ErrNotHeld].
	Extend(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// ForceRelease frees the lock whoever holds it, and reports whether a
	// live lease held it. The fencing counter is kept.
	ForceRelease(ctx context.Context, key string) (bool, error)
	// Inspect returns who holds the lock, by token, and for how long.
	Inspect(ctx context.Context, key string) (LockInfo, error)
}

// Semaphore is a distributed counting semaphore: at most limit leases per
// key at once, each with its own expiry by the server's clock. Callers of
// one key should agree on its limit: each acquire checks the number of
// leases held against its own limit. The fencing tokens of one key's
// permits strictly increase too.
type Semaphore interface {
	// TryAcquirePermit takes one of limit permits of key for owner for
	// ttl, or fails at once with a [*LockedError] (matching
	// [ErrNoPermits]) if limit permits are held.
	TryAcquirePermit(ctx context.Context, key, owner string, limit int, ttl time.Duration) (Lease, error)
	// ReleasePermit gives the permit back if l still holds it, or fails
	// with [ErrNotHeld]; a zero token matches as in [Locker.Release].
	ReleasePermit(ctx context.Context, l Lease) error
	// ExtendPermit sets the permit's expiry to ttl from now if l still
	// holds it, or fails with [ErrNotHeld].
	ExtendPermit(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// InspectPermits returns how many permits of key are held.
	InspectPermits(ctx context.Context, key string) (PermitInfo, error)
}

// ReleaseWatcher is implemented by the stores that announce releases
// (memory, Redis pub/sub, PostgreSQL LISTEN/NOTIFY, and SQLite within one
// process), so that a waiting [Acquire] wakes as soon as a lock is freed
// instead of at its next poll.
type ReleaseWatcher interface {
	// WatchReleases starts watching key's lock. The channel receives a
	// value (dropped if one is pending) after each release or force
	// release of key announced from then on; stop ends the watch and must
	// be called exactly once. Goroutines it needs end before stop
	// returns. Announcements are hints: a waiter still tries to acquire.
	WatchReleases(ctx context.Context, key string) (released <-chan struct{}, stop func(), err error)
}

// MaxKeyLen is the longest key (and breaker name) a store accepts, in bytes.
const MaxKeyLen = 64 << 10

// MaxOwnerLen is the longest owner token a store accepts, in bytes.
const MaxOwnerLen = 255

// NewOwner returns a new owner token: 128 bits from crypto/rand, in hex.
// Anyone who knows a lease's owner token can release or extend it, so it is
// never logged by this package.
func NewOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand's contract since Go 1.24)
	return hex.EncodeToString(b[:])
}

// CheckKey returns an [*InvalidError] for op if key is empty or longer than
// [MaxKeyLen]. For backend authors.
func CheckKey(op, key string) error {
	switch {
	case key == "":
		return &InvalidError{Op: op, Rule: "key must not be empty"}
	case len(key) > MaxKeyLen:
		return &InvalidError{Op: op, Rule: fmt.Sprintf("key must be at most %d bytes, got %d", MaxKeyLen, len(key))}
	}
	return nil
}

// CheckLease returns an [*InvalidError] for op if key, owner or ttl are
// unusable: an invalid key, an empty owner, or a ttl of less than a
// millisecond (the unit the servers keep: backends round a ttl down to
// whole milliseconds). For backend authors.
func CheckLease(op, key, owner string, ttl time.Duration) error {
	if err := CheckHolder(op, key, owner); err != nil {
		return err
	}
	if ttl < time.Millisecond {
		return &InvalidError{Op: op, Rule: fmt.Sprintf("ttl must be >= 1ms, got %v", ttl)}
	}
	return nil
}

// CheckHolder returns an [*InvalidError] for op if key is invalid or owner
// empty or longer than [MaxOwnerLen]. For backend authors.
func CheckHolder(op, key, owner string) error {
	if err := CheckKey(op, key); err != nil {
		return err
	}
	switch {
	case owner == "":
		return &InvalidError{Op: op, Rule: "owner must not be empty"}
	case len(owner) > MaxOwnerLen:
		return &InvalidError{Op: op, Rule: fmt.Sprintf("owner must be at most %d bytes, got %d", MaxOwnerLen, len(owner))}
	}
	return nil
}

// CheckLimit returns an [*InvalidError] for op if a semaphore's limit is
// not positive. For backend authors.
func CheckLimit(op string, limit int) error {
	if limit <= 0 {
		return &InvalidError{Op: op, Rule: fmt.Sprintf("limit must be > 0, got %d", limit)}
	}
	return nil
}
