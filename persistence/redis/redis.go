// Package redis is the Redis backend of package persistence: locks,
// semaphores and circuit-breaker records on a Redis server, through
// github.com/redis/go-redis/v9.
//
// Use it when the processes that share a lock already share a Redis: it is
// the fastest backend over the network (one round trip per operation, a
// Lua script each) and the one that wakes waiters and watchers soonest
// (pub/sub).
//
// Every operation is one Lua script, so each is atomic on the server:
// acquire (EXISTS, then the fencing counter and the lock hash with PEXPIRE),
// release and extend (check owner and token, then DEL or PEXPIRE: never the
// GET-then-DEL that can free another owner's lock), the semaphore (a sorted
// set of owners by expiry) and the breaker's compare-and-set (on a version
// field). Keys, owners, tokens and TTLs reach the scripts only as KEYS and
// ARGV. Expiry is by the server's clock: Redis expires the lock's key, and
// the semaphore compares with TIME.
//
// Fencing tokens are max(last + 1, the server's clock in microseconds):
// strictly increasing per key, and still increasing after a restart of a
// server that kept no data (no RDB, no AOF), as long as its clock has not
// gone back. The counters are kept without expiry, one small key per lock
// key ever used.
//
// Releases are announced on the channel <prefix>released (the message is
// the key), breaker changes on <prefix>breakers (the message is the name);
// a Store subscribes to each on one connection, shared by all its waiters
// and watchers, for as long as it has some. A key's lock, counter and permits
// share a hash tag ({key}), so the store works with Redis Cluster for keys
// that do not start with '}'.
package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/hub"
	"github.com/gogoscope/gogoscope/persistence/internal/record"
	"github.com/gogoscope/gogoscope/resource"
)

// Options configure a [Store]. The zero value is ready to use.
type Options struct {
	// Prefix is put before every key, counter and channel of the store:
	// stores with different prefixes share nothing. Default "gogoscope:".
	Prefix string
	// PollInterval is how often a breaker watch reloads its record besides
	// the pushed announcements, in case one was missed while the
	// subscription reconnected; default 5s.
	PollInterval time.Duration
}

// Store keeps locks, permits and breaker records on a Redis server. It
// implements [persistence.Locker], [persistence.Semaphore],
// [persistence.ReleaseWatcher] and [persistence.BreakerWatcher], and is safe
// for concurrent use.
type Store struct {
	c      goredis.UniversalClient
	own    bool // Close closes c
	prefix string
	poll   time.Duration
	secret persistence.Secret // the password, kept out of errors and dumps

	released, breakers hub.Feed // one subscription each, shared by the watchers
}

// New returns a store on client, which the caller keeps and closes: its
// TLS, authentication and pool settings are used as they are.
func New(client goredis.UniversalClient, opts Options) *Store {
	if client == nil {
		panic("redis.New: client must not be nil")
	}
	s := &Store{c: client, prefix: opts.Prefix, poll: opts.PollInterval}
	if s.prefix == "" {
		s.prefix = "gogoscope:"
	}
	if s.poll <= 0 {
		s.poll = 5 * time.Second
	}
	if c, ok := client.(*goredis.Client); ok {
		s.secret = persistence.NewSecret(c.Options().Password)
	}
	s.released.Listen = s.listen(s.prefix + "released")
	s.breakers.Listen = s.listen(s.prefix + "breakers")
	return s
}

// Open returns a store on a new client for url ("redis://user:pass@host:port/db",
// "rediss://..." for TLS; see go-redis's ParseURL for the parameters, which
// pass through unchanged), after checking with a PING, within ctx, that
// the server answers. Close closes the client. A malformed url fails with an
// [*persistence.InvalidError] and an unreachable server with a
// [*persistence.BackendError]; neither shows the url's password.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		// ParseURL's messages may quote the url: keep only a fixed one.
		return nil, &persistence.InvalidError{Op: "redis.Open", Rule: "malformed Redis URL (want redis://[user:password@]host:port[/db])"}
	}
	c := goredis.NewClient(o)
	s := New(c, opts)
	s.own, s.secret = true, persistence.NewSecret(o.Password)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, s.fail("Open", err)
	}
	return s, nil
}

// Close closes the client if [Open] made it; a store made by [New] leaves
// its client to the caller.
// Close it after the scopes and calls that use the store have ended: a
// waiting acquire or a breaker watch in progress holds a subscription
// connection until it stops.
func (s *Store) Close() error {
	if s.own {
		return s.c.Close()
	}
	return nil
}

// Client returns the store's client.
func (s *Store) Client() goredis.UniversalClient { return s.c }

