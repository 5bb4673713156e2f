// Package sqlite is the embedded backend of package persistence: locks,
// semaphores and circuit-breaker records in an SQLite database file, through
// modernc.org/sqlite (pure Go, no cgo).
//
// Use it when the processes that share a lock run on one machine and share
// a file system: workers of one host, a CLI and its daemon, tests. It is the
// default of examples/distributed-lock. It is correct across processes that
// open the same file: each operation is one SQLite statement or one
// BEGIN IMMEDIATE transaction (so a transaction never has to upgrade a read
// lock to a write lock and fail with SQLITE_BUSY), the database runs in WAL
// mode, and a busy timeout makes writers queue for the file's write lock.
// Do not put the file on a network file system: SQLite's locking is not
// reliable there.
//
// Expiry is by SQLite's clock, which is the machine's: the processes share
// it. Fencing tokens are counters stored in the file, so they keep
// increasing across restarts. Releases and breaker changes made through one
// [Store] wake its own waiters and watchers at once; other processes see
// them at their next poll.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/hub"
	"github.com/gogoscope/gogoscope/persistence/internal/sqlbreaker"
	"github.com/gogoscope/gogoscope/resource"
)

// Options configure a [Store]. The zero value is ready to use.
type Options struct {
	// Prefix is put before every key and breaker name: stores with
	// different prefixes share nothing.
	Prefix string
	// Table is the first part of the names of the store's tables
	// (<Table>_locks, <Table>_permits, <Table>_sems, <Table>_breakers):
	// letters, digits and underscores, starting with a letter or an
	// underscore, at most 40 bytes. Default "gogoscope".
	Table string
	// BusyTimeout is how long an operation waits for the file's write
	// lock held by another connection; default 5s.
	BusyTimeout time.Duration
	// PollInterval is how often a breaker watch reloads its record, to
	// see changes made by other processes; default 500ms.
	PollInterval time.Duration
}

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)

// Store keeps locks, permits and breaker records in an SQLite database. It
// implements [persistence.Locker], [persistence.Semaphore],
// [persistence.ReleaseWatcher] and [persistence.BreakerWatcher], and is safe
// for concurrent use. Close it when done.
type Store struct {
	db       *sql.DB
	prefix   string
	poll     time.Duration
	q        queries
	released hub.Hub
	changed  hub.Hub
	breakers sqlbreaker.Table
}

// Open opens (creating it if needed) the SQLite database at path — a file
// name, or a "file:" URI with its own parameters — and creates the store's
// tables if they do not exist yet (idempotently: stores of many processes
// may open one file at once). It fails with an [*persistence.InvalidError]
// for bad options and a [*persistence.BackendError] if the file cannot be
// opened or written.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Table == "" {
		opts.Table = "gogoscope"
	}
	switch {
	case path == "":
		return nil, &persistence.InvalidError{Op: "sqlite.Open", Rule: "path must not be empty"}
	case strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory"):
		// Each connection of the pool would have a database of its own.
		return nil, &persistence.InvalidError{Op: "sqlite.Open", Rule: "an in-memory database is not shared by the store's connections: use a file, or persistence/memory"}
	case !tableName.MatchString(opts.Table):
		return nil, &persistence.InvalidError{Op: "sqlite.Open", Rule: "Table must match " + tableName.String()}
	case opts.BusyTimeout < 0 || opts.PollInterval < 0:
		return nil, &persistence.InvalidError{Op: "sqlite.Open", Rule: "BusyTimeout and PollInterval must be >= 0"}
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	dsn := path
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += fmt.Sprintf("%s_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate",
		sep, opts.BusyTimeout.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, persistence.NewBackendError("sqlite", "Open", err, "")
	}
	s := &Store{db: db, prefix: opts.Prefix, poll: opts.PollInterval, q: newQueries(opts.Table)}
	s.breakers = sqlbreaker.Table{DB: db, Load: s.q.breakerLoad, Insert: s.q.breakerInsert, Update: s.q.breakerUpdate,
		Key: func(name string) []any { return []any{s.k(name)} }, Fail: fail, Changed: &s.changed}
	if err := s.createSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the store's database handle, for benchmarks and inspection.
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) createSchema(ctx context.Context) error {
	for _, stmt := range s.q.schema {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return fail("Open", err)
		}
	}
	return nil
}

