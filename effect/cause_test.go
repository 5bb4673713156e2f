package effect

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

var ctxBG = context.Background()

func TestCauseStructure(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	c := CauseFail(a).Then(CauseDie[error]("d").Both(CauseFail(b))).Then(CauseInterrupt[error](7, nil))
	if !slices.Equal(c.Failures(), []error{a, b}) {
		t.Fatalf("failures: %v", c.Failures())
	}
	if len(c.Defects()) != 1 || c.Defects()[0].Value != "d" {
		t.Fatalf("defects: %v", c.Defects())
	}
	if !slices.Equal(c.Interruptors(), []FiberID{7}) {
		t.Fatalf("interruptors: %v", c.Interruptors())
	}
	if !c.IsFailure() || !c.IsDefect() || !c.IsInterrupted() || c.IsInterruptedOnly() || c.IsEmpty() {
		t.Fatal("predicates")
	}
	if f, ok := c.Failure(); !ok || f != a {
		t.Fatalf("first failure: %v", f)
	}
	if c.Kind() != Then || c.Left().Kind() != Then || c.Right().Kind() != Interrupted {
		t.Fatalf("shape: %v %v %v", c.Kind(), c.Left().Kind(), c.Right().Kind())
	}
	var empty Cause[error]
	if !empty.IsEmpty() || empty.Then(c).Kind() != Then || c.Then(empty) != c || empty.Both(empty).Kind() != Empty {
		t.Fatal("empty is the identity of Then and Both")
	}
	m := MapCause(c, func(e error) string { return e.Error() })
	if !slices.Equal(m.Failures(), []string{"a", "b"}) || len(m.Defects()) != 1 {
		t.Fatalf("MapCause: %v", m)
	}
	errs := c.Unwrap()
	if len(errs) != 4 || !errors.Is(c, a) || !errors.Is(c, b) || !errors.Is(c, context.Canceled) {
		t.Fatalf("unwrap: %v", errs)
	}
	if got := c.Error(); got != "a; then effect: defect: d | b; then effect: interrupted by fiber #7" {
		t.Fatalf("Error: %q", got)
	}
}

func TestCausePrettyPrint(t *testing.T) {
	c := CauseFail[error](errBoom).Then(CauseInterrupt[error](3, nil).Both(CauseFail[error](errors.New("x"))))
	want := "Sequential:\n  Fail: boom\n  Parallel:\n    interrupted by fiber #3\n    Fail: x"
	if got := c.String(); got != want {
		t.Fatalf("String:\n%s\nwant:\n%s", got, want)
	}
	d := CauseDie[error]("bug").String()
	if !strings.HasPrefix(d, "Die: bug\n  │ goroutine") || !strings.Contains(d, "TestCausePrettyPrint") {
		t.Fatalf("defect pretty print:\n%s", d)
	}
}

func TestExitBasics(t *testing.T) {
	s := Succeeded[error](3)
	if v, ok := s.Value(); !ok || v != 3 || !s.IsSuccess() || s.Err() != nil || s.String() != "Success(3)" {
		t.Fatalf("success: %v", s)
	}
	f := FailedWith[error, int](CauseFail(errBoom))
	if f.IsSuccess() || !f.IsFailure() || f.Err() != errBoom || f.String() != "Failure(boom)" {
		t.Fatalf("failure: %v", f)
	}
	e := FailedWith[error, int](Cause[error]{})
	if !e.Cause().IsDefect() {
		t.Fatalf("an empty failure must become a defect: %v", e)
	}
	if v, err := f.Get(); v != 0 || err != errBoom {
		t.Fatal("Get")
	}
	if x := f.Erase(); x.Err() == nil {
		t.Fatal("Erase lost the failure")
	}
}

func TestRefAndDeferred(t *testing.T) {
	r := NewRef(1)
	r.Set(2)
	if r.Swap(3) != 2 || r.Update(func(i int) int { return i * 10 }) != 30 || r.Get() != 30 {
		t.Fatal("Ref")
	}
	if s := r.Modify(func(i int) (string, int) { return "was 30", i + 1 }); s != "was 30" || r.Get() != 31 {
		t.Fatal("Modify")
	}
	d := NewDeferred[error, int]()
	if _, ok := d.Poll(); ok {
		t.Fatal("empty deferred polled as set")
	}
	e := FlatMap(Fork(d.Await[any]()), func(fb *Fiber[error, int]) eff {
		return AndThen(Sync[any, error](func() bool { return d.Succeed(5) }), Join[any](fb))
	})
	if got := mustRun(t, e); got != 5 {
		t.Fatalf("Await: %d", got)
	}
	if d.Fail(errBoom) || d.Succeed(6) {
		t.Fatal("a deferred is set once")
	}
	<-d.Done()
	d2 := NewDeferred[error, int]()
	d2.Fail(errBoom)
	if _, err := run(d2.Await[any]()); err != errBoom {
		t.Fatalf("failed deferred: %v", err)
	}
}
