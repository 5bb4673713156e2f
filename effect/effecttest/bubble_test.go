package effecttest

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

func TestRunTimedMeasuresVirtualTime(t *testing.T) {
	e := effect.Sleep[any, error](3 * time.Second).AndThen(effect.Sleep[any, error](2 * time.Second)).As(5)
	start := time.Now()
	x, took := RunTimed(t, e)
	AssertSucceeds(t, x, 5)
	if took != 5*time.Second {
		t.Errorf("virtual time: got %v, want 5s", took)
	}
	if real := time.Since(start); real > time.Second {
		t.Errorf("real time: got %v, want far less than the 5s slept", real)
	}
}

func TestRunTimeout(t *testing.T) {
	x, took := RunTimed(t, effect.Timeout(effect.Sleep[any, error](time.Hour).As(1), time.Minute))
	AssertFailsWith(t, x, error(effect.ErrTimeout))
	if took != time.Minute {
		t.Errorf("timeout took %v, want 1m", took)
	}
}

func TestAdvanceStepsFibers(t *testing.T) {
	Test(t, func(t *testing.T, rt *effect.Runtime) {
		ticks := effect.NewRef(0)
		tick := effect.Sleep[any, error](time.Second).AndThen(effect.Sync[any, error](func() int { return ticks.Update(func(n int) int { return n + 1 }) }))
		fb := rt.Start(context.Background(), effect.Forever(tick), nil)
		WaitIdle()
		if got := ticks.Get(); got != 0 {
			t.Fatalf("before advancing: %d ticks, want 0", got)
		}
		Advance(2500 * time.Millisecond)
		if got := ticks.Get(); got != 2 {
			t.Fatalf("after 2.5s: %d ticks, want 2", got)
		}
		fb.InterruptFromGo()
		<-fb.Done()
		x, _ := fb.Poll()
		AssertInterrupted(t, x)
	})
}

func TestNewRuntimeReportsLeftoverFibersAndScopes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeTB{}
		rt := NewRuntime(f)
		fb := rt.Start(context.Background(), effect.Never[any, error, int](), nil)
		s := rt.NewScope()
		WaitIdle()
		f.runCleanups()
		if len(f.errs) != 2 {
			t.Fatalf("reports: got %d %q, want 2 (a fiber, a scope)", len(f.errs), f.errs)
		}
		if !strings.Contains(f.errs[0], "fiber #1 suspended: never") {
			t.Errorf("fiber report: got %q, want the dump of fiber #1", f.errs[0])
		}
		if !strings.Contains(f.errs[1], "never closed: ["+s.ID().String()+"]") {
			t.Errorf("scope report: got %q, want scope #%v", f.errs[1], s.ID())
		}
		// The cleanup shut the runtime down: the fiber has ended.
		select {
		case <-fb.Done():
		default:
			t.Fatalf("fiber still running after the cleanup")
		}
	})
}

func TestNewRuntimeQuietWhenClean(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeTB{}
		rt := NewRuntime(f)
		_, err := rt.Run(context.Background(), effect.Scoped(effect.Fork(effect.Never[any, error, int]()).As(1)), nil)
		if err != nil {
			t.Fatal(err)
		}
		s := rt.NewScope()
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.runCleanups()
		if f.reported() != 0 {
			t.Fatalf("reports: got %q, want none", f.errs)
		}
	})
}

func TestNewRuntimeOutsideABubble(t *testing.T) {
	f := &fakeTB{}
	rt := NewRuntime(f)
	fb := rt.Start(context.Background(), effect.Sleep[any, error](time.Millisecond), nil)
	<-fb.Done()
	f.runCleanups()
	if f.reported() != 0 {
		t.Fatalf("reports: got %q, want none", f.errs)
	}
	f = &fakeTB{}
	rt = NewRuntime(f)
	rt.Start(context.Background(), effect.Never[any, error, int](), nil)
	f.runCleanups() // waits its grace of a second, then reports and shuts down
	if len(f.errs) != 1 {
		t.Fatalf("reports: got %q, want the leftover fiber", f.errs)
	}
}

func TestNewRuntimeSkipsChecksAfterAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeTB{}
		rt := NewRuntime(f)
		fb := rt.Start(context.Background(), effect.Never[any, error, int](), nil)
		f.Errorf("the test failed already")
		f.runCleanups()
		if len(f.errs) != 1 {
			t.Fatalf("reports: got %q, want only the test's own", f.errs)
		}
		<-fb.Done()
	})
}
