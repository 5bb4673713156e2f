// Package memory is the in-process backend of package persistence: locks,
// semaphores and circuit-breaker records in this process's memory.
//
// Use it for tests, for a single replica, and as the reference the other
// backends are checked against: it implements every interface of package
// persistence with the same semantics, and the time of its expiries is
// this process's clock, so that inside a testing/synctest bubble leases
// expire on virtual time. It shares nothing with other processes; a
// [Store] is the unit of sharing inside one.
//
// Fencing tokens count from 1 per key and live as long as the Store.
// Releases and breaker changes are announced at once to watchers of the
// same Store. A Store starts no goroutine and needs no Close.
package memory

import (
	"context"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/hub"
	"github.com/gogoscope/gogoscope/persistence/internal/record"
	"github.com/gogoscope/gogoscope/resource"
)

// Store keeps locks, semaphore permits and breaker records in memory. It
// implements [persistence.Locker], [persistence.Semaphore],
// [persistence.ReleaseWatcher] and [persistence.BreakerWatcher]. The zero
// value is not usable; call [New]. It is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	locks    map[string]*lockEntry
	sems     map[string]*semEntry
	breakers map[string]breakerEntry
	released hub.Hub // by key
	changed  hub.Hub // by breaker name
}

type lockEntry struct {
	owner   string // "" when free
	token   uint64 // last token issued
	expires time.Time
}

type semEntry struct {
	token   uint64
	permits map[string]permit // by owner
}

type permit struct {
	token   uint64
	expires time.Time
}

type breakerEntry struct {
	version uint64
	rec     resource.BreakerRecord
}

// New returns an empty store.
func New() *Store {
	return &Store{locks: map[string]*lockEntry{}, sems: map[string]*semEntry{}, breakers: map[string]breakerEntry{}}
}

func remaining(until, now time.Time) time.Duration {
	if d := until.Sub(now); d > 0 {
		return d
	}
	return 0
}

// TryAcquire takes the lock of key for owner for ttl, or fails with a
// [*persistence.LockedError] if a live lease holds it.
func (s *Store) TryAcquire(ctx context.Context, key, owner string, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("memory.Store.TryAcquire", key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	if err := ctx.Err(); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.locks[key]
	if e == nil {
		e = &lockEntry{}
		s.locks[key] = e
	}
	if e.owner != "" && now.Before(e.expires) {
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: remaining(e.expires, now)}
	}
	e.owner, e.expires = owner, now.Add(ttl)
	e.token++
	return persistence.Lease{Key: key, Owner: owner, Token: e.token, TTL: ttl, Sent: now}, nil
}

// held returns the live entry of l's key if l holds it.
func (s *Store) held(l persistence.Lease, now time.Time) *lockEntry {
	e := s.locks[l.Key]
	if e == nil || e.owner != l.Owner || l.Token != 0 && e.token != l.Token || !now.Before(e.expires) {
		return nil
	}
	return e
}

// Release frees the lock if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) Release(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("memory.Store.Release", l.Key, l.Owner); err != nil {
		return err
	}
	now := time.Now()
	s.mu.Lock()
	e := s.held(l, now)
	if e != nil {
		e.owner, e.expires = "", time.Time{}
	}
	s.mu.Unlock()
	if e == nil {
		return persistence.ErrNotHeld
	}
	s.released.Notify(l.Key)
	return nil
}

