package sambermo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/samber/mo"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop/sambermo"
)

func TestResultRoundTrip(t *testing.T) {
	for _, r := range []mo.Result[int]{mo.Ok(4), mo.Err[int](errBoom)} {
		x := effect.RunExit(context.Background(), sambermo.FromResult[any](r), nil)
		back := sambermo.ToResult(x)
		if back.IsOk() != r.IsOk() || back.OrEmpty() != r.OrEmpty() || back.Error() != r.Error() {
			t.Errorf("round trip of %v gave %v", r, back)
		}
	}
	intr := sambermo.ToResult(effect.RunExit(cancelledWith(errReason), effect.Never[any, error, int](), nil))
	if !errors.Is(intr.Error(), context.Canceled) || !errors.Is(intr.Error(), errReason) {
		t.Fatalf("interruption as Result: %v", intr)
	}
}

func TestEitherRoundTrip(t *testing.T) {
	type appErr struct{ code int }
	for _, e := range []mo.Either[appErr, string]{mo.Right[appErr]("ok"), mo.Left[appErr, string](appErr{7})} {
		x := effect.RunExit(context.Background(), sambermo.FromEither[any](e), nil)
		if back := sambermo.ToEither(x); back != e {
			t.Errorf("round trip of %v gave %v", e, back)
		}
	}
	x := effect.RunExit(context.Background(), sambermo.FromEither[any](mo.Left[appErr, string](appErr{7})), nil)
	effecttest.AssertFailsWith(t, x, appErr{7})
	// A defect cannot be an appErr: ToEither panics with it.
	dead := effect.RunExit(context.Background(), effect.Die[any, appErr, string]("bug"), nil)
	if got := recovered(func() { sambermo.ToEither(dead) }); got != "bug" {
		t.Fatalf("defect: got %#v, want a panic with its value", got)
	}
	// With E = error it is a Left.
	deadErr := effect.RunExit(context.Background(), effect.Die[any, error, string]("bug"), nil)
	if l, ok := sambermo.ToEither(deadErr).Left(); !ok || l == nil {
		t.Fatalf("defect with E=error: got no Left")
	}
}

func TestOption(t *testing.T) {
	if o := sambermo.FromOption(mo.Some(3)); !o.OK || o.Value != 3 {
		t.Fatalf("Some: got %v", o)
	}
	if o := sambermo.FromOption(mo.None[int]()); o.OK {
		t.Fatalf("None: got %v", o)
	}
	if o := sambermo.ToOption(effect.Some("x")); o.OrEmpty() != "x" || !o.IsSome() {
		t.Fatalf("Some back: got %v", o)
	}
	if o := sambermo.ToOption(effect.None[string]()); !o.IsNone() {
		t.Fatalf("None back: got %v", o)
	}
	// Round trip through an effect that may end with nothing.
	slow := effect.TimeoutOption(effect.Never[any, error, int](), 0)
	if o := sambermo.ToOption(effecttest.MustSucceed(t, effect.RunExit(context.Background(), slow, nil))); !o.IsNone() {
		t.Fatalf("TimeoutOption: got %v, want None", o)
	}
	errMissing := errors.New("missing")
	effecttest.AssertSucceeds(t, effect.RunExit(context.Background(), sambermo.FromOptionOr[any](mo.Some(1), errMissing), nil), 1)
	effecttest.AssertFailsWith(t, effect.RunExit(context.Background(), sambermo.FromOptionOr[any](mo.None[int](), errMissing), nil), errMissing)
}

func TestFuture(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ok := mo.NewFuture(func(resolve func(int), _ func(error)) { time.Sleep(time.Second); resolve(5) })
		effecttest.AssertSucceeds(t, rt.RunExit(context.Background(), sambermo.FromFuture[any](ok), nil), 5)
		bad := mo.NewFuture(func(_ func(int), reject func(error)) { reject(errBoom) })
		effecttest.AssertFailsWith(t, rt.RunExit(context.Background(), sambermo.FromFuture[any](bad), nil), errBoom)

		// Interrupted wait: the effect ends; the future goes on and settles.
		release := make(chan struct{})
		slow := mo.NewFuture(func(resolve func(int), _ func(error)) { <-release; resolve(1) })
		x := rt.RunExit(context.Background(), effect.Timeout(sambermo.FromFuture[any](slow), time.Second), nil)
		effecttest.AssertFailsWith(t, x, error(effect.ErrTimeout))
		close(release)
		if v, err := slow.Collect(); v != 1 || err != nil {
			t.Fatalf("future after the interrupted wait: %v, %v", v, err)
		}
	})
}

func TestToFutureRoundTrip(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		f := sambermo.ToFuture(context.Background(), effect.Sleep[any, error](time.Second).As("done"), rt)
		if v, err := f.Collect(); v != "done" || err != nil {
			t.Fatalf("got %v, %v", v, err)
		}
		f = sambermo.ToFuture(context.Background(), effect.Fail[any, string](errBoom), rt)
		if _, err := f.Collect(); err != errBoom {
			t.Fatalf("got %v, want boom", err)
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		f = sambermo.ToFuture(ctx, effect.Never[any, error, string](), rt)
		time.AfterFunc(time.Second, func() { cancel(errReason) })
		if _, err := f.Collect(); !errors.Is(err, context.Canceled) || !errors.Is(err, errReason) {
			t.Fatalf("cancelled: got %v, want context.Canceled and the cause", err)
		}
		// Round trip: effect → future → effect.
		back := sambermo.FromFuture[any](sambermo.ToFuture(context.Background(), effect.Succeed[any, error](9), rt))
		effecttest.AssertSucceeds(t, rt.RunExit(context.Background(), back, nil), 9)
	})
}
