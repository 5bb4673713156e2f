// Package postgres is the PostgreSQL backend of package persistence: locks,
// semaphores and circuit-breaker records in tables of a PostgreSQL
// database, through github.com/jackc/pgx/v5.
//
// Use it when the processes that share a lock already share a PostgreSQL
// database and you want the lock's state to be as durable as your data.
//
// A lock is a row of a lock table with its owner, its fencing token and
// its expiry, by the server's clock (clock_timestamp()); acquire is one
// INSERT … ON CONFLICT DO UPDATE … WHERE the lock is free or expired, so
// the database's row locking makes it atomic. Session advisory locks
// (pg_advisory_lock) are not used: their holder is one database
// connection, so a lock would live exactly as long as a pooled connection
// does — it cannot expire when its holder is paused or cut off, cannot be
// renewed or released from another connection of the pool, and vanishes
// (without the holder being told) when a proxy or a failover drops the
// connection. A lease row has none of those problems, and it carries a
// fencing token.
//
// Fencing tokens are counters in the lock rows, which are kept when a lock
// is released, so they increase across restarts. Keys and names are stored
// by their SHA-256 (primary keys of 32 bytes, whatever the key's length)
// beside the key itself. Releases and breaker changes are announced with
// pg_notify on the channels <Table>_released and <Table>_breakers (the
// payload is the key's hash), which a Store LISTENs to on one connection
// per channel, shared by all its waiters and watchers, for as long as it
// has some: size the pool (pool_max_conns, default the larger of 4 and the
// number of CPUs) for two connections more than the operations need. A
// semaphore permit is taken in a transaction
// that first locks the semaphore's row, so concurrent acquires queue.
package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/hub"
	"github.com/gogoscope/gogoscope/persistence/internal/record"
	"github.com/gogoscope/gogoscope/resource"
)

// Options configure a [Store]. The zero value is ready to use.
type Options struct {
	// Prefix is put before every key and breaker name: stores with
	// different prefixes share nothing.
	Prefix string
	// Table is the first part of the names of the store's tables and
	// notification channels: letters, digits and underscores, starting
	// with a letter or an underscore, at most 40 bytes; it may be
	// qualified by a schema ("app.locks"). Default "gogoscope".
	Table string
	// PollInterval is how often waiters and breaker watches poll besides
	// the notifications, in case one was missed while their connection was
	// down; default 5s.
	PollInterval time.Duration
}

var tableName = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]{0,39}\.)?[A-Za-z_][A-Za-z0-9_]{0,39}$`)

// Store keeps locks, permits and breaker records in a PostgreSQL database.
// It implements [persistence.Locker], [persistence.Semaphore],
// [persistence.ReleaseWatcher] and [persistence.BreakerWatcher], and is safe
// for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	own    bool
	prefix string
	poll   time.Duration
	secret persistence.Secret // the password, kept out of errors and dumps
	q      queries

	released, breakers hub.Feed // one LISTEN connection each, shared by the watchers
}

// Open returns a store on a new connection pool for dsn (a URL or a
// key=value string; TLS, authentication and pool parameters pass to pgx
// unchanged), after creating the tables if they do not exist. A malformed
// dsn fails with an [*persistence.InvalidError], an unreachable server with
// a [*persistence.BackendError] within ctx; neither shows the password.
// Close closes the pool.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, &persistence.InvalidError{Op: "postgres.Open", Rule: "malformed PostgreSQL DSN (want postgres://user:password@host:port/db?...)"}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, persistence.NewBackendError("postgres", "Open", err, cfg.ConnConfig.Password)
	}
	s, err := New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.own = true
	return s, nil
}

// New returns a store on pool, which the caller keeps and closes, after
// creating the tables if they do not exist (idempotently, under an
// advisory lock, so that many processes may start at once).
func New(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Store, error) {
	if pool == nil {
		panic("postgres.New: pool must not be nil")
	}
	if opts.Table == "" {
		opts.Table = "gogoscope"
	}
	if !tableName.MatchString(opts.Table) {
		return nil, &persistence.InvalidError{Op: "postgres.New", Rule: "Table must match " + tableName.String()}
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	s := &Store{pool: pool, prefix: opts.Prefix, poll: opts.PollInterval,
		secret: persistence.NewSecret(pool.Config().ConnConfig.Password), q: newQueries(opts.Table)}
	s.released.Listen = s.listen(s.q.releasedChannel)
	s.breakers.Listen = s.listen(s.q.breakerChannel)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7291053614020394123)`); err != nil {
			return err
		}
		for _, stmt := range s.q.schema {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail("New", err)
	}
	return s, nil
}

