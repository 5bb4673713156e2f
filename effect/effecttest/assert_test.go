package effecttest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

var (
	errBoom  = errors.New("boom")
	errOther = errors.New("other")
)

type xi = effect.Exit[error, int]

func run(e effect.Effect[any, error, int]) xi { return effect.RunExit(context.Background(), e, nil) }

func TestAssertionsReportWhenTheyShould(t *testing.T) {
	ok := run(effect.Succeed[any, error](7))
	fail := run(effect.Fail[any, int](errBoom))
	wrapped := run(effect.Fail[any, int](errors.Join(errors.New("ctx"), errBoom)))
	die := run(effect.Sync[any, error](func() int { panic("kaput") }))
	dieErr := run(effect.Die[any, error, int](errBoom))
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errOther)
	intr := effect.RunExit(ctx, effect.Never[any, error, int](), nil)
	// A failure with a finalizer's defect after it.
	failThenDie := run(effect.Ensuring(effect.Fail[any, int](errBoom), effect.Die[any, error, int]("fin")))
	intrThenDie := effect.FailedWith[error, int](effect.CauseInterrupt[error](0, nil).Then(effect.CauseDie[error]("fin")))

	cases := []struct {
		name    string
		reports bool
		fn      func(testing.TB) bool
	}{
		{"succeeds/ok", false, func(tb testing.TB) bool { return AssertSucceeds(tb, ok, 7) }},
		{"succeeds/wrong value", true, func(tb testing.TB) bool { return AssertSucceeds(tb, ok, 8) }},
		{"succeeds/failure", true, func(tb testing.TB) bool { return AssertSucceeds(tb, fail, 7) }},
		{"failsWith/ok", false, func(tb testing.TB) bool { return AssertFailsWith(tb, fail, errBoom) }},
		{"failsWith/wrapped", false, func(tb testing.TB) bool { return AssertFailsWith(tb, wrapped, errBoom) }},
		{"failsWith/beside defect", false, func(tb testing.TB) bool { return AssertFailsWith(tb, failThenDie, errBoom) }},
		{"failsWith/other error", true, func(tb testing.TB) bool { return AssertFailsWith(tb, fail, errOther) }},
		{"failsWith/success", true, func(tb testing.TB) bool { return AssertFailsWith(tb, ok, errBoom) }},
		{"failsWith/defect", true, func(tb testing.TB) bool { return AssertFailsWith(tb, dieErr, errBoom) }},
		{"failsWith/interrupt", true, func(tb testing.TB) bool { return AssertFailsWith(tb, intr, errOther) }},
		{"interrupted/ok", false, func(tb testing.TB) bool { return AssertInterrupted(tb, intr) }},
		{"interrupted/success", true, func(tb testing.TB) bool { return AssertInterrupted(tb, ok) }},
		{"interrupted/failure", true, func(tb testing.TB) bool { return AssertInterrupted(tb, fail) }},
		{"interrupted/with defect", true, func(tb testing.TB) bool { return AssertInterrupted(tb, intrThenDie) }},
		{"interruptedWith/ok", false, func(tb testing.TB) bool { return AssertInterruptedWith(tb, intr, errOther) }},
		{"interruptedWith/other reason", true, func(tb testing.TB) bool { return AssertInterruptedWith(tb, intr, errBoom) }},
		{"interruptedWith/failure", true, func(tb testing.TB) bool { return AssertInterruptedWith(tb, fail, errBoom) }},
		{"defect/any", false, func(tb testing.TB) bool { return AssertDefect(tb, die, nil) }},
		{"defect/value", false, func(tb testing.TB) bool { return AssertDefect(tb, die, "kaput") }},
		{"defect/error", false, func(tb testing.TB) bool { return AssertDefect(tb, dieErr, errBoom) }},
		{"defect/finalizer", false, func(tb testing.TB) bool { return AssertDefect(tb, failThenDie, nil) }},
		{"defect/wrong value", true, func(tb testing.TB) bool { return AssertDefect(tb, die, "other") }},
		{"defect/failure", true, func(tb testing.TB) bool { return AssertDefect(tb, fail, nil) }},
		{"defect/success", true, func(tb testing.TB) bool { return AssertDefect(tb, ok, nil) }},
		{"sameExit/ok", false, func(tb testing.TB) bool {
			return AssertSameExit(tb, die, run(effect.Sync[any, error](func() int { panic("kaput") })))
		}},
		{"sameExit/differ", true, func(tb testing.TB) bool { return AssertSameExit(tb, fail, die) }},
		{"mustSucceed/ok", false, func(tb testing.TB) bool { return MustSucceed(tb, ok) == 7 }},
		{"mustSucceed/failure", true, func(tb testing.TB) bool { MustSucceed(tb, fail); return true }},
		{"mustFail/ok", false, func(tb testing.TB) bool { return MustFail(tb, fail).IsFailure() }},
		{"mustFail/success", true, func(tb testing.TB) bool { MustFail(tb, ok); return true }},
	}
	for _, c := range cases {
		wantReport(t, c.name, c.reports, c.fn)
	}
}

