package mysql_test

import (
	"context"
	"testing"

	"github.com/gogoscope/gogoscope/persistence/mysql"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
)

// BenchmarkLock: acquire+release (two statements) beside two raw
// single-row UPDATEs on the same handle.
func BenchmarkLock(b *testing.B) {
	s := open(b, mysql.Options{Table: "gogoscope_bench"})
	persistencetest.BenchLock(b, s)
	persistencetest.BenchBreaker(b, s)
	b.Run("raw/2xUPDATE", func(b *testing.B) {
		ctx, db := context.Background(), s.DB()
		if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS gogoscope_bench_raw (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB`); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT IGNORE INTO gogoscope_bench_raw VALUES (1, 0)`); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			for range 2 {
				if _, err := db.ExecContext(ctx, `UPDATE gogoscope_bench_raw SET v = v + 1 WHERE id = ?`, 1); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