// Extend sets the lock's expiry to ttl from now if l holds it, or fails
// with [persistence.ErrNotHeld].
func (s *Store) Extend(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("memory.Store.Extend", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.held(l, now)
	if e == nil {
		return persistence.Lease{}, persistence.ErrNotHeld
	}
	e.expires = now.Add(ttl)
	l.TTL, l.Sent = ttl, now
	return l, nil
}

// ForceRelease frees the lock of key whoever holds it.
func (s *Store) ForceRelease(ctx context.Context, key string) (bool, error) {
	if err := persistence.CheckKey("memory.Store.ForceRelease", key); err != nil {
		return false, err
	}
	now := time.Now()
	s.mu.Lock()
	e := s.locks[key]
	live := e != nil && e.owner != "" && now.Before(e.expires)
	if e != nil {
		e.owner, e.expires = "", time.Time{}
	}
	s.mu.Unlock()
	if live {
		s.released.Notify(key)
	}
	return live, nil
}

// Inspect returns who holds the lock of key, by token, and for how long.
func (s *Store) Inspect(ctx context.Context, key string) (persistence.LockInfo, error) {
	if err := persistence.CheckKey("memory.Store.Inspect", key); err != nil {
		return persistence.LockInfo{}, err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	info := persistence.LockInfo{Key: key}
	if e := s.locks[key]; e != nil {
		info.Token = e.token
		if e.owner != "" && now.Before(e.expires) {
			info.Held, info.TTL = true, e.expires.Sub(now)
		}
	}
	return info, nil
}

// WatchReleases announces the releases of key's lock in this Store.
func (s *Store) WatchReleases(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	ch, stop := s.released.Watch(key)
	return ch, stop, nil
}

// sweep drops the expired permits of e.
func (e *semEntry) sweep(now time.Time) {
	for o, p := range e.permits {
		if !now.Before(p.expires) {
			delete(e.permits, o)
		}
	}
}

// TryAcquirePermit takes one of limit permits of key for owner for ttl, or
// fails with a [*persistence.LockedError] if limit permits are held. An
// owner holds at most one permit of a key.
func (s *Store) TryAcquirePermit(ctx context.Context, key, owner string, limit int, ttl time.Duration) (persistence.Lease, error) {
	const op = "memory.Store.TryAcquirePermit"
	if err := persistence.CheckLease(op, key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	if err := persistence.CheckLimit(op, limit); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.sems[key]
	if e == nil {
		e = &semEntry{permits: map[string]permit{}}
		s.sems[key] = e
	}
	e.sweep(now)
	if _, dup := e.permits[owner]; dup || len(e.permits) >= limit {
		first := time.Time{}
		for _, p := range e.permits {
			if first.IsZero() || p.expires.Before(first) {
				first = p.expires
			}
		}
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: remaining(first, now), Semaphore: true}
	}
	e.token++
	e.permits[owner] = permit{token: e.token, expires: now.Add(ttl)}
	return persistence.Lease{Key: key, Owner: owner, Token: e.token, TTL: ttl, Sent: now}, nil
}

func (s *Store) permitOf(l persistence.Lease, now time.Time) (*semEntry, bool) {
	e := s.sems[l.Key]
	if e == nil {
		return nil, false
	}
	p, ok := e.permits[l.Owner]
	return e, ok && (l.Token == 0 || p.token == l.Token) && now.Before(p.expires)
}

// ReleasePermit gives the permit back if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) ReleasePermit(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("memory.Store.ReleasePermit", l.Key, l.Owner); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.permitOf(l, time.Now())
	if !ok {
		return persistence.ErrNotHeld
	}
	delete(e.permits, l.Owner)
	return nil
}

// ExtendPermit sets the permit's expiry to ttl from now if l holds it, or
// fails with [persistence.ErrNotHeld].
func (s *Store) ExtendPermit(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("memory.Store.ExtendPermit", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.permitOf(l, now)
	if !ok {
		return persistence.Lease{}, persistence.ErrNotHeld
	}
	p := e.permits[l.Owner]
	p.expires = now.Add(ttl)
	e.permits[l.Owner] = p
	l.Token = p.token
	l.TTL, l.Sent = ttl, now
	return l, nil
}

// InspectPermits returns how many permits of key are held.
func (s *Store) InspectPermits(ctx context.Context, key string) (persistence.PermitInfo, error) {
	if err := persistence.CheckKey("memory.Store.InspectPermits", key); err != nil {
		return persistence.PermitInfo{}, err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	info := persistence.PermitInfo{Key: key}
	if e := s.sems[key]; e != nil {
		e.sweep(now)
		info.Held = len(e.permits)
		for _, p := range e.permits {
			if d := p.expires.Sub(now); info.TTL == 0 || d < info.TTL {
				info.TTL = d
			}
		}
	}
	return info, nil
}

// Load returns the breaker record stored under name.
func (s *Store) Load(ctx context.Context, name string) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("memory.Store.Load", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return record.Clone(s.breakers[name].rec), nil
}

// Update replaces the record stored under name with fn of it, under the
// store's lock, and announces the change to watchers if there was one.
func (s *Store) Update(ctx context.Context, name string, fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("memory.Store.Update", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	s.mu.Lock()
	old := s.breakers[name]
	r := record.Clone(fn(record.Clone(old.rec)))
	changed := !record.Equal(r, old.rec)
	if changed {
		s.breakers[name] = breakerEntry{version: old.version + 1, rec: r}
	}
	s.mu.Unlock()
	if changed {
		s.changed.Notify(name)
	}
	return record.Clone(r), nil
}

// WatchBreaker calls fn with name's record, then after each change of it,
// until ctx ends.
func (s *Store) WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error {
	if err := persistence.CheckKey("memory.Store.WatchBreaker", name); err != nil {
		return err
	}
	ch, stop := s.changed.Watch(name)
	defer stop()
	return persistence.PollBreaker(ctx, s, name, time.Hour, ch, fn)
}
