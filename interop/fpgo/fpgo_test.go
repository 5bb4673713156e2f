package fpgo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/IBM/fp-go/either"
	"github.com/IBM/fp-go/ioeither"
	"github.com/IBM/fp-go/readerioeither"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop/fpgo"
)

func TestIORoundTrip(t *testing.T) {
	io := func() int { return 3 }
	if got := fpgo.ToIO(fpgo.FromIO[any, error](io), nil)(); got != 3 {
		t.Fatalf("got %d, want 3", got)
	}
	boom := fpgo.ToIO(fpgo.FromIO[any, error](func() int { panic("io broke") }), nil)
	if got := recovered(func() { boom() }); got != "io broke" {
		t.Fatalf("panic: got %#v, want the original value", got)
	}
}

func TestIOEitherRoundTrip(t *testing.T) {
	type appErr struct{ code int }
	right := ioeither.Right[appErr](5)
	left := ioeither.Left[int](appErr{404})
	if got := fpgo.ToIOEither(fpgo.FromIOEither[any](right), nil)(); !either.IsRight(got) || either.MonadFold(got, func(appErr) int { return -1 }, func(v int) int { return v }) != 5 {
		t.Fatalf("Right: got %v", got)
	}
	got := fpgo.ToIOEither(fpgo.FromIOEither[any](left), nil)()
	if l, _ := either.Unwrap(got); either.IsRight(got) || l != 0 {
		t.Fatalf("Left: got %v", got)
	}
	if _, e := either.Unwrap(got); e != (appErr{404}) {
		t.Fatalf("Left: got %v, want the typed failure appErr{404}", got)
	}
	// The typed failure is an expected failure of the effect.
	x := effect.RunExit(context.Background(), fpgo.FromIOEither[any](left), nil)
	effecttest.AssertFailsWith(t, x, appErr{404})
}

func TestIOEitherNonFailureCauses(t *testing.T) {
	// With E = error, a defect travels in the Left as the error Run returns.
	dying := effect.Die[any, error, int]("bad state")
	got := fpgo.ToIOEither(dying, nil)()
	_, err := either.Unwrap(got)
	var d *effect.Defect
	if !either.IsLeft(got) || !errors.As(err, &d) || d.Value != "bad state" {
		t.Fatalf("defect with E=error: got %v, want a Left holding the defect", got)
	}
	// Several failures: a Left of the whole cause.
	both := effect.FailCause[any, int](effect.CauseFail(errBoom).Both(effect.CauseFail(errReason)))
	_, err = either.Unwrap(fpgo.ToIOEither(both, nil)())
	if !errors.Is(err, errBoom) || !errors.Is(err, errReason) {
		t.Fatalf("two failures: got %v, want both", err)
	}
	// A failure type that cannot say "defect": the IOEither panics with it.
	typed := effect.Die[any, string, int]("bad state")
	if got := recovered(func() { fpgo.ToIOEither(typed, nil)() }); got != "bad state" {
		t.Fatalf("defect with E=string: got %#v, want a panic with the defect's value", got)
	}
}

type config struct{ base int }

func TestReaderIOEitherRoundTrip(t *testing.T) {
	r := func(c config) ioeither.IOEither[error, int] {
		return func() either.Either[error, int] {
			if c.base < 0 {
				return either.Left[int](errBoom)
			}
			return either.Right[error](c.base * 2)
		}
	}
	e := fpgo.FromReaderIOEither(readerioeither.ReaderIOEither[config, error, int](r))
	effecttest.AssertSucceeds(t, effect.RunExit(context.Background(), e, config{21}), 42)
	effecttest.AssertFailsWith(t, effect.RunExit(context.Background(), e, config{-1}), errBoom)
	back := fpgo.ToReaderIOEither(e, nil)
	if v, err := either.Unwrap(back(config{4})()); err != nil || v != 8 {
		t.Fatalf("back: got %v, %v; want 8", v, err)
	}
	if _, err := either.Unwrap(back(config{-1})()); err != errBoom {
		t.Fatalf("back: got %v, want boom", err)
	}
}

func TestContextReaderIOEitherCancellation(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var inside error
		r := func(ctx context.Context) ioeither.IOEither[error, int] {
			return func() either.Either[error, int] {
				v, err := waitForCancel(&inside)(ctx)
				return either.TryCatchError(v, err)
			}
		}
		back := fpgo.ToContextReaderIOEither(fpgo.FromContextReaderIOEither[any](r), rt)
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { cancel(errReason) })
		_, err := either.Unwrap(back(ctx)())
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errReason) {
			t.Fatalf("Left %v: want context.Canceled and the cause", err)
		}
		if !errors.Is(inside, errReason) {
			t.Fatalf("inside: %v, want the cause", inside)
		}
		ok := func(context.Context) ioeither.IOEither[error, int] { return ioeither.Right[error](1) }
		if v, err := either.Unwrap(fpgo.ToContextReaderIOEither(fpgo.FromContextReaderIOEither[any](ok), rt)(context.Background())()); v != 1 || err != nil {
			t.Fatalf("success: got %v, %v", v, err)
		}
	})
}
