package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// backend makes stores that open one database file, each with its own
// connections, as separate processes would.
func backend(t *testing.T) persistencetest.Backend {
	path := filepath.Join(t.TempDir(), "locks.db")
	return persistencetest.Backend{Name: "sqlite", New: func(t testing.TB) persistencetest.Store {
		s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}
}

func TestConformance(t *testing.T) { persistencetest.Run(t, backend(t)) }

// TestStress is the mutual-exclusion test at scale: go test -run Stress,
// with GOGOSCOPE_STRESS=N for N acquisitions (200 by default).
func TestStress(t *testing.T) {
	b := backend(t)
	persistencetest.Exclusion(t, b, persistencetest.StressAcquisitions(t))
}