// nowMS is SQLite's clock in Unix milliseconds.
const nowMS = `CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)`

type queries struct {
	schema                                            []string
	acquire, lockTTL, release, extend, force, inspect string
	semSweep, semCount, semToken, semInsert           string
	permitRelease, permitExtend, permitInspect        string
	breakerLoad, breakerInsert, breakerUpdate         string
}

func newQueries(t string) queries {
	// t matched tableName: it is an identifier, not user text.
	r := strings.NewReplacer("{t}", t, "{now}", nowMS)
	q := func(s string) string { return r.Replace(s) }
	return queries{
		schema: []string{
			q(`CREATE TABLE IF NOT EXISTS {t}_locks (k BLOB PRIMARY KEY, owner TEXT, token INTEGER NOT NULL, expires INTEGER)`),
			q(`CREATE TABLE IF NOT EXISTS {t}_sems (k BLOB PRIMARY KEY, token INTEGER NOT NULL)`),
			q(`CREATE TABLE IF NOT EXISTS {t}_permits (k BLOB NOT NULL, owner TEXT NOT NULL, token INTEGER NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (k, owner))`),
			q(`CREATE TABLE IF NOT EXISTS {t}_breakers (name BLOB PRIMARY KEY, version INTEGER NOT NULL, record BLOB NOT NULL)`),
		},
		acquire: q(`INSERT INTO {t}_locks (k, owner, token, expires) VALUES (?1, ?2, 1, {now} + ?3)
			ON CONFLICT (k) DO UPDATE SET owner = excluded.owner, token = {t}_locks.token + 1, expires = excluded.expires
			WHERE {t}_locks.owner IS NULL OR {t}_locks.expires <= {now}
			RETURNING token`),
		lockTTL: q(`SELECT COALESCE(expires - {now}, 0) FROM {t}_locks WHERE k = ?1`),
		release: q(`UPDATE {t}_locks SET owner = NULL, expires = NULL
			WHERE k = ?1 AND owner = ?2 AND (?3 = 0 OR token = ?3) AND expires > {now}`),
		extend: q(`UPDATE {t}_locks SET expires = {now} + ?4
			WHERE k = ?1 AND owner = ?2 AND (?3 = 0 OR token = ?3) AND expires > {now} RETURNING token`),
		force:   q(`UPDATE {t}_locks SET owner = NULL, expires = NULL WHERE k = ?1 AND owner IS NOT NULL AND expires > {now}`),
		inspect: q(`SELECT owner IS NOT NULL AND expires > {now}, token, COALESCE(expires - {now}, 0) FROM {t}_locks WHERE k = ?1`),

		semSweep:  q(`DELETE FROM {t}_permits WHERE k = ?1 AND expires <= {now}`),
		semCount:  q(`SELECT count(*), COALESCE(SUM(owner = ?2), 0), COALESCE(MIN(expires) - {now}, 0) FROM {t}_permits WHERE k = ?1`),
		semToken:  q(`INSERT INTO {t}_sems (k, token) VALUES (?1, 1) ON CONFLICT (k) DO UPDATE SET token = {t}_sems.token + 1 RETURNING token`),
		semInsert: q(`INSERT INTO {t}_permits (k, owner, token, expires) VALUES (?1, ?2, ?3, {now} + ?4)`),

		permitRelease: q(`DELETE FROM {t}_permits WHERE k = ?1 AND owner = ?2 AND (?3 = 0 OR token = ?3) AND expires > {now}`),
		permitExtend: q(`UPDATE {t}_permits SET expires = {now} + ?4
			WHERE k = ?1 AND owner = ?2 AND (?3 = 0 OR token = ?3) AND expires > {now} RETURNING token`),
		permitInspect: q(`SELECT count(*), COALESCE(MIN(expires) - {now}, 0) FROM {t}_permits WHERE k = ?1 AND expires > {now}`),

		breakerLoad:   q(`SELECT version, record FROM {t}_breakers WHERE name = ?1`),
		breakerInsert: q(`INSERT INTO {t}_breakers (name, version, record) VALUES (?1, 1, ?2) ON CONFLICT (name) DO NOTHING`),
		breakerUpdate: q(`UPDATE {t}_breakers SET version = version + 1, record = ?1 WHERE name = ?3 AND version = ?2`),
	}
}

