package effecttest

import (
	"context"
	"slices"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

func TestResourcesReleasedInReverse(t *testing.T) {
	var res Resources
	prog := effect.Scoped(effect.AndThen(res.Acquire[any, error]("db"),
		effect.AndThen(res.Acquire[any, error]("cache"), effect.Fail[any, int](errBoom))))
	x := run(prog)
	AssertFailsWith(t, x, errBoom)
	want := []string{"acquire db", "acquire cache", "release cache", "release db"}
	if got := res.Events(); !slices.Equal(got, want) {
		t.Fatalf("events: got %v, want %v", got, want)
	}
	wantReport(t, "released", false, res.AssertReleased)
}

func TestResourcesReportsWhatIsHeld(t *testing.T) {
	var res Resources
	rt := effect.NewRuntime()
	s := rt.NewScope()
	track := Track(&res, "conn", effect.Succeed[any, error](42), func(int) effect.Effect[any, error, struct{}] { return effect.Unit[any, error]() })
	if v, err := rt.Run(context.Background(), effect.Extend(s, track), nil); err != nil || v != 42 {
		t.Fatalf("track: got %v, %v; want 42", v, err)
	}
	if got := res.Held(); !slices.Equal(got, []string{"conn"}) {
		t.Fatalf("held: got %v, want [conn]", got)
	}
	wantReport(t, "held", true, res.AssertReleased)
	wantReport(t, "scope open", true, func(tb testing.TB) bool { return AssertScopeClosed(tb, s) })
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantReport(t, "scope closed", false, func(tb testing.TB) bool { return AssertScopeClosed(tb, s) })
	wantReport(t, "released", false, res.AssertReleased)
}

func TestResourcesReportsDoubleRelease(t *testing.T) {
	var res Resources
	res.record("a", true)
	res.record("a", false)
	res.record("a", false)
	wantReport(t, "double release", true, res.AssertReleased)
}

func TestAssertNoFibers(t *testing.T) {
	rt := effect.NewRuntime()
	wantReport(t, "empty", false, func(tb testing.TB) bool { return AssertNoFibers(tb, rt) })
	fb := rt.Start(context.Background(), effect.Never[any, error, int](), nil)
	wantReport(t, "alive", true, func(tb testing.TB) bool { return AssertNoFibers(tb, rt) })
	fb.InterruptFromGo()
	<-fb.Done()
	wantReport(t, "ended", false, func(tb testing.TB) bool { return AssertNoFibers(tb, rt) })
}
