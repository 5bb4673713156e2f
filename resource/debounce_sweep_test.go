package resource_test

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// sweepCoalesced sweeps every interruption point of a program that makes a
// wrapped function in a scope of its own and calls it twice, from a forked
// fiber and from its own: whatever the point, the program ends (no caller
// is left waiting for a run that never comes), leaves no fiber behind, and
// either succeeds with want or is interrupted.
func sweepCoalesced(t *testing.T, wrap wrapper, want []string) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		mk := func() limEff[[]string] {
			log := newRunLog()
			return effect.Scoped(effect.FlatMap(wrap(log.fn(10*time.Millisecond)), func(call func(int) limEff[string]) limEff[[]string] {
				return effect.FlatMap(effect.Fork(call(1)), func(fb *effect.Fiber[error, string]) limEff[[]string] {
					second := effect.AndThen(effect.Sleep[any, error](time.Millisecond), call(2))
					return effect.ZipWith(second, fb.Join[any](), func(b, a string) []string { return []string{a, b} })
				})
			}))
		}
		steps := effecttest.SweepInterrupts(t, mk, func(t testing.TB, step int, x effect.Exit[error, []string]) {
			if got, ok := x.Value(); ok {
				if !slices.Equal(got, want) {
					t.Errorf("step %d: got %q, want %q", step, got, want)
				}
				return
			}
			if !x.Cause().IsInterruptedOnly() {
				t.Errorf("step %d: got %v, want a success or an interruption", step, x)
			}
		})
		if steps < 5 {
			t.Fatalf("swept only %d steps", steps)
		}
	})
}

func TestDebounceInterruptionSweep(t *testing.T) {
	for _, tc := range []struct {
		edges resource.Edge
		want  []string
	}{
		{resource.TrailingEdge, []string{"ran 2", "ran 2"}},
		{resource.LeadingEdge, []string{"ran 1", "ran 1"}},
		{resource.LeadingEdge | resource.TrailingEdge, []string{"ran 1", "ran 2"}},
	} {
		t.Run(tc.edges.String(), func(t *testing.T) {
			sweepCoalesced(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond, Edges: tc.edges}), tc.want)
		})
	}
}

func TestThrottleInterruptionSweep(t *testing.T) {
	for _, tc := range []struct {
		edges resource.Edge
		want  []string
	}{
		{resource.TrailingEdge, []string{"ran 2", "ran 2"}},
		{resource.LeadingEdge, []string{"ran 1", "ran 1"}},
		{resource.LeadingEdge | resource.TrailingEdge, []string{"ran 1", "ran 2"}},
	} {
		t.Run(tc.edges.String(), func(t *testing.T) {
			sweepCoalesced(t, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond, Edges: tc.edges}), tc.want)
		})
	}
}

// sweepLateCaller sweeps every interruption point of a call to a wrapped
// function, and after each run makes one more call from a finalizer, which
// runs uninterruptibly while the function's scope is still open: that call
// must get a run's result. An interruption that left the function's state
// without the fiber that serves it (a burst without its timer, a window
// without its run) would make it wait forever, and synctest would report
// the deadlock.
func sweepLateCaller(t *testing.T, wrap wrapper) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		var late effect.Exit[error, string]
		mk := func() limEff[string] {
			log := newRunLog()
			return effect.Scoped(effect.FlatMap(wrap(log.fn(10*time.Millisecond)), func(call func(int) limEff[string]) limEff[string] {
				record := effect.Map(effect.ToExit(call(3)), func(x effect.Exit[error, string]) struct{} { late = x; return struct{}{} })
				return call(1).Ensuring(record)
			}))
		}
		checked := 0
		steps := effecttest.SweepInterrupts(t, mk, func(t testing.TB, step int, x effect.Exit[error, string]) {
			// An interruption before the call began skips the finalizer too.
			if late != (effect.Exit[error, string]{}) {
				checked++
				if got, ok := late.Value(); !ok || (got != "ran 1" && got != "ran 3") {
					t.Errorf("step %d: the late call got %v, want ran 1 or ran 3", step, late)
				}
			}
			late = effect.Exit[error, string]{}
			if !x.IsSuccess() && !x.Cause().IsInterruptedOnly() {
				t.Errorf("step %d: got %v, want a success or an interruption", step, x)
			}
		})
		if steps < 5 || checked < steps/2 {
			t.Fatalf("swept %d steps, %d with the late call", steps, checked)
		}
	})
}

func TestDebounceAndThrottleLateCallerSweep(t *testing.T) {
	for _, edges := range []resource.Edge{resource.TrailingEdge, resource.LeadingEdge, resource.LeadingEdge | resource.TrailingEdge} {
		t.Run("debounce/"+edges.String(), func(t *testing.T) {
			sweepLateCaller(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond, Edges: edges}))
		})
		t.Run("throttle/"+edges.String(), func(t *testing.T) {
			sweepLateCaller(t, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond, Edges: edges}))
		})
	}
}
