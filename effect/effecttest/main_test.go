package effecttest

import (
	"fmt"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeTB records what an assertion reports. Fatalf records and then stops
// the caller with a panic that [catchFatal] recovers.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	fatals   []string
	logs     []string
	cleanups []func()
}

type fatalStop struct{}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	panic(fatalStop{})
}

func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errs)+len(f.fatals) > 0
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// runCleanups runs the registered cleanups, last first, as testing does.
func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	f.cleanups = nil
}

func (f *fakeTB) reported() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errs) + len(f.fatals)
}

// catchFatal runs fn and reports whether it stopped through Fatalf.
func catchFatal(fn func()) (stopped bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fatalStop); !ok {
				panic(r)
			}
			stopped = true
		}
	}()
	fn()
	return false
}

// wantReport fails t unless fn, run against a fresh fakeTB, made it report
// (reports = true) or kept it quiet (reports = false).
func wantReport(t *testing.T, name string, reports bool, fn func(tb testing.TB) bool) {
	t.Helper()
	f := &fakeTB{}
	var ok bool
	stopped := catchFatal(func() { ok = fn(f) })
	switch {
	case reports && f.reported() == 0:
		t.Errorf("%s: want a report, got none", name)
	case !reports && f.reported() != 0:
		t.Errorf("%s: want no report, got %v %v", name, f.errs, f.fatals)
	case !stopped && ok == reports:
		t.Errorf("%s: returned %v, want %v", name, ok, !reports)
	}
}
