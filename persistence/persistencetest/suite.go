// Package persistencetest is the conformance suite of package persistence:
// one set of tests that every backend passes, against its real server. A
// backend's test calls [Run] with a [Backend] that makes stores on fresh
// connections; an outside backend can do the same.
//
// The suite uses real time (the servers expire leases on their own clocks),
// with leases of a few hundred milliseconds, and keys of its own (a random
// prefix per run), so it can run on a server that other tests use.
package persistencetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
)

// Store is what the suite needs of a backend.
type Store interface {
	persistence.Locker
	persistence.Semaphore
	persistence.BreakerWatcher
}

// Backend describes a backend to the suite.
type Backend struct {
	// Name names the backend in messages.
	Name string
	// New returns a store on connections of its own, sharing the server
	// (and the key prefix) with every other store New returns; it
	// registers the store's cleanup with t.Cleanup.
	New func(t testing.TB) Store
	// Workers is the number of stores (each with its own connections)
	// that contend in the mutual-exclusion tests; zero means 4.
	Workers int
}

func (b Backend) workers() int {
	if b.Workers > 0 {
		return b.Workers
	}
	return 4
}

// Run runs every test of the suite on b, each as a subtest.
func Run(t *testing.T, b Backend) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"AcquireRelease", testAcquireRelease},
		{"NotReentrant", testNotReentrant},
		{"Expiry", testExpiry},
		{"WrongOwner", testWrongOwner},
		{"Extend", testExtend},
		{"FencingTokens", testFencing},
		{"ForceRelease", testForceRelease},
		{"Inspect", testInspect},
		{"MutualExclusion", func(t *testing.T, b Backend) { testExclusion(t, b, 240) }},
		{"WaitWakesOnRelease", testWaitWakes},
		{"WaitGivesUp", testWaitGivesUp},
		{"InterruptedWaiter", testInterruptedWaiter},
		{"BadInput", testBadInput},
		{"HostileKeys", testHostileKeys},
		{"SemaphoreLimit", testSemaphoreLimit},
		{"SemaphoreNeverOverGranted", testSemaphoreContention},
		{"SemaphoreExpiryAndRelease", testSemaphoreExpiry},
		{"BreakerShared", testBreakerShared},
		{"BreakerCountsEveryFailure", testBreakerCounting},
		{"BreakerWatch", testBreakerWatch},
		{"BreakerHostileNames", testBreakerHostileNames},
		{"LockEffect", testLockEffect},
		{"LockRenewal", testLockRenewal},
		{"LockLostInterruptsHolder", testLockLost},
		{"LockInterruptedWaiter", testLockInterruptedWaiter},
		{"PermitEffect", testPermitEffect},
		{"SharedBreakerEffect", testSharedBreakerEffect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

// key returns a key of its own for one test.
func key(t testing.TB, name string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "pt-" + hex.EncodeToString(b[:]) + "-" + name
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually calls f every 5ms until it reports true or d passes.
func eventually(t testing.TB, d time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ctxWithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, d)
}

type contextT = context.Context

// StressAcquisitions returns the number of acquisitions a backend's
// TestStress makes: $GOGOSCOPE_STRESS if set (docs/persistence.md gives the
// command that makes 100,000 over the five backends), else 200, so that a
// normal run stays fast (the conformance suite's MutualExclusion makes 240
// more).
func StressAcquisitions(t testing.TB) int {
	if v := os.Getenv("GOGOSCOPE_STRESS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("GOGOSCOPE_STRESS=%q: want a positive number", v)
		}
		return n
	}
	return 200
}
