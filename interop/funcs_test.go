package interop_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop"
)

var (
	errBoom   = errors.New("boom")
	errReason = errors.New("client went away")
)

type ctxKey struct{}

// recovered runs fn and returns what it panicked with, or nil.
func recovered(fn func()) (r any) {
	defer func() { r = recover() }()
	fn()
	return nil
}

func TestActionRoundTrip(t *testing.T) {
	var calls atomic.Int32
	back := interop.ToAction(interop.FromAction[any, error](func() { calls.Add(1) }), nil)
	back()
	back()
	if got := calls.Load(); got != 2 {
		t.Fatalf("calls: got %d, want 2 (one per call of the lowered func)", got)
	}
	type panicValue struct{ code int }
	boom := interop.ToAction(interop.FromAction[any, error](func() { panic(panicValue{7}) }), nil)
	if got := recovered(boom); got != (panicValue{7}) {
		t.Fatalf("panic: got %#v, want the original value", got)
	}
	failing := interop.ToAction(effect.Fail[any, struct{}](errBoom), nil)
	if got := recovered(failing); got != errBoom {
		t.Fatalf("failure: got %#v, want a panic with the error", got)
	}
}

func TestErrFuncRoundTrip(t *testing.T) {
	for _, want := range []error{nil, errBoom} {
		back := interop.ToErrFunc(interop.FromErrFunc[any](func() error { return want }), nil)
		if got := back(); got != want {
			t.Errorf("ToErrFunc(FromErrFunc(returns %v)): got %v", want, got)
		}
	}
	back := interop.ToErrFunc(interop.FromErrFunc[any](func() error { panic("kaput") }), nil)
	var d *effect.Defect
	if err := back(); !errors.As(err, &d) || d.Value != "kaput" {
		t.Fatalf("panic: got %v, want a *effect.Defect with the value", err)
	}
}

func TestValueFuncRoundTrip(t *testing.T) {
	back := interop.ToValueFunc(interop.FromValueFunc[any](func() (int, error) { return 42, nil }), nil)
	if v, err := back(); v != 42 || err != nil {
		t.Fatalf("success: got %v, %v; want 42, nil", v, err)
	}
	back = interop.ToValueFunc(interop.FromValueFunc[any](func() (int, error) { return 0, errBoom }), nil)
	if _, err := back(); err != errBoom {
		t.Fatalf("failure: got %v, want boom itself", err)
	}
	// Effect → func → effect keeps the exit.
	e := effect.Fail[any, int](errBoom)
	x := effect.RunExit(context.Background(), interop.FromValueFunc[any](interop.ToValueFunc(e, nil)), nil)
	effecttest.AssertFailsWith(t, x, errBoom)
}

// waitForCancel is a plain Go function that honours its context.
func waitForCancel(seen *error) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		select {
		case <-ctx.Done():
			*seen = context.Cause(ctx)
			return 0, ctx.Err()
		case <-time.After(time.Hour):
			return 1, nil
		}
	}
}

func TestCtxFuncRoundTripCancellation(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var inner error
		back := interop.ToCtxValueFunc(interop.FromCtxValueFunc[any](waitForCancel(&inner)), rt)
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { cancel(errReason) })
		start := time.Now()
		_, err := back(ctx)
		if took := time.Since(start); took != time.Second {
			t.Errorf("returned after %v, want 1s (when ctx was cancelled)", took)
		}
		// The caller sees what a plain Go function would give: Canceled, and the cause.
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errReason) {
			t.Errorf("error %v: want it to match context.Canceled and the cause", err)
		}
		// The lifted code saw an InterruptedError wrapping the cause.
		var ie *effect.InterruptedError
		if !errors.As(inner, &ie) || !errors.Is(inner, errReason) {
			t.Errorf("context.Cause inside: got %v, want an *effect.InterruptedError wrapping the cause", inner)
		}
	})
}

func TestCtxFuncRoundTripDeadline(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var inner error
		back := interop.ToCtxFunc(interop.FromCtxFunc[any](func(ctx context.Context) error {
			_, err := waitForCancel(&inner)(ctx)
			return err
		}), rt)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		err := back(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v: want it to match context.DeadlineExceeded", err)
		}
	})
}

func TestCtxFuncCarriesValuesAndSucceeds(t *testing.T) {
	back := interop.ToCtxFunc(interop.FromCtxFunc[any](func(ctx context.Context) error {
		if ctx.Value(ctxKey{}) != "v" {
			return errors.New("value lost")
		}
		return nil
	}), nil)
	if err := back(context.WithValue(context.Background(), ctxKey{}, "v")); err != nil {
		t.Fatal(err)
	}
}

func TestLoweredFuncsUseTheGivenRuntime(t *testing.T) {
	rt := effect.NewRuntime()
	var started atomic.Int32
	rt.AddHooks(effect.Hooks{FiberStart: func(effect.FiberInfo) { started.Add(1) }})
	e := effect.Succeed[any, error](1)
	interop.ToAction(e, rt)()
	_ = interop.ToErrFunc(e, rt)()
	_, _ = interop.ToValueFunc(e, rt)()
	_ = interop.ToCtxFunc(e, rt)(context.Background())
	_, _ = interop.ToCtxValueFunc(e, rt)(context.Background())
	if got := started.Load(); got != 5 {
		t.Fatalf("fibers started on rt: got %d, want 5", got)
	}
}

func TestNilFuncsPanicAtConstruction(t *testing.T) {
	cases := map[string]func(){
		"FromAction":       func() { interop.FromAction[any, error](nil) },
		"FromErrFunc":      func() { interop.FromErrFunc[any](nil) },
		"FromValueFunc":    func() { interop.FromValueFunc[any, int](nil) },
		"FromCtxFunc":      func() { interop.FromCtxFunc[any](nil) },
		"FromCtxValueFunc": func() { interop.FromCtxValueFunc[any, int](nil) },
	}
	for name, fn := range cases {
		msg, _ := recovered(fn).(string)
		if !strings.HasPrefix(msg, "interop."+name+": fn must not be nil") {
			t.Errorf("%s(nil): panic %q, want one naming the argument", name, msg)
		}
	}
}
