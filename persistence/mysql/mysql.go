// Package mysql is the MySQL and MariaDB backend of package persistence:
// locks, semaphores and circuit-breaker records in InnoDB tables, through
// github.com/go-sql-driver/mysql.
//
// Use it when the processes that share a lock already share a MySQL or
// MariaDB database. A lock is a row with its owner, fencing token and
// expiry by the server's clock (UTC_TIMESTAMP(6), so that the session
// time zones of the clients do not matter); acquire is one UPDATE … WHERE
// the lock is free or expired (the row lock makes it atomic), which also
// takes the next fencing token with LAST_INSERT_ID(token + 1), so an
// acquire of a key used before costs one round trip. GET_LOCK is not used:
// like PostgreSQL's advisory locks, its holder is a connection (see
// docs/persistence.md).
//
// Keys and names are stored by their SHA-256 (a 32-byte primary key,
// whatever the key's length) beside the key itself; owners are compared as
// bytes. Fencing tokens are counters in rows that are kept after a release,
// so they increase across restarts. A semaphore permit is taken in a READ
// COMMITTED transaction that first locks the semaphore's row (SELECT … FOR
// UPDATE). The server announces nothing: waiters poll (woken at once by
// releases through the same [Store]), and breaker watches reload their
// record every Options.PollInterval.
package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/hub"
	"github.com/gogoscope/gogoscope/persistence/internal/sqlbreaker"
)

// Options configure a [Store]. The zero value is ready to use.
type Options struct {
	// Prefix is put before every key and breaker name: stores with
	// different prefixes share nothing.
	Prefix string
	// Table is the first part of the names of the store's tables:
	// letters, digits and underscores, starting with a letter or an
	// underscore, at most 40 bytes. Default "gogoscope".
	Table string
	// PollInterval is how often a breaker watch reloads its record;
	// default 500ms.
	PollInterval time.Duration
}

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)

// Store keeps locks, permits and breaker records in a MySQL or MariaDB
// database. It implements [persistence.Locker], [persistence.Semaphore],
// [persistence.ReleaseWatcher] and [persistence.BreakerWatcher], and is safe
// for concurrent use.
type Store struct {
	db       *sql.DB
	own      bool
	prefix   string
	poll     time.Duration
	secret   persistence.Secret // the password, kept out of errors and dumps
	q        queries
	released hub.Hub
	changed  hub.Hub
	breakers sqlbreaker.Table
}

// Open returns a store on a new database handle for dsn (go-sql-driver's
// "user:password@tcp(host:port)/db?params"; TLS, authentication and the
// other parameters pass through unchanged, except clientFoundRows, which
// the store sets), after checking that the server answers and creating the
// tables if they do not exist. A malformed dsn fails with an
// [*persistence.InvalidError], an unreachable server with a
// [*persistence.BackendError] within ctx; neither shows the password.
// Close closes the handle.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, &persistence.InvalidError{Op: "mysql.Open", Rule: "malformed MySQL DSN (want user:password@tcp(host:port)/db)"}
	}
	cfg.ClientFoundRows = true
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, persistence.NewBackendError("mysql", "Open", err, cfg.Passwd)
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, persistence.NewBackendError("mysql", "Open", err, cfg.Passwd)
	}
	s, err := newStore(ctx, db, opts, cfg.Passwd)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.own = true
	return s, nil
}

// New returns a store on db, which the caller keeps and closes, after
// creating the tables if they do not exist.
func New(ctx context.Context, db *sql.DB, opts Options) (*Store, error) {
	if db == nil {
		panic("mysql.New: db must not be nil")
	}
	return newStore(ctx, db, opts, "")
}

func newStore(ctx context.Context, db *sql.DB, opts Options, secret string) (*Store, error) {
	if opts.Table == "" {
		opts.Table = "gogoscope"
	}
	if !tableName.MatchString(opts.Table) {
		return nil, &persistence.InvalidError{Op: "mysql.New", Rule: "Table must match " + tableName.String()}
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	s := &Store{db: db, prefix: opts.Prefix, poll: opts.PollInterval, secret: persistence.NewSecret(secret), q: newQueries(opts.Table)}
	// A row is named by the key's hash; the insert stores the key too.
	s.breakers = sqlbreaker.Table{DB: db, Load: s.q.breakerLoad, Insert: s.q.breakerInsert, Update: s.q.breakerUpdate,
		Key:       func(name string) []any { return []any{s.hash(name)} },
		InsertKey: func(name string) []any { return []any{s.hash(name), s.k(name)} },
		Fail:      s.fail, Changed: &s.changed}
	for _, stmt := range s.q.schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, s.fail("New", err)
		}
	}
	return s, nil
}

// Close closes the database handle if [Open] made it; a store made by
// [New] leaves its handle to the caller.
func (s *Store) Close() error {
	if s.own {
		return s.db.Close()
	}
	return nil
}