func TestMustStopsTheTest(t *testing.T) {
	f := &fakeTB{}
	reached := false
	if !catchFatal(func() { MustSucceed(f, run(effect.Fail[any, int](errBoom))); reached = true }) || reached {
		t.Fatalf("MustSucceed on a failure: stopped=%v reached=%v, want a stop", !reached, reached)
	}
	if len(f.fatals) != 1 || !strings.Contains(f.fatals[0], "boom") {
		t.Fatalf("MustSucceed report: got %q, want one mentioning the cause", f.fatals)
	}
}

func TestReportShowsTheCauseTree(t *testing.T) {
	f := &fakeTB{}
	AssertSucceeds(f, run(effect.Sync[any, error](func() int { panic("kaput") })), 1)
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "Die: kaput") || !strings.Contains(f.errs[0], "│") {
		t.Fatalf("report: got %q, want the defect with its stack", f.errs)
	}
}

func TestSameCause(t *testing.T) {
	fail := effect.CauseFail(1)
	die := effect.CauseDie[int]("x")
	cases := []struct {
		name string
		a, b effect.Cause[int]
		want bool
	}{
		{"empty", effect.Cause[int]{}, effect.Cause[int]{}, true},
		{"fail equal", fail, effect.CauseFail(1), true},
		{"fail differ", fail, effect.CauseFail(2), false},
		{"die stacks ignored", die, effect.CauseDie[int]("x"), true},
		{"die differ", die, effect.CauseDie[int]("y"), false},
		{"interrupt ids ignored", effect.CauseInterrupt[int](3, nil), effect.CauseInterrupt[int](9, nil), true},
		{"interrupt reasons", effect.CauseInterrupt[int](3, errBoom), effect.CauseInterrupt[int](3, errOther), false},
		{"timeout reasons by message", effect.CauseInterrupt[int](1, &effect.TimeoutError{After: time.Second}),
			effect.CauseInterrupt[int](2, &effect.TimeoutError{After: time.Second}), true},
		{"kinds differ", fail, die, false},
		{"then", fail.Then(die), effect.CauseFail(1).Then(effect.CauseDie[int]("x")), true},
		{"then order", fail.Then(die), die.Then(fail), false},
		{"then vs both", fail.Then(die), fail.Both(die), false},
	}
	for _, c := range cases {
		if got := SameCause(c.a, c.b); got != c.want {
			t.Errorf("%s: SameCause = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestInterruptReasons(t *testing.T) {
	c := effect.CauseInterrupt[error](1, errBoom).Both(effect.CauseFail(errOther)).Then(effect.CauseInterrupt[error](2, nil))
	got := InterruptReasons(c)
	if len(got) != 2 || got[0] != errBoom || got[1] != nil {
		t.Fatalf("InterruptReasons: got %v, want [boom <nil>]", got)
	}
}
