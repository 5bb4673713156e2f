package redis_test

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/persistence/internal/servertest"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/redis"
)

// quiet drops go-redis's own log lines (every failed dial of the fault
// tests would print one).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	goredis.SetLogger(quiet{})
	goleak.VerifyTestMain(m)
}

func url(t testing.TB) string { return servertest.Env(t, "REDIS_URL") }

func open(t testing.TB, opts redis.Options) *redis.Store {
	s, err := redis.Open(context.Background(), url(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func backend(t *testing.T) persistencetest.Backend {
	url(t)
	return persistencetest.Backend{Name: "redis", New: func(t testing.TB) persistencetest.Store {
		return open(t, redis.Options{Prefix: "gogoscope-test:"})
	}}
}

func TestConformance(t *testing.T) { persistencetest.Run(t, backend(t)) }

// TestStress is the mutual-exclusion test at scale: go test -run Stress,
// with GOGOSCOPE_STRESS=N for N acquisitions (200 by default).
func TestStress(t *testing.T) {
	b := backend(t)
	persistencetest.Exclusion(t, b, persistencetest.StressAcquisitions(t))
}