// DB returns the store's database handle.
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) fail(op string, err error) error {
	return persistence.NewBackendError("mysql", op, err, s.secret.Reveal())
}

func (s *Store) hash(key string) []byte {
	h := sha256.Sum256([]byte(s.prefix + key))
	return h[:]
}

func (s *Store) k(key string) []byte { return []byte(s.prefix + key) }

func us(d time.Duration) int64 { return d.Microseconds() }

type queries struct {
	schema                                                      []string
	acquire, create, lockTTL, release, extend, force, inspect   string
	semCreate, semLock, semSweep, semCount, semToken, semInsert string
	permitRelease, permitExtend, permitInspect                  string
	breakerLoad, breakerInsert, breakerUpdate                   string
}

func newQueries(t string) queries {
	// t matched tableName: it is an identifier, not user text.
	r := strings.NewReplacer("{locks}", "`"+t+"_locks`", "{sems}", "`"+t+"_sems`", "{permits}", "`"+t+"_permits`",
		"{breakers}", "`"+t+"_breakers`", "{now}", "UTC_TIMESTAMP(6)",
		"{left}", "GREATEST(0, TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), expires))")
	q := r.Replace
	const engine = " ENGINE=InnoDB"
	return queries{
		schema: []string{
			q(`CREATE TABLE IF NOT EXISTS {locks} (h BINARY(32) PRIMARY KEY, k LONGBLOB NOT NULL, owner VARBINARY(255) NULL, token BIGINT UNSIGNED NOT NULL, expires DATETIME(6) NULL)` + engine),
			q(`CREATE TABLE IF NOT EXISTS {sems} (h BINARY(32) PRIMARY KEY, k LONGBLOB NOT NULL, token BIGINT UNSIGNED NOT NULL)` + engine),
			q(`CREATE TABLE IF NOT EXISTS {permits} (h BINARY(32) NOT NULL, owner VARBINARY(255) NOT NULL, token BIGINT UNSIGNED NOT NULL, expires DATETIME(6) NOT NULL, PRIMARY KEY (h, owner))` + engine),
			q(`CREATE TABLE IF NOT EXISTS {breakers} (h BINARY(32) PRIMARY KEY, name LONGBLOB NOT NULL, version BIGINT NOT NULL, record BLOB NOT NULL)` + engine),
		},
		acquire: q(`UPDATE {locks} SET owner = ?, token = LAST_INSERT_ID(token + 1), expires = {now} + INTERVAL ? MICROSECOND
			WHERE h = ? AND (owner IS NULL OR expires <= {now})`),
		create:  q(`INSERT IGNORE INTO {locks} (h, k, owner, token, expires) VALUES (?, ?, ?, 1, {now} + INTERVAL ? MICROSECOND)`),
		lockTTL: q(`SELECT COALESCE({left}, 0) FROM {locks} WHERE h = ?`),
		release: q(`UPDATE {locks} SET owner = NULL, expires = NULL
			WHERE h = ? AND owner = ? AND (? = 0 OR token = ?) AND expires > {now}`),
		extend: q(`UPDATE {locks} SET expires = {now} + INTERVAL ? MICROSECOND, token = LAST_INSERT_ID(token)
			WHERE h = ? AND owner = ? AND (? = 0 OR token = ?) AND expires > {now}`),
		force:   q(`UPDATE {locks} SET owner = NULL, expires = NULL WHERE h = ? AND owner IS NOT NULL AND expires > {now}`),
		inspect: q(`SELECT owner IS NOT NULL AND expires > {now}, token, COALESCE({left}, 0) FROM {locks} WHERE h = ?`),

		semCreate: q(`INSERT IGNORE INTO {sems} (h, k, token) VALUES (?, ?, 0)`),
		semLock:   q(`SELECT token FROM {sems} WHERE h = ? FOR UPDATE`),
		semSweep:  q(`DELETE FROM {permits} WHERE h = ? AND expires <= {now}`),
		semCount:  q(`SELECT COUNT(*), COALESCE(SUM(owner = ?), 0), COALESCE(MIN({left}), 0) FROM {permits} WHERE h = ?`),
		semToken:  q(`UPDATE {sems} SET token = token + 1 WHERE h = ?`),
		semInsert: q(`INSERT INTO {permits} (h, owner, token, expires) VALUES (?, ?, ?, {now} + INTERVAL ? MICROSECOND)`),

		permitRelease: q(`DELETE FROM {permits} WHERE h = ? AND owner = ? AND (? = 0 OR token = ?) AND expires > {now}`),
		permitExtend: q(`UPDATE {permits} SET expires = {now} + INTERVAL ? MICROSECOND, token = LAST_INSERT_ID(token)
			WHERE h = ? AND owner = ? AND (? = 0 OR token = ?) AND expires > {now}`),
		permitInspect: q(`SELECT COUNT(*), COALESCE(MIN({left}), 0) FROM {permits} WHERE h = ? AND expires > {now}`),

		breakerLoad:   q(`SELECT version, record FROM {breakers} WHERE h = ?`),
		breakerInsert: q(`INSERT IGNORE INTO {breakers} (h, name, version, record) VALUES (?, ?, 1, ?)`),
		breakerUpdate: q(`UPDATE {breakers} SET version = version + 1, record = ? WHERE version = ? AND h = ?`),
	}
}

