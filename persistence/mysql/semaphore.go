package mysql

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

// TryAcquirePermit takes one of limit permits of key for owner for ttl, or
// fails with a [*persistence.LockedError]. One READ COMMITTED transaction:
// lock the semaphore's row, drop the expired permits, count, take the next
// token, insert.
func (s *Store) TryAcquirePermit(ctx context.Context, key, owner string, limit int, ttl time.Duration) (persistence.Lease, error) {
	const op = "mysql.Store.TryAcquirePermit"
	if err := persistence.CheckLease(op, key, owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	if err := persistence.CheckLimit(op, limit); err != nil {
		return persistence.Lease{}, err
	}
	ttl = ttl.Truncate(time.Millisecond)
	h := s.hash(key)
	for attempt := 0; ; attempt++ {
		l, err := s.tryPermit(ctx, h, key, owner, limit, ttl)
		var me *mysql.MySQLError
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// The semaphore's row does not exist yet: make it outside
			// the transaction (two transactions that both find it
			// missing and insert it would deadlock on the gap), then
			// try again.
			_, err = s.db.ExecContext(ctx, s.q.semCreate, h, s.k(key))
		case errors.As(err, &me) && me.Number == 1213 && attempt < 5:
			// A deadlock with a release or a sweep: InnoDB rolled this
			// transaction back; try again.
			err = nil
		case errors.As(err, &me) && me.Number == 1213:
			return persistence.Lease{}, s.fail("TryAcquirePermit", err)
		default:
			return l, err
		}
		if err != nil {
			return persistence.Lease{}, s.fail("TryAcquirePermit", err)
		}
	}
}

func (s *Store) tryPermit(ctx context.Context, h []byte, key, owner string, limit int, ttl time.Duration) (persistence.Lease, error) {
	sent := time.Now()
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return persistence.Lease{}, s.fail("TryAcquirePermit", err)
	}
	defer tx.Rollback()
	var count, mine, left, token int64
	if err = tx.QueryRowContext(ctx, s.q.semLock, h).Scan(&token); errors.Is(err, sql.ErrNoRows) {
		return persistence.Lease{}, err
	}
	if err == nil {
		if _, err = tx.ExecContext(ctx, s.q.semSweep, h); err == nil {
			err = tx.QueryRowContext(ctx, s.q.semCount, owner, h).Scan(&count, &mine, &left)
		}
	}
	if err != nil {
		return persistence.Lease{}, s.failTx(err)
	}
	if count >= int64(limit) || mine > 0 {
		return persistence.Lease{}, &persistence.LockedError{Key: key, TTL: time.Duration(left) * time.Microsecond, Semaphore: true}
	}
	token++
	if _, err = tx.ExecContext(ctx, s.q.semToken, h); err == nil {
		if _, err = tx.ExecContext(ctx, s.q.semInsert, h, owner, token, us(ttl)); err == nil {
			err = tx.Commit()
		}
	}
	if err != nil {
		return persistence.Lease{}, s.failTx(err)
	}
	return persistence.Lease{Key: key, Owner: owner, Token: uint64(token), TTL: ttl, Sent: sent}, nil
}

// failTx wraps a transaction's error, but leaves a deadlock as it is, for
// the caller to retry.
func (s *Store) failTx(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1213 {
		return err
	}
	return s.fail("TryAcquirePermit", err)
}

// ReleasePermit gives the permit back if l holds it, or fails with
// [persistence.ErrNotHeld].
func (s *Store) ReleasePermit(ctx context.Context, l persistence.Lease) error {
	if err := persistence.CheckHolder("mysql.Store.ReleasePermit", l.Key, l.Owner); err != nil {
		return err
	}
	n, _, err := s.affected(ctx, s.q.permitRelease, s.hash(l.Key), l.Owner, l.Token, l.Token)
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
	if err := persistence.CheckLease("mysql.Store.ExtendPermit", l.Key, l.Owner, ttl); err != nil {
		return persistence.Lease{}, err
	}
	return s.extend(ctx, "ExtendPermit", s.q.permitExtend, l, ttl)
}

// InspectPermits returns how many permits of key are held.
func (s *Store) InspectPermits(ctx context.Context, key string) (persistence.PermitInfo, error) {
	if err := persistence.CheckKey("mysql.Store.InspectPermits", key); err != nil {
		return persistence.PermitInfo{}, err
	}
	var n, left int64
	if err := s.db.QueryRowContext(ctx, s.q.permitInspect, s.hash(key)).Scan(&n, &left); err != nil {
		return persistence.PermitInfo{}, s.fail("InspectPermits", err)
	}
	return persistence.PermitInfo{Key: key, Held: int(n), TTL: time.Duration(left) * time.Microsecond}, nil
}

// Load returns the breaker record stored under name.
func (s *Store) Load(ctx context.Context, name string) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("mysql.Store.Load", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	return s.breakers.Get(ctx, name)
}

// Update replaces the record stored under name with fn of it, by
// compare-and-set on the record's version (fn runs again after a
// conflict); an unchanged record is not written.
func (s *Store) Update(ctx context.Context, name string, fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	if err := persistence.CheckKey("mysql.Store.Update", name); err != nil {
		return resource.BreakerRecord{}, err
	}
	return s.breakers.Set(ctx, name, fn)
}

// WatchBreaker calls fn with name's record, then after each change of it,
// until ctx ends: at once for changes made through this Store, at the next
// poll (Options.PollInterval) for the others.
func (s *Store) WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error {
	if err := persistence.CheckKey("mysql.Store.WatchBreaker", name); err != nil {
		return err
	}
	ch, stop := s.changed.Watch(name)
	defer stop()
	return persistence.PollBreaker(ctx, s, name, s.poll, ch, fn)
}