func (s *Store) fail(op string, err error) error {
	return persistence.NewBackendError("redis", op, err, s.secret.Reveal())
}

func (s *Store) lockKeys(key string) []string {
	return []string{s.prefix + "lock:{" + key + "}", s.prefix + "fence:{" + key + "}"}
}

func (s *Store) permitKeys(key string) []string {
	return []string{s.prefix + "sem:{" + key + "}", s.prefix + "semfence:{" + key + "}", s.prefix + "semtok:{" + key + "}"}
}

func (s *Store) breakerKey(name string) string { return s.prefix + "breaker:{" + name + "}" }

func ms(d time.Duration) int64 { return d.Milliseconds() }

func tokenOf(v any) (uint64, error) {
	switch t := v.(type) {
	case string:
		return strconv.ParseUint(t, 10, 64)
	case int64:
		return uint64(t), nil
	}
	return 0, fmt.Errorf("unexpected reply %T", v)
}

// pair reads a script's {flag, value} reply.
func pair(res any) (ok bool, v any, err error) {
	a, isArr := res.([]any)
	if !isArr || len(a) != 2 {
		return false, nil, fmt.Errorf("unexpected reply %T", res)
	}
	f, _ := a[0].(int64)
	return f == 1, a[1], nil
}

// TryAcquire takes the lock of key for owner for ttl, or fails with a
// [*persistence.LockedError] if a live lease holds it. One script.
func (s *Store) TryAcquire(ctx context.Context, key, owner string, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("redis.Store.TryAcquire", key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	res, err := acquireScript.Run(ctx, s.c, s.lockKeys(key), owner, ms(ttl)).Result()
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquire", err)
	}
	ok, v, err := pair(res)
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquire", err)
	}
	if !ok {
		left, _ := v.(int64)
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: time.Duration(max(left, 0)) * time.Millisecond}
	}
	tok, err := tokenOf(v)
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquire", err)
	}
	return persistence.Lease{Key: key, Owner: owner, Token: tok, TTL: ttl, Sent: sent}, nil
}

// Release frees the lock if l holds it, and announces the release; or fails
// with [persistence.ErrNotHeld].
func (s *Store) Release(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("redis.Store.Release", l.Key, l.Owner); err != nil {
		return err
	}
	n, err := releaseScript.Run(ctx, s.c, s.lockKeys(l.Key)[:1], l.Owner, l.Token, s.prefix+"released", l.Key).Int64()
	if err != nil {
		return s.fail("Release", err)
	}
	if n == 0 {
		return persistence.ErrNotHeld
	}
	return nil
}

// Extend sets the lock's expiry to ttl from now if l holds it, or fails
// with [persistence.ErrNotHeld].
func (s *Store) Extend(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("redis.Store.Extend", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "Extend", extendScript, s.lockKeys(l.Key)[:1], l, ttl)
}

func (s *Store) extend(ctx context.Context, op string, script *goredis.Script, keys []string, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	res, err := script.Run(ctx, s.c, keys, l.Owner, l.Token, ms(ttl)).Result()
	if errors.Is(err, goredis.Nil) {
		return persistence.Lease{}, persistence.ErrNotHeld
	}
	if err != nil {
		return persistence.Lease{}, s.fail(op, err)
	}
	tok, err := tokenOf(res)
	if err != nil {
		return persistence.Lease{}, s.fail(op, err)
	}
	l.Token, l.TTL, l.Sent = tok, ttl, sent
	return l, nil
}

// ForceRelease frees the lock of key whoever holds it, and announces it.
func (s *Store) ForceRelease(ctx context.Context, key string) (bool, error) {
	if err := persistence.CheckKey("redis.Store.ForceRelease", key); err != nil {
		return false, err
	}
	n, err := forceScript.Run(ctx, s.c, s.lockKeys(key)[:1], s.prefix+"released", key).Int64()
	if err != nil {
		return false, s.fail("ForceRelease", err)
	}
	return n == 1, nil
}

// Inspect returns who holds the lock of key, by token, and for how long.
func (s *Store) Inspect(ctx context.Context, key string) (persistence.LockInfo, error) {
	if err := persistence.CheckKey("redis.Store.Inspect", key); err != nil {
		return persistence.LockInfo{}, err
	}
	res, err := inspectScript.Run(ctx, s.c, s.lockKeys(key)).Slice()
	if err == nil && len(res) != 3 {
		err = fmt.Errorf("unexpected reply of %d values", len(res))
	}
	if err != nil {
		return persistence.LockInfo{}, s.fail("Inspect", err)
	}
	tok, err := tokenOf(res[1])
	if err != nil {
		return persistence.LockInfo{}, s.fail("Inspect", err)
	}
	held, _ := res[0].(int64)
	left, _ := res[2].(int64)
	info := persistence.LockInfo{Key: key, Token: tok}
	if held == 1 {
		info.Held, info.TTL = true, time.Duration(max(left, 0))*time.Millisecond
	}
	return info, nil
}