// affected runs a statement and returns its result's rows affected and
// last insert id.
func (s *Store) affected(ctx context.Context, query string, args ...any) (n, id int64, err error) {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, 0, err
	}
	n, _ = res.RowsAffected()
	id, _ = res.LastInsertId()
	return n, id, nil
}

// TryAcquire takes the lock of key for owner for ttl, or fails with a
// [*persistence.LockedError] if a live lease holds it. One UPDATE when the
// key was used before; the first acquire of a key also INSERTs its row.
func (s *Store) TryAcquire(ctx context.Context, key, owner string, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("mysql.Store.TryAcquire", key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	h := s.hash(key)
	n, token, err := s.affected(ctx, s.q.acquire, owner, us(ttl), h)
	if err == nil && n == 0 {
		// The key's row is held, or does not exist yet.
		if n, err = s.createLock(ctx, h, key, owner, ttl); n == 1 {
			token = 1
		}
	}
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquire", err)
	}
	if n == 0 {
		var left int64
		if err := s.db.QueryRowContext(ctx, s.q.lockTTL, h).Scan(&left); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return persistence.Lease{}, s.fail("TryAcquire", err)
		}
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: time.Duration(left) * time.Microsecond}
	}
	return persistence.Lease{Key: key, Owner: owner, Token: uint64(token), TTL: ttl, Sent: sent}, nil
}

func (s *Store) createLock(ctx context.Context, h []byte, key, owner string, ttl time.Duration) (int64, error) {
	n, _, err := s.affected(ctx, s.q.create, h, s.k(key), owner, us(ttl))
	return n, err
}

// Release frees the lock if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) Release(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("mysql.Store.Release", l.Key, l.Owner); err != nil {
		return err
	}
	n, _, err := s.affected(ctx, s.q.release, s.hash(l.Key), l.Owner, l.Token, l.Token)
	if err != nil {
		return s.fail("Release", err)
	}
	if n == 0 {
		return persistence.ErrNotHeld
	}
	s.released.Notify(l.Key)
	return nil
}

// Extend sets the lock's expiry to ttl from now if l holds it, or fails
// with [persistence.ErrNotHeld].
func (s *Store) Extend(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if err := persistence.CheckLease("mysql.Store.Extend", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "Extend", s.q.extend, l, ttl)
}

func (s *Store) extend(ctx context.Context, op, query string, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	ttl = ttl.Truncate(time.Millisecond)
	sent := time.Now()
	n, token, err := s.affected(ctx, query, us(ttl), s.hash(l.Key), l.Owner, l.Token, l.Token)
	if err != nil {
		return persistence.Lease{}, s.fail(op, err)
	}
	if n == 0 {
		return persistence.Lease{}, persistence.ErrNotHeld
	}
	l.Token, l.TTL, l.Sent = uint64(token), ttl, sent
	return l, nil
}

// ForceRelease frees the lock of key whoever holds it.
func (s *Store) ForceRelease(ctx context.Context, key string) (bool, error) {
	if err := persistence.CheckKey("mysql.Store.ForceRelease", key); err != nil {
		return false, err
	}
	n, _, err := s.affected(ctx, s.q.force, s.hash(key))
	if err != nil {
		return false, s.fail("ForceRelease", err)
	}
	if n > 0 {
		s.released.Notify(key)
	}
	return n > 0, nil
}

// Inspect returns who holds the lock of key, by token, and for how long.
func (s *Store) Inspect(ctx context.Context, key string) (persistence.LockInfo, error) {
	if err := persistence.CheckKey("mysql.Store.Inspect", key); err != nil {
		return persistence.LockInfo{}, err
	}
	info := persistence.LockInfo{Key: key}
	var (
		held        sql.NullBool
		token, left int64
	)
	err := s.db.QueryRowContext(ctx, s.q.inspect, s.hash(key)).Scan(&held, &token, &left)
	if errors.Is(err, sql.ErrNoRows) {
		return info, nil
	}
	if err != nil {
		return info, s.fail("Inspect", err)
	}
	info.Token = uint64(token)
	if held.Bool {
		info.Held, info.TTL = true, time.Duration(left)*time.Microsecond
	}
	return info, nil
}

// WatchReleases announces the releases of key made through this Store;
// releases by other processes are found by the waiter's polls.
func (s *Store) WatchReleases(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	ch, stop := s.released.Watch(key)
	return ch, stop, nil
}
