package memory_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/persistence/memory"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// backend makes stores that share one memory store: the memory backend's
// unit of sharing.
func backend(*testing.T) persistencetest.Backend {
	shared := memory.New()
	return persistencetest.Backend{Name: "memory", New: func(testing.TB) persistencetest.Store { return shared }}
}

func TestConformance(t *testing.T) { persistencetest.Run(t, backend(t)) }

// TestStress is the mutual-exclusion test at scale: go test -run Stress,
// with GOGOSCOPE_STRESS=N for N acquisitions (200 by default).
func TestStress(t *testing.T) {
	b := backend(t)
	persistencetest.Exclusion(t, b, persistencetest.StressAcquisitions(t))
}
