package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/sqlite"
)

// BenchmarkLock: acquire+release (two write statements) beside two raw
// single-row UPDATEs on the same database.
func BenchmarkLock(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	persistencetest.BenchLock(b, s)
	persistencetest.BenchBreaker(b, s)
	b.Run("raw/2xUPDATE", func(b *testing.B) {
		db := s.DB()
		if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO bench VALUES (1, 0)`); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			for range 2 {
				if _, err := db.ExecContext(ctx, `UPDATE bench SET v = v + 1 WHERE id = ?`, 1); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
