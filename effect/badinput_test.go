package effect

import (
	"context"
	"strings"
	"testing"
)

// mustPanic runs f and checks that it panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one with %q", want)
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

func TestNilFunctionsPanicAtConstruction(t *testing.T) {
	e := succeed(1)
	cases := []struct {
		want string
		f    func()
	}{
		{"effect.Map: f must not be nil", func() { Map[any, error, int, int](e, nil) }},
		{"effect.Await: fb must not be nil", func() { Await[any, error, int](nil) }},
		{"effect.Join: fb must not be nil", func() { Join[any, error, int](nil) }},
		{"effect.Interrupt: fb must not be nil", func() { Interrupt[any, error, int](nil) }},
		{"effect.Map: f must not be nil", func() { e.Map[int](nil) }},
		{"effect.FlatMap: k must not be nil", func() { FlatMap[any, error, int, int](e, nil) }},
		{"effect.Sync: fn must not be nil", func() { Sync[any, error, int](nil) }},
		{"effect.Suspend: fn must not be nil", func() { Suspend[any, error, int](nil) }},
		{"effect.Try: fn must not be nil", func() { Try[any, int](nil) }},
		{"effect.Tap: f must not be nil", func() { Tap[any, error, int, int](e, nil) }},
		{"effect.Async: register must not be nil", func() { Async[any, error, int](nil) }},
		{"effect.Catch: handler must not be nil", func() { Catch[any, error, error, int](e, nil) }},
		{"effect.OnExit: fin must not be nil", func() { OnExit[any, error, int, int](e, nil) }},
		{"effect.OnInterrupt: fin must not be nil", func() { OnInterrupt[any, error, int, int](e, nil) }},
		{"effect.AddFinalizer: fin must not be nil", func() { AddFinalizer[any, error, int](nil) }},
		{"effect.AcquireRelease: release must not be nil", func() { AcquireRelease[any, error, int, int](e, nil) }},
		{"effect.ForEach: f must not be nil", func() { ForEach[any, error, int, int]([]int{1}, nil) }},
		{"effect.ForEachPar: f must not be nil", func() { ForEachPar[any, error, int, int]([]int{1}, nil, Par{}) }},
		{"effect.Access: f must not be nil", func() { Access[any, error, int](nil) }},
		{"effect.Run: ctx must not be nil", func() { _, _ = Run(nilCtx, e, nil) }},
		{"effect.RunExit: ctx must not be nil", func() { RunExit(nilCtx, e, nil) }},
		{"effect.Scope.Close: ctx must not be nil", func() { _ = NewRuntime().NewScope().Close(nilCtx) }},
		{"effect.Timeout: the failure type E (int) cannot hold *effect.TimeoutError", func() { Timeout(Succeed[any, int](1), 1) }},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}

// nilCtx is a nil context, the bad input the Run checks are about.
var nilCtx context.Context
