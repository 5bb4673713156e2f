package memory_test

import (
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/persistence/memory"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
)

// BenchmarkLock: acquire+release beside a sync.Mutex, the raw floor of an
// in-process lock.
func BenchmarkLock(b *testing.B) {
	persistencetest.BenchLock(b, memory.New())
	persistencetest.BenchBreaker(b, memory.New())
	b.Run("raw/sync.Mutex", func(b *testing.B) {
		var mu sync.Mutex
		for b.Loop() {
			mu.Lock()
			//lint:ignore SA2001 the empty critical section is what is measured
			mu.Unlock()
		}
	})
}
