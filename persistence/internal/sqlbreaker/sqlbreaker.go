// Package sqlbreaker keeps circuit-breaker records in a table of a
// database/sql database (SQLite, MySQL): load, compare-and-set on a version
// column, and in-process announcements of the changes made through it.
package sqlbreaker

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gogoscope/gogoscope/persistence/internal/hub"
	"github.com/gogoscope/gogoscope/persistence/internal/record"
	"github.com/gogoscope/gogoscope/resource"
)

// Table is a breaker table. Its queries take the row's key as made by Key:
// Load (key...) returns version and record; Insert (insert key..., record)
// inserts version 1 unless the row exists; Update (record, version,
// key...) sets version+1 where the version matches.
type Table struct {
	DB                   *sql.DB
	Load, Insert, Update string
	// Key returns the arguments that name a record's row.
	Key func(name string) []any
	// InsertKey returns the key arguments of Insert; nil means Key.
	InsertKey func(name string) []any
	// Fail wraps a driver error of op.
	Fail func(op string, err error) error
	// Changed is notified with the name of each record changed.
	Changed *hub.Hub
}

func (t *Table) load(ctx context.Context, op, name string) (record.Versioned, error) {
	var (
		v   record.Versioned
		raw []byte
	)
	err := t.DB.QueryRowContext(ctx, t.Load, t.Key(name)...).Scan(&v.Version, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return v, nil
	}
	if err != nil {
		return v, t.Fail(op, err)
	}
	v.Record, err = record.Decode(raw)
	return v, err
}

// Get returns the record of name.
func (t *Table) Get(ctx context.Context, name string) (resource.BreakerRecord, error) {
	v, err := t.load(ctx, "Load", name)
	return v.Record, err
}

// Set replaces the record of name with fn of it, by compare-and-set on its
// version, and announces the change.
func (t *Table) Set(ctx context.Context, name string, fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	key := t.Key(name)
	changed := false
	r, err := record.Update(ctx, func() (record.Versioned, error) { return t.load(ctx, "Update", name) },
		func(old record.Versioned, r resource.BreakerRecord) (bool, error) {
			var (
				res sql.Result
				err error
			)
			if old.Version == 0 {
				ins := t.Key
				if t.InsertKey != nil {
					ins = t.InsertKey
				}
				res, err = t.DB.ExecContext(ctx, t.Insert, append(ins(name), record.Encode(r))...)
			} else {
				res, err = t.DB.ExecContext(ctx, t.Update, append([]any{record.Encode(r), old.Version}, key...)...)
			}
			if err != nil {
				return false, t.Fail("Update", err)
			}
			n, _ := res.RowsAffected()
			changed = n > 0
			return changed, nil
		}, fn)
	if changed {
		t.Changed.Notify(name)
	}
	return r, err
}