// Close closes the pool if [Open] made it; a store made by [New] leaves its
// pool to the caller.
// Close it after the scopes and calls that use the store have ended: a
// waiting acquire or a breaker watch in progress holds a subscription
// connection until it stops.
func (s *Store) Close() {
	if s.own {
		s.pool.Close()
	}
}

// Pool returns the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func (s *Store) fail(op string, err error) error {
	return persistence.NewBackendError("postgres", op, err, s.secret.Reveal())
}

// hash returns the SHA-256 of the prefixed key: the rows' primary key.
func (s *Store) hash(key string) []byte {
	h := sha256.Sum256([]byte(s.prefix + key))
	return h[:]
}

func (s *Store) k(key string) []byte { return []byte(s.prefix + key) }

func hexOf(h []byte) string { return hex.EncodeToString(h) }

func ms(d time.Duration) int64 { return d.Milliseconds() }

type queries struct {
	schema                                            []string
	releasedChannel, breakerChannel                   string
	acquire, lockTTL, release, extend, force, inspect string
	semLock, semSweep, semCount, semToken, semInsert  string
	permitRelease, permitExtend, permitInspect        string
	breakerLoad, breakerInsert, breakerUpdate         string
}

// quoteIdent quotes a (schema-qualified) identifier that matched tableName.
func quoteIdent(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = `"` + p + `"`
	}
	return strings.Join(parts, ".")
}

func newQueries(table string) queries {
	// table matched tableName: it is an identifier, not user text.
	base := table[strings.LastIndex(table, ".")+1:]
	ident := func(suffix string) string {
		if i := strings.LastIndex(table, "."); i >= 0 {
			return quoteIdent(table[:i] + "." + base + suffix)
		}
		return quoteIdent(base + suffix)
	}
	r := strings.NewReplacer("{locks}", ident("_locks"), "{sems}", ident("_sems"), "{permits}", ident("_permits"),
		"{breakers}", ident("_breakers"), "{now}", "clock_timestamp()",
		"{left}", "GREATEST(0, (EXTRACT(EPOCH FROM (expires - clock_timestamp())) * 1000)::bigint)")
	q := r.Replace
	return queries{
		schema: []string{
			q(`CREATE TABLE IF NOT EXISTS {locks} (h bytea PRIMARY KEY, k bytea NOT NULL, owner text, token bigint NOT NULL, expires timestamptz)`),
			q(`CREATE TABLE IF NOT EXISTS {sems} (h bytea PRIMARY KEY, k bytea NOT NULL, token bigint NOT NULL)`),
			q(`CREATE TABLE IF NOT EXISTS {permits} (h bytea NOT NULL, owner text NOT NULL, token bigint NOT NULL, expires timestamptz NOT NULL, PRIMARY KEY (h, owner))`),
			q(`CREATE TABLE IF NOT EXISTS {breakers} (h bytea PRIMARY KEY, name bytea NOT NULL, version bigint NOT NULL, record bytea NOT NULL)`),
		},
		releasedChannel: base + "_released",
		breakerChannel:  base + "_breakers",
		acquire: q(`INSERT INTO {locks} AS l (h, k, owner, token, expires) VALUES ($1, $2, $3, 1, {now} + $4 * interval '1 millisecond')
			ON CONFLICT (h) DO UPDATE SET owner = excluded.owner, token = l.token + 1, expires = excluded.expires
			WHERE l.owner IS NULL OR l.expires <= {now}
			RETURNING token`),
		lockTTL: q(`SELECT COALESCE({left}, 0) FROM {locks} WHERE h = $1`),
		release: q(`WITH u AS (UPDATE {locks} SET owner = NULL, expires = NULL
			WHERE h = $1 AND owner = $2 AND ($3 = 0 OR token = $3) AND expires > {now} RETURNING 1)
			SELECT pg_notify($4, $5) FROM u`),
		extend: q(`UPDATE {locks} SET expires = {now} + $4 * interval '1 millisecond'
			WHERE h = $1 AND owner = $2 AND ($3 = 0 OR token = $3) AND expires > {now} RETURNING token`),
		force: q(`WITH u AS (UPDATE {locks} SET owner = NULL, expires = NULL
			WHERE h = $1 AND owner IS NOT NULL AND expires > {now} RETURNING 1)
			SELECT pg_notify($2, $3) FROM u`),
		inspect: q(`SELECT owner IS NOT NULL AND expires > {now}, token, COALESCE({left}, 0) FROM {locks} WHERE h = $1`),

		semLock:   q(`INSERT INTO {sems} AS s (h, k, token) VALUES ($1, $2, 0) ON CONFLICT (h) DO UPDATE SET token = s.token RETURNING token`),
		semSweep:  q(`DELETE FROM {permits} WHERE h = $1 AND expires <= {now}`),
		semCount:  q(`SELECT count(*), count(*) FILTER (WHERE owner = $2), COALESCE(MIN({left}), 0) FROM {permits} WHERE h = $1`),
		semToken:  q(`UPDATE {sems} SET token = token + 1 WHERE h = $1 RETURNING token`),
		semInsert: q(`INSERT INTO {permits} (h, owner, token, expires) VALUES ($1, $2, $3, {now} + $4 * interval '1 millisecond')`),

		permitRelease: q(`DELETE FROM {permits} WHERE h = $1 AND owner = $2 AND ($3 = 0 OR token = $3) AND expires > {now}`),
		permitExtend: q(`UPDATE {permits} SET expires = {now} + $4 * interval '1 millisecond'
			WHERE h = $1 AND owner = $2 AND ($3 = 0 OR token = $3) AND expires > {now} RETURNING token`),
		permitInspect: q(`SELECT count(*), COALESCE(MIN({left}), 0) FROM {permits} WHERE h = $1 AND expires > {now}`),

		breakerLoad: q(`SELECT version, record FROM {breakers} WHERE h = $1`),
		breakerInsert: q(`WITH u AS (INSERT INTO {breakers} (h, name, version, record) VALUES ($1, $2, 1, $3)
			ON CONFLICT (h) DO NOTHING RETURNING 1) SELECT pg_notify($4, $5) FROM u`),
		breakerUpdate: q(`WITH u AS (UPDATE {breakers} SET version = version + 1, record = $3 WHERE h = $1 AND version = $2 RETURNING 1)
			SELECT pg_notify($4, $5) FROM u`),
	}
}

