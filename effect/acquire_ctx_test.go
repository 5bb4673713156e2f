package effect

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// The ctx that Try hands to an acquire step lives until the release has
// run, and is cancelled right after it; the release sees the same ctx.
func TestAcquireContextLivesUntilItsReleaseRan(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		var ev events
		var acquireCtx, releaseCtx context.Context
		type key struct{}
		open := Try[any](func(ctx context.Context) (int, error) {
			acquireCtx = ctx
			return 1, nil
		})
		release := func(int) unit {
			return Void(Try[any](func(ctx context.Context) (struct{}, error) {
				releaseCtx = ctx
				if acquireCtx.Err() != nil {
					ev.add("cancelled before release")
				}
				ev.add("release")
				return struct{}{}, nil
			}))
		}
		use := Sync[any, error](func() int {
			if acquireCtx.Err() != nil {
				ev.add("cancelled during use")
			}
			ev.add("use")
			return 2
		})
		ctx := context.WithValue(context.Background(), key{}, "v")
		v, err := Run(ctx, Scoped(AndThen(AcquireRelease(open, release), use)), nil)
		if err != nil || v != 2 {
			t.Fatalf("got %v, %v; want 2, nil", v, err)
		}
		if got, want := ev.get(), []string{"use", "release"}; !slices.Equal(got, want) {
			t.Fatalf("events: got %v, want %v", got, want)
		}
		if acquireCtx.Err() == nil {
			t.Fatal("acquire ctx not cancelled after the release ran")
		}
		if releaseCtx != acquireCtx {
			t.Fatal("the release did not get the resource's ctx")
		}
		if acquireCtx.Value(key{}) != "v" {
			t.Fatal("the acquire ctx lost the values of Run's ctx")
		}
	})
}

// A failing acquire cancels its ctx at once and registers no release.
func TestAcquireContextCancelledWhenAcquireFails(t *testing.T) {
	var acquireCtx context.Context
	open := Try[any](func(ctx context.Context) (int, error) { acquireCtx = ctx; return 0, errBoom })
	released := false
	_, err := run(Scoped(AcquireRelease(open, func(int) unit {
		return Sync[any, error](func() struct{} { released = true; return struct{}{} })
	})))
	if !errors.Is(err, errBoom) {
		t.Fatalf("got %v, want the acquire's failure", err)
	}
	if released {
		t.Fatal("release ran for a resource never acquired")
	}
	if acquireCtx.Err() == nil {
		t.Fatal("acquire ctx left uncancelled after a failed acquire")
	}
}

// The resource ctx carries no deadline of an enclosing Timeout: the
// resource belongs to its scope, not to the time limit around its acquire.
func TestAcquireContextHasNoDeadline(t *testing.T) {
	var hasDeadline bool
	open := Try[any](func(ctx context.Context) (int, error) { _, hasDeadline = ctx.Deadline(); return 1, nil })
	e := Scoped(AcquireRelease(open, func(int) unit { return Unit[any, error]() })).Timeout(1 << 40)
	mustRun(t, e)
	if hasDeadline {
		t.Fatal("the acquire ctx carries the timeout's deadline")
	}
}

// A finalizer learns how its scope ended, as an error.
func TestAddFinalizerSeesTheScopeOutcome(t *testing.T) {
	var got []error
	fin := AddFinalizer(func(err error) unit {
		return Sync[any, error](func() struct{} { got = append(got, err); return struct{}{} })
	})
	mustRun(t, Scoped(AndThen(fin, succeed(1))))
	_, _ = run(Scoped(AndThen(fin, Fail[any, int](errBoom))))
	if len(got) != 2 || got[0] != nil || !errors.Is(got[1], errBoom) {
		t.Fatalf("finalizer saw %v, want [nil, boom]", got)
	}
}