// fail wraps a driver error; a context's own error is kept visible to
// errors.Is through the wrapper.
func fail(op string, err error) error {
	return persistence.NewBackendError("sqlite", op, err, "")
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

func (s *Store) k(key string) []byte { return []byte(s.prefix + key) }

// TryAcquire takes the lock of key for owner for ttl, or fails with a
// [*persistence.LockedError] if a live lease holds it. One statement.
func (s *Store) TryAcquire(ctx context.Context, key, owner string, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("sqlite.Store.TryAcquire", key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	var token int64
	err := s.db.QueryRowContext(ctx, s.q.acquire, s.k(key), owner, ms(ttl)).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		var left int64
		if err := s.db.QueryRowContext(ctx, s.q.lockTTL, s.k(key)).Scan(&left); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return persistence.Lease{}, fail("TryAcquire", err)
		}
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: time.Duration(max(left, 0)) * time.Millisecond}
	}
	if err != nil {
		return persistence.Lease{}, fail("TryAcquire", err)
	}
	return persistence.Lease{Key: key, Owner: owner, Token: uint64(token), TTL: ttl, Sent: sent}, nil
}

// Release frees the lock if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) Release(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("sqlite.Store.Release", l.Key, l.Owner); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.q.release, s.k(l.Key), l.Owner, int64(l.Token))
	if err != nil {
		return fail("Release", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return persistence.ErrNotHeld
	}
	s.released.Notify(l.Key)
	return nil
}

// Extend sets the lock's expiry to ttl from now if l holds it, or fails
// with [persistence.ErrNotHeld].
func (s *Store) Extend(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("sqlite.Store.Extend", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "Extend", s.q.extend, l, ttl)
}

func (s *Store) extend(ctx context.Context, op, query string, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	var token int64
	err := s.db.QueryRowContext(ctx, query, s.k(l.Key), l.Owner, int64(l.Token), ms(ttl)).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return persistence.Lease{}, persistence.ErrNotHeld
	}
	if err != nil {
		return persistence.Lease{}, fail(op, err)
	}
	l.Token, l.TTL, l.Sent = uint64(token), ttl, sent
	return l, nil
}

// ForceRelease frees the lock of key whoever holds it.
func (s *Store) ForceRelease(ctx context.Context, key string) (bool, error) {
	if err := persistence.CheckKey("sqlite.Store.ForceRelease", key); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, s.q.force, s.k(key))
	if err != nil {
		return false, fail("ForceRelease", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		s.released.Notify(key)
	}
	return n > 0, nil
}

// Inspect returns who holds the lock of key, by token, and for how long.
func (s *Store) Inspect(ctx context.Context, key string) (persistence.LockInfo, error) {
	if err := persistence.CheckKey("sqlite.Store.Inspect", key); err != nil {
		return persistence.LockInfo{}, err
	}
	info := persistence.LockInfo{Key: key}
	var (
		held        sql.NullBool
		token, left int64
	)
	err := s.db.QueryRowContext(ctx, s.q.inspect, s.k(key)).Scan(&held, &token, &left)
	if errors.Is(err, sql.ErrNoRows) {
		return info, nil
	}
	if err != nil {
		return info, fail("Inspect", err)
	}
	info.Token = uint64(token)
	if held.Bool {
		info.Held, info.TTL = true, time.Duration(left)*time.Millisecond
	}
	return info, nil
}