// rows runs a statement and returns how many rows it returned.
func (s *Store) rows(ctx context.Context, query string, args ...any) (int, error) {
	rs, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n := 0
	for rs.Next() {
		n++
	}
	return n, rs.Err()
}

// TryAcquire takes the lock of key for owner for ttl, or fails with a
// [*persistence.LockedError] if a live lease holds it. One statement.
func (s *Store) TryAcquire(ctx context.Context, key, owner string, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("postgres.Store.TryAcquire", key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	h := s.hash(key)
	var token int64
	err := s.pool.QueryRow(ctx, s.q.acquire, h, s.k(key), owner, ms(ttl)).Scan(&token)
	if errors.Is(err, pgx.ErrNoRows) {
		var left int64
		if err := s.pool.QueryRow(ctx, s.q.lockTTL, h).Scan(&left); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return persistence.Lease{}, s.fail("TryAcquire", err)
		}
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: time.Duration(left) * time.Millisecond}
	}
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquire", err)
	}
	return persistence.Lease{Key: key, Owner: owner, Token: uint64(token), TTL: ttl, Sent: sent}, nil
}

// Release frees the lock if l holds it, and announces the release; or fails
// with [persistence.ErrNotHeld].
func (s *Store) Release(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("postgres.Store.Release", l.Key, l.Owner); err != nil {
		return err
	}
	h := s.hash(l.Key)
	n, err := s.rows(ctx, s.q.release, h, l.Owner, int64(l.Token), s.q.releasedChannel, hexOf(h))
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
	if err := persistence.CheckLease("postgres.Store.Extend", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "Extend", s.q.extend, l, ttl)
}

func (s *Store) extend(ctx context.Context, op, query string, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	var token int64
	err := s.pool.QueryRow(ctx, query, s.hash(l.Key), l.Owner, int64(l.Token), ms(ttl)).Scan(&token)
	if errors.Is(err, pgx.ErrNoRows) {
		return persistence.Lease{}, persistence.ErrNotHeld
	}
	if err != nil {
		return persistence.Lease{}, s.fail(op, err)
	}
	l.Token, l.TTL, l.Sent = uint64(token), ttl, sent
	return l, nil
}

// ForceRelease frees the lock of key whoever holds it, and announces it.
func (s *Store) ForceRelease(ctx context.Context, key string) (bool, error) {
	if err := persistence.CheckKey("postgres.Store.ForceRelease", key); err != nil {
		return false, err
	}
	h := s.hash(key)
	n, err := s.rows(ctx, s.q.force, h, s.q.releasedChannel, hexOf(h))
	if err != nil {
		return false, s.fail("ForceRelease", err)
	}
	return n > 0, nil
}

// Inspect returns who holds the lock of key, by token, and for how long.
func (s *Store) Inspect(ctx context.Context, key string) (persistence.LockInfo, error) {
	if err := persistence.CheckKey("postgres.Store.Inspect", key); err != nil {
		return persistence.LockInfo{}, err
	}
	info := persistence.LockInfo{Key: key}
	var (
		held        *bool
		token, left int64
	)
	err := s.pool.QueryRow(ctx, s.q.inspect, s.hash(key)).Scan(&held, &token, &left)
	if errors.Is(err, pgx.ErrNoRows) {
		return info, nil
	}
	if err != nil {
		return info, s.fail("Inspect", err)
	}
	info.Token = uint64(token)
	if held != nil && *held {
		info.Held, info.TTL = true, time.Duration(left)*time.Millisecond
	}
	return info, nil
}

