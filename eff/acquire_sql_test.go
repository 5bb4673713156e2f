package eff_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/gogoscope/gogoscope/eff"
)

// A transaction begun with BeginTx on the ctx of an acquire step commits
// after use: database/sql rolls a transaction back when its ctx is
// cancelled, so this holds only if that ctx lives until the release ran.
func TestTransactionBegunOnTheAcquireContextCommits(t *testing.T) {
	db, err := sql.Open("sqlite", "file:acq?mode=memory&cache=shared")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	begin := func(ctx context.Context) (*sql.Tx, error) { return db.BeginTx(ctx, nil) }
	end := func(ctx context.Context, tx *sql.Tx, err error) error {
		if err != nil {
			return tx.Rollback()
		}
		return tx.Commit()
	}
	insert := func(v int) eff.Effect[struct{}] {
		return eff.AcquireExit(begin, end).FlatMap(func(tx *sql.Tx) eff.Effect[struct{}] {
			return eff.Do(func(ctx context.Context) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (?)`, v)
				return err
			})
		}).Scoped()
	}
	if _, err := eff.Run(context.Background(), insert(1)); err != nil {
		t.Fatalf("insert: %v", err)
	}
	errAbort := errors.New("abort")
	failing := eff.AcquireExit(begin, end).FlatMap(func(tx *sql.Tx) eff.Effect[struct{}] {
		return eff.Do(func(ctx context.Context) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (2)`); err != nil {
				return err
			}
			return errAbort
		})
	}).Scoped()
	if _, err := eff.Run(context.Background(), failing); !errors.Is(err, errAbort) {
		t.Fatalf("failing insert: got %v, want abort", err)
	}
	var n, sum int
	if err := db.QueryRow(`SELECT count(*), coalesce(sum(v), 0) FROM t`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 1 || sum != 1 {
		t.Fatalf("table holds %d rows summing to %d, want the committed row 1 only", n, sum)
	}
}
