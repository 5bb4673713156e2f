package effecttest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// The assertions report through t.Errorf and return whether they held, so
// that a test can go on and report more; the Must forms report through
// t.Fatalf and return the value the rest of the test needs. Every report
// shows the exit, with the cause as a tree (defects with their stacks).

// AssertSucceeds reports an error unless x is a success whose value is
// deeply equal ([reflect.DeepEqual]) to want.
func AssertSucceeds[E, A any](t testing.TB, x effect.Exit[E, A], want A) bool {
	t.Helper()
	got, ok := x.Value()
	if !ok {
		t.Errorf("effecttest: want success %v, got failure:\n%s", any(want), x.Cause().String())
		return false
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("effecttest: success value: got %v, want %v", any(got), any(want))
		return false
	}
	return true
}

// MustSucceed returns the value of x, or stops the test (t.Fatalf) if x is a
// failure.
func MustSucceed[E, A any](t testing.TB, x effect.Exit[E, A]) A {
	t.Helper()
	got, ok := x.Value()
	if !ok {
		t.Fatalf("effecttest: want success, got failure:\n%s", x.Cause().String())
	}
	return got
}

// MustFail returns the cause of x, or stops the test (t.Fatalf) if x is a
// success.
func MustFail[E, A any](t testing.TB, x effect.Exit[E, A]) effect.Cause[E] {
	t.Helper()
	if got, ok := x.Value(); ok {
		t.Fatalf("effecttest: want failure, got success %v", any(got))
	}
	return x.Cause()
}

// AssertFailsWith reports an error unless x is a failure whose cause holds
// an expected failure that matches want: with [errors.Is] when both are
// errors, with [reflect.DeepEqual] otherwise. Other leaves beside it (a
// finalizer's defect, say) are allowed.
func AssertFailsWith[E, A any](t testing.TB, x effect.Exit[E, A], want E) bool {
	t.Helper()
	if got, ok := x.Value(); ok {
		t.Errorf("effecttest: want failure %v, got success %v", any(want), any(got))
		return false
	}
	for _, f := range x.Cause().Failures() {
		if failureMatches(f, want) {
			return true
		}
	}
	t.Errorf("effecttest: want failure %v, got:\n%s", any(want), x.Cause().String())
	return false
}

func failureMatches[E any](got, want E) bool {
	if ge, ok := any(got).(error); ok {
		if we, ok := any(want).(error); ok && we != nil {
			return errors.Is(ge, we)
		}
	}
	return reflect.DeepEqual(got, want)
}

// AssertInterrupted reports an error unless x is a failure whose cause holds
// interruptions and nothing else: no expected failure and no defect.
func AssertInterrupted[E, A any](t testing.TB, x effect.Exit[E, A]) bool {
	t.Helper()
	if got, ok := x.Value(); ok {
		t.Errorf("effecttest: want interruption, got success %v", any(got))
		return false
	}
	if !x.Cause().IsInterruptedOnly() {
		t.Errorf("effecttest: want interruption only, got:\n%s", x.Cause().String())
		return false
	}
	return true
}

// AssertInterruptedWith reports an error unless x is interrupted, as
// [AssertInterrupted] checks, and one of its interruptions has a reason that
// matches reason with [errors.Is]: the cause of a cancelled context, a
// [*effect.TimeoutError], [effect.ErrStepHook]...
func AssertInterruptedWith[E, A any](t testing.TB, x effect.Exit[E, A], reason error) bool {
	t.Helper()
	if !AssertInterrupted(t, x) {
		return false
	}
	for _, r := range InterruptReasons(x.Cause()) {
		if errors.Is(r, reason) {
			return true
		}
	}
	t.Errorf("effecttest: want interruption for %v, got:\n%s", reason, x.Cause().String())
	return false
}

// InterruptReasons returns the reasons of the interruptions in c, left to
// right, nil for an interruption without one.
func InterruptReasons[E any](c effect.Cause[E]) []error {
	var out []error
	for _, leaf := range c.Unwrap() {
		var ie *effect.InterruptedError
		if errors.As(leaf, &ie) {
			out = append(out, ie.Reason)
		}
	}
	return out
}

// AssertDefect reports an error unless x is a failure whose cause holds a
// defect; when want is not nil, one of the defects must match it: its value
// deeply equal to want, or, when want is an error, the defect matching want
// with [errors.Is].
func AssertDefect[E, A any](t testing.TB, x effect.Exit[E, A], want any) bool {
	t.Helper()
	if got, ok := x.Value(); ok {
		t.Errorf("effecttest: want defect, got success %v", any(got))
		return false
	}
	ds := x.Cause().Defects()
	if len(ds) == 0 {
		t.Errorf("effecttest: want defect, got:\n%s", x.Cause().String())
		return false
	}
	if want == nil {
		return true
	}
	for _, d := range ds {
		if reflect.DeepEqual(d.Value, want) {
			return true
		}
		if we, ok := want.(error); ok && errors.Is(d, we) {
			return true
		}
	}
	t.Errorf("effecttest: want defect %v, got:\n%s", want, x.Cause().String())
	return false
}

// AssertSameExit reports an error unless got and want end the same way, as
// [SameExit] decides.
func AssertSameExit[E, A any](t testing.TB, got, want effect.Exit[E, A]) bool {
	t.Helper()
	if !SameExit(got, want) {
		t.Errorf("effecttest: exits differ:\n got: %s\nwant: %s", describe(got), describe(want))
		return false
	}
	return true
}

func describe[E, A any](x effect.Exit[E, A]) string {
	if v, ok := x.Value(); ok {
		return fmt.Sprintf("Success(%v)", any(v))
	}
	return "Failure:\n" + x.Cause().String()
}

// SameExit reports whether a and b ended the same way: both successes with
// deeply equal values, or both failures with causes of the same shape
// ([SameCause]). It is the equality the law checks of package gen use.
func SameExit[E, A any](a, b effect.Exit[E, A]) bool {
	av, aok := a.Value()
	bv, bok := b.Value()
	if aok || bok {
		return aok && bok && reflect.DeepEqual(av, bv)
	}
	return SameCause(a.Cause(), b.Cause())
}

// SameCause reports whether a and b have the same shape: the same tree of
// [effect.Then] and [effect.Both] nodes over leaves that match one by one;
// expected failures deeply equal, defects with equal values (their stacks
// are ignored), interruptions with reasons of the same message (which
// fiber interrupted is ignored, since fiber IDs differ from run to run).
func SameCause[E any](a, b effect.Cause[E]) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case effect.Empty:
		return true
	case effect.Then, effect.Both:
		return SameCause(a.Left(), b.Left()) && SameCause(a.Right(), b.Right())
	case effect.Failed:
		af, _ := a.Failure()
		bf, _ := b.Failure()
		return reflect.DeepEqual(af, bf)
	case effect.Died:
		return sameValue(a.Defects()[0].Value, b.Defects()[0].Value)
	case effect.Interrupted:
		ar, br := InterruptReasons(a), InterruptReasons(b)
		return len(ar) == 1 && len(br) == 1 && sameValue(ar[0], br[0])
	}
	return false
}

// sameValue compares defect values and reasons: errors by message (a
// FinalizerError holds a cause whose defects carry stacks), the rest deeply.
func sameValue(a, b any) bool {
	ae, aok := a.(error)
	be, bok := b.(error)
	if aok && bok {
		return ae.Error() == be.Error()
	}
	return reflect.DeepEqual(a, b)
}
