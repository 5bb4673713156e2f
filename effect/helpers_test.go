package effect

import (
	"context"
	"strconv"
	"sync"
	"testing"
)

// Helpers shared by the tests of package effect.

type eff = Effect[any, error, int]
type unit = Effect[any, error, struct{}]

func succeed(i int) eff { return Succeed[any, error](i) }

func run[A any](e Effect[any, error, A]) (A, error) { return Run(context.Background(), e, nil) }

func runExit[A any](e Effect[any, error, A]) Exit[error, A] {
	return RunExit(context.Background(), e, nil)
}

func mustRun[A any](t testing.TB, e Effect[any, error, A]) A {
	t.Helper()
	v, err := run(e)
	if err != nil {
		t.Fatalf("Run: unexpected error %v", err)
	}
	return v
}

// events is a concurrency-safe log of what happened, in order.
type events struct {
	mu  sync.Mutex
	log []string
}

func (ev *events) add(s string) {
	ev.mu.Lock()
	ev.log = append(ev.log, s)
	ev.mu.Unlock()
}

func (ev *events) get() []string {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return append([]string(nil), ev.log...)
}

// note returns an effect that records s when run.
func (ev *events) note(s string) unit {
	return Sync[any, error](func() struct{} { ev.add(s); return struct{}{} })
}

// count returns how many times s was recorded.
func (ev *events) count(s string) int {
	n := 0
	for _, x := range ev.get() {
		if x == s {
			n++
		}
	}
	return n
}

// withBudget runs f once with the default depth budget and once with the
// heap path forced everywhere (budget 0) and once with a tiny budget, so
// that every test through it checks both execution paths.
func withBudget(t *testing.T, f func(t *testing.T)) {
	for _, b := range []int32{depthBudget, 0, 2} {
		t.Run("budget="+strconv.Itoa(int(b)), func(t *testing.T) {
			old := depthBudget
			depthBudget = b
			defer func() { depthBudget = old }()
			f(t)
		})
	}
}
