package postgres_test

import (
	"context"
	"testing"

	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/postgres"
)

// BenchmarkLock: acquire+release (two statements) beside two raw
// single-row UPDATEs on the same pool.
func BenchmarkLock(b *testing.B) {
	s := open(b, postgres.Options{Table: "gogoscope_bench"})
	persistencetest.BenchLock(b, s)
	persistencetest.BenchBreaker(b, s)
	b.Run("raw/2xUPDATE", func(b *testing.B) {
		ctx, p := context.Background(), s.Pool()
		if _, err := p.Exec(ctx, `CREATE TABLE IF NOT EXISTS gogoscope_bench_raw (id int PRIMARY KEY, v bigint NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Exec(ctx, `INSERT INTO gogoscope_bench_raw VALUES (1, 0) ON CONFLICT DO NOTHING`); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			for range 2 {
				if _, err := p.Exec(ctx, `UPDATE gogoscope_bench_raw SET v = v + 1 WHERE id = $1`, 1); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