// WatchReleases announces the releases of key made through this Store;
// releases by other processes are found by the waiter's polls.
func (s *Store) WatchReleases(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	ch, stop := s.released.Watch(key)
	return ch, stop, nil
}

// TryAcquirePermit takes one of limit permits of key for owner for ttl, or
// fails with a [*persistence.LockedError]. One BEGIN IMMEDIATE transaction:
// drop the expired permits, count, take the next token, insert.
func (s *Store) TryAcquirePermit(ctx context.Context, key, owner string, limit int, ttl time.Duration) (persistence.Lease, error) {
	const op = "sqlite.Store.TryAcquirePermit"
	if err := persistence.CheckLease(op, key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	if err := persistence.CheckLimit(op, limit); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
	if err != nil {
		return persistence.Lease{}, fail("TryAcquirePermit", err)
	}
	defer tx.Rollback()
	k := s.k(key)
	var count, mine, left, token int64
	if _, err = tx.ExecContext(ctx, s.q.semSweep, k); err == nil {
		err = tx.QueryRowContext(ctx, s.q.semCount, k, owner).Scan(&count, &mine, &left)
	}
	if err != nil {
		return persistence.Lease{}, fail("TryAcquirePermit", err)
	}
	if count >= int64(limit) || mine > 0 {
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: time.Duration(max(left, 0)) * time.Millisecond, Semaphore: true}
	}
	if err = tx.QueryRowContext(ctx, s.q.semToken, k).Scan(&token); err == nil {
		if _, err = tx.ExecContext(ctx, s.q.semInsert, k, owner, token, ms(ttl)); err == nil {
			err = tx.Commit()
		}
	}
	if err != nil {
		return persistence.Lease{}, fail("TryAcquirePermit", err)
	}
	return persistence.Lease{Key: key, Owner: owner, Token: uint64(token), TTL: ttl, Sent: sent}, nil
}

// ReleasePermit gives the permit back if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) ReleasePermit(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("sqlite.Store.ReleasePermit", l.Key, l.Owner); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.q.permitRelease, s.k(l.Key), l.Owner, int64(l.Token))
	if err != nil {
		return fail("ReleasePermit", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return persistence.ErrNotHeld
	}
	return nil
}

// ExtendPermit sets the permit's expiry to ttl from now if l holds it, or
// fails with [persistence.ErrNotHeld].
func (s *Store) ExtendPermit(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("sqlite.Store.ExtendPermit", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "ExtendPermit", s.q.permitExtend, l, ttl)
}

// InspectPermits returns how many permits of key are held.
func (s *Store) InspectPermits(ctx context.Context, key string) (persistence.PermitInfo, error) {
	if err := persistence.CheckKey("sqlite.Store.InspectPermits", key); err != nil {
		return persistence.PermitInfo{}, err
	}
	var n, left int64
	if err := s.db.QueryRowContext(ctx, s.q.permitInspect, s.k(key)).Scan(&n, &left); err != nil {
		return persistence.PermitInfo{}, fail("InspectPermits", err)
	}
	return persistence.PermitInfo{Key: key, Held: int(n), TTL: time.Duration(left) * time.Millisecond}, nil
}

// Load returns the breaker record stored under name.
func (s *Store) Load(ctx context.Context, name string) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("sqlite.Store.Load", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	return s.breakers.Get(ctx, name)
}

// Update replaces the record stored under name with fn of it, by
// compare-and-set on the record's version (fn runs again after a
// conflict); an unchanged record is not written.
func (s *Store) Update(ctx context.Context, name string, fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("sqlite.Store.Update", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	return s.breakers.Set(ctx, name, fn)
}

// WatchBreaker calls fn with name's record, then after each change of it,
// until ctx ends: at once for changes made through this Store, at the next
// poll (Options.PollInterval) for the others.
func (s *Store) WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error {
	if err := persistence.CheckKey("sqlite.Store.WatchBreaker", name); err != nil {
		return err
	}
	ch, stop := s.changed.Watch(name)
	defer stop()
	return persistence.PollBreaker(ctx, s, name, s.poll, ch, fn)
}
