package effect

import (
	"errors"
	"testing"
)

func TestCatchFamily(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		failing := Fail[any, int](errBoom)
		if got := mustRun(t, failing.Catch(func(err error) eff { return succeed(len(err.Error())) })); got != 4 {
			t.Fatalf("Catch: %d", got)
		}
		other := errors.New("other")
		pred := func(err error) bool { return err == errBoom }
		if got := mustRun(t, CatchIf(failing, pred, func(error) eff { return succeed(1) })); got != 1 {
			t.Fatalf("CatchIf matching: %d", got)
		}
		if _, err := run(CatchIf(Fail[any, int](other), pred, func(error) eff { return succeed(1) })); err != other {
			t.Fatalf("CatchIf not matching: %v", err)
		}
		if got := mustRun(t, failing.OrElse(succeed(2))); got != 2 {
			t.Fatalf("OrElse: %d", got)
		}
		mapped := MapError(failing, func(err error) string { return "wrapped: " + err.Error() })
		if ex := RunExit(ctxBG, mapped, nil); ex.Cause().Failures()[0] != "wrapped: boom" {
			t.Fatalf("MapError: %v", ex)
		}
		// Catch does not see defects.
		dying := Die[any, error, int]("bug")
		if ex := runExit(dying.Catch(func(error) eff { return succeed(0) })); !ex.Cause().IsDefect() {
			t.Fatalf("Catch caught a defect: %v", ex)
		}
		// CatchCause sees everything.
		if got := mustRun(t, dying.CatchCause(func(c Cause[error]) eff { return succeed(len(c.Defects())) })); got != 1 {
			t.Fatalf("CatchCause: %d", got)
		}
	})
}

func TestMatchAndExit(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		onF := func(err error) string { return "failed: " + err.Error() }
		onS := func(i int) string { return "ok" }
		if got := mustRun(t, Fail[any, int](errBoom).Match(onF, onS)); got != "failed: boom" {
			t.Fatalf("Match failure: %q", got)
		}
		if got := mustRun(t, succeed(1).Match(onF, onS)); got != "ok" {
			t.Fatalf("Match success: %q", got)
		}
		got := mustRun(t, MatchCause(Die[any, error, int]("x"), func(c Cause[error]) string { return c.Kind().String() }, onS))
		if got != "Die" {
			t.Fatalf("MatchCause: %q", got)
		}
		x := mustRun(t, ToExit(Fail[any, int](errBoom)))
		if x.IsSuccess() || x.Err() != errBoom {
			t.Fatalf("ToExit: %v", x)
		}
		if v := mustRun(t, FromExit[any](x).OrElse(succeed(3))); v != 3 {
			t.Fatalf("FromExit: %d", v)
		}
		v := mustRun(t, MatchEffect(Fail[any, int](errBoom),
			func(error) Effect[any, error, string] { return Succeed[any, error]("recovered") },
			func(int) Effect[any, error, string] { return Succeed[any, error]("ok") }))
		if v != "recovered" {
			t.Fatalf("MatchEffect: %q", v)
		}
	})
}

func TestOrDieTurnsFailuresIntoDefects(t *testing.T) {
	ex := runExit(Fail[any, int](errBoom).OrDie())
	if ex.Cause().IsFailure() || !ex.Cause().IsDefect() || !errors.Is(ex.Err(), errBoom) {
		t.Fatalf("got %v", ex)
	}
	// A failure beside a defect is not caught by Catch; it travels on as a
	// defect, so nothing is lost.
	both := FailCause[any, int](CauseFail[error](errBoom).Then(CauseDie[error]("fin")))
	ex = runExit(both.Catch(func(error) eff { return succeed(0) }))
	if len(ex.Cause().Defects()) != 2 || !errors.Is(ex.Err(), errBoom) {
		t.Fatalf("got %v", ex.Cause())
	}
}