// TryAcquirePermit takes one of limit permits of key for owner for ttl, or
// fails with a [*persistence.LockedError]. One transaction: lock the
// semaphore's row, drop the expired permits, count, take the next token,
// insert.
func (s *Store) TryAcquirePermit(ctx context.Context, key, owner string, limit int, ttl time.Duration) (persistence.Lease, error) {
	const op = "postgres.Store.TryAcquirePermit"
	if err := persistence.CheckLease(op, key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	if err := persistence.CheckLimit(op, limit); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	h := s.hash(key)
	var (
		lease persistence.Lease
		full  *persistence.LockedError
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var count, mine, left, token int64
		if err := tx.QueryRow(ctx, s.q.semLock, h, s.k(key)).Scan(&token); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.q.semSweep, h); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, s.q.semCount, h, owner).Scan(&count, &mine, &left); err != nil {
			return err
		}
		if count >= int64(limit) || mine > 0 {
			full = &persistence.LockedError{Key: key, TTL: time.Duration(left) * time.Millisecond, Semaphore: true}
			return nil
		}
		if err := tx.QueryRow(ctx, s.q.semToken, h).Scan(&token); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.q.semInsert, h, owner, token, ms(ttl)); err != nil {
			return err
		}
		lease = persistence.Lease{Key: key, Owner: owner, Token: uint64(token), TTL: ttl, Sent: sent}
		return nil
	})
	switch {
	case err != nil:
		return persistence.Lease{}, s.fail("TryAcquirePermit", err)
	case full != nil:
		return persistence.Lease{}, full
	}
	return lease, nil
}

// ReleasePermit gives the permit back if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) ReleasePermit(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("postgres.Store.ReleasePermit", l.Key, l.Owner); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, s.q.permitRelease, s.hash(l.Key), l.Owner, int64(l.Token))
	if err != nil {
		return s.fail("ReleasePermit", err)
	}
	if tag.RowsAffected() == 0 {
		return persistence.ErrNotHeld
	}
	return nil
}

// ExtendPermit sets the permit's expiry to ttl from now if l holds it, or
// fails with [persistence.ErrNotHeld].
func (s *Store) ExtendPermit(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("postgres.Store.ExtendPermit", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "ExtendPermit", s.q.permitExtend, l, ttl)
}

// InspectPermits returns how many permits of key are held.
func (s *Store) InspectPermits(ctx context.Context, key string) (persistence.PermitInfo, error) {
	if err := persistence.CheckKey("postgres.Store.InspectPermits", key); err != nil {
		return persistence.PermitInfo{}, err
	}
	var n, left int64
	if err := s.pool.QueryRow(ctx, s.q.permitInspect, s.hash(key)).Scan(&n, &left); err != nil {
		return persistence.PermitInfo{}, s.fail("InspectPermits", err)
	}
	return persistence.PermitInfo{Key: key, Held: int(n), TTL: time.Duration(left) * time.Millisecond}, nil
}

func (s *Store) load(ctx context.Context, op string, h []byte) (record.Versioned, error) {
	var (
		v   record.Versioned
		raw []byte
	)
	err := s.pool.QueryRow(ctx, s.q.breakerLoad, h).Scan(&v.Version, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, nil
	}
	if err != nil {
		return v, s.fail(op, err)
	}
	v.Record, err = record.Decode(raw)
	return v, err
}

// Load returns the breaker record stored under name.
func (s *Store) Load(ctx context.Context, name string) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("postgres.Store.Load", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	v, err := s.load(ctx, "Load", s.hash(name))
	return v.Record, err
}

// Update replaces the record stored under name with fn of it, by
// compare-and-set on the record's version (fn runs again after a
// conflict), and announces the change; an unchanged record is not written.
func (s *Store) Update(ctx context.Context, name string, fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("postgres.Store.Update", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	h := s.hash(name)
	return record.Update(ctx, func() (record.Versioned, error) { return s.load(ctx, "Update", h) },
		func(old record.Versioned, r resource.BreakerRecord) (bool, error) {
			var n int
			var err error
			if old.Version == 0 {
				n, err = s.rows(ctx, s.q.breakerInsert, h, s.k(name), record.Encode(r), s.q.breakerChannel, hexOf(h))
			} else {
				n, err = s.rows(ctx, s.q.breakerUpdate, h, old.Version, record.Encode(r), s.q.breakerChannel, hexOf(h))
			}
			if err != nil {
				return false, s.fail("Update", err)
			}
			return n > 0, nil
		}, fn)
}