// TryAcquirePermit takes one of limit permits of key for owner for ttl, or
// fails with a [*persistence.LockedError]. One script.
func (s *Store) TryAcquirePermit(ctx context.Context, key, owner string, limit int, ttl time.Duration) (persistence.Lease, error) {
	const op = "redis.Store.TryAcquirePermit"
	if err := persistence.CheckLease(op, key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	if err := persistence.CheckLimit(op, limit); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	res, err := acquirePermitScript.Run(ctx, s.c, s.permitKeys(key), owner, limit, ms(ttl)).Result()
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquirePermit", err)
	}
	ok, v, err := pair(res)
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquirePermit", err)
	}
	if !ok {
		left, _ := v.(int64)
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: time.Duration(max(left, 0)) * time.Millisecond, Semaphore: true}
	}
	tok, err := tokenOf(v)
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquirePermit", err)
	}
	return persistence.Lease{Key: key, Owner: owner, Token: tok, TTL: ttl, Sent: sent}, nil
}

func (s *Store) permitHolderKeys(key string) []string {
	k := s.permitKeys(key)
	return []string{k[0], k[2]}
}

// ReleasePermit gives the permit back if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) ReleasePermit(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("redis.Store.ReleasePermit", l.Key, l.Owner); err != nil {
		return err
	}
	n, err := releasePermitScript.Run(ctx, s.c, s.permitHolderKeys(l.Key), l.Owner, l.Token).Int64()
	if err != nil {
		return s.fail("ReleasePermit", err)
	}
	if n == 0 {
		return persistence.ErrNotHeld
	}
	return nil
}

// ExtendPermit sets the permit's expiry to ttl from now if l holds it, or
// fails with [persistence.ErrNotHeld].
func (s *Store) ExtendPermit(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("redis.Store.ExtendPermit", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "ExtendPermit", extendPermitScript, s.permitHolderKeys(l.Key), l, ttl)
}

// InspectPermits returns how many permits of key are held.
func (s *Store) InspectPermits(ctx context.Context, key string) (persistence.PermitInfo, error) {
	if err := persistence.CheckKey("redis.Store.InspectPermits", key); err != nil {
		return persistence.PermitInfo{}, err
	}
	res, err := inspectPermitsScript.Run(ctx, s.c, s.permitKeys(key)[:1]).Slice()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("unexpected reply of %d values", len(res))
	}
	if err != nil {
		return persistence.PermitInfo{}, s.fail("InspectPermits", err)
	}
	n, _ := res[0].(int64)
	left, _ := res[1].(int64)
	return persistence.PermitInfo{Key: key, Held: int(n), TTL: time.Duration(left) * time.Millisecond}, nil
}

func (s *Store) load(ctx context.Context, op, name string) (record.Versioned, error) {
	var v record.Versioned
	res, err := s.c.HMGet(ctx, s.breakerKey(name), "v", "r").Result()
	if err != nil {
		return v, s.fail(op, err)
	}
	if ver, ok := res[0].(string); ok {
		if v.Version, err = strconv.ParseInt(ver, 10, 64); err != nil {
			return v, s.fail(op, err)
		}
	}
	raw, _ := res[1].(string)
	v.Record, err = record.Decode([]byte(raw))
	return v, err
}

// Load returns the breaker record stored under name.
func (s *Store) Load(ctx context.Context, name string) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("redis.Store.Load", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	v, err := s.load(ctx, "Load", name)
	return v.Record, err
}

// Update replaces the record stored under name with fn of it, by a
// compare-and-set script on the record's version (fn runs again after a
// conflict), and announces the change; an unchanged record is not written.
func (s *Store) Update(ctx context.Context, name string, fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("redis.Store.Update", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	keys := []string{s.breakerKey(name)}
	return record.Update(ctx, func() (record.Versioned, error) { return s.load(ctx, "Update", name) },
		func(old record.Versioned, r resource.BreakerRecord) (bool, error) {
			n, err := casScript.Run(ctx, s.c, keys, old.Version, record.Encode(r), s.prefix+"breakers", name).Int64()
			if err != nil {
				return false, s.fail("Update", err)
			}
			return n == 1, nil
		}, fn)
}
