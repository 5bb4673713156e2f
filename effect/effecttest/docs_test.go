package effecttest_test

// The examples of docs/testing.md, kept compiling and passing.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/schedule"
)

var errUnavailable = errors.New("unavailable")

func TestDocsRetryWaitsTheBackoff(t *testing.T) {
	calls := 0
	flaky := effect.Suspend(func() effect.Effect[any, error, int] {
		if calls++; calls < 3 {
			return effect.Fail[any, int](errUnavailable)
		}
		return effect.Succeed[any, error](calls)
	})
	x, took := effecttest.RunTimed(t, flaky.Retry(schedule.Exponential(100*time.Millisecond)))
	effecttest.AssertSucceeds(t, x, 3)
	if took != 300*time.Millisecond { // 100ms + 200ms, exactly
		t.Fatalf("took %v", took)
	}
}

func TestDocsTicker(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ticks := effect.NewRef(0)
		tick := effect.Sleep[any, error](time.Second).AndThen(
			effect.Sync[any, error](func() int { return ticks.Update(func(n int) int { return n + 1 }) }))
		fb := rt.Start(context.Background(), effect.Forever(tick), nil)
		effecttest.Advance(2500 * time.Millisecond)
		if got := ticks.Get(); got != 2 {
			t.Fatalf("%d ticks after 2.5s, want 2", got)
		}
		fb.InterruptFromGo()
		<-fb.Done()
	})
}

func TestDocsSweep(t *testing.T) {
	work := effect.Sleep[any, error](time.Second).As(1)
	effecttest.Test(t, func(t *testing.T, _ *effect.Runtime) {
		var free int
		effecttest.SweepInterrupts(t, func() effect.Effect[any, error, int] {
			free = 1 // fresh state for every run
			take := effect.Sync[any, error](func() struct{} { free--; return struct{}{} })
			give := func(struct{}, effect.Exit[error, int]) effect.Effect[any, error, struct{}] {
				return effect.Sync[any, error](func() struct{} { free++; return struct{}{} })
			}
			return effect.AcquireUseRelease(take, func(struct{}) effect.Effect[any, error, int] { return work }, give)
		}, func(t testing.TB, step int, x effect.Exit[error, int]) {
			if free != 1 {
				t.Errorf("step %d: %d permits free, want 1", step, free)
			}
		})
	})
}

func TestDocsWaits(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		waits, remove := effecttest.RecordWaits(rt)
		defer remove()
		fb := rt.Start(context.Background(), effect.Sleep[any, error](time.Second).Named("nap"), nil)
		effecttest.WaitIdle()
		if got := effecttest.DumpText(t, rt); !strings.Contains(got, `fiber #1 "nap" suspended: sleep 1s`) {
			t.Errorf("dump:\n%s", got)
		}
		<-fb.Done()
		if !waits.Has("start nap: sleep", "end nap: sleep after 1s") {
			t.Errorf("waits: %q", waits.Lines())
		}
	})
}
