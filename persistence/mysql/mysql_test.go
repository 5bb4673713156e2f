package mysql_test

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/persistence/internal/servertest"
	"github.com/gogoscope/gogoscope/persistence/mysql"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func dsn(t testing.TB) string { return servertest.Env(t, "MYSQL_DSN") }

func open(t testing.TB, opts mysql.Options) *mysql.Store {
	s, err := mysql.Open(context.Background(), dsn(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func backend(t *testing.T) persistencetest.Backend {
	dsn(t)
	return persistencetest.Backend{Name: "mysql", New: func(t testing.TB) persistencetest.Store {
		return open(t, mysql.Options{Table: "gogoscope_test"})
	}}
}

func TestConformance(t *testing.T) { persistencetest.Run(t, backend(t)) }

// TestStress is the mutual-exclusion test at scale: go test -run Stress,
// with GOGOSCOPE_STRESS=N for N acquisitions (200 by default).
func TestStress(t *testing.T) {
	b := backend(t)
	persistencetest.Exclusion(t, b, persistencetest.StressAcquisitions(t))
}
