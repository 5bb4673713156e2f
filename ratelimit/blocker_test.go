package ratelimit_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/ratelimit"
)

// The limiter as an effect.Blocker: what dumps, hooks and the deadlock
// detector see of a fiber waiting for its admission.

// Two fibers wait on the empty bucket of the limiter "api": the dump
// names it, what is available and how many wait; the wait hooks see it by
// name; the detector sees a live wait (time admits them), and both are
// admitted a second apart.
func TestLimiterWaitIsNamed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer rt.TrackWaits()()
		waits, removeWaits := effecttest.RecordWaits(rt)
		defer removeWaits()
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		l, err := rt.Run(context.Background(), effect.Extend(scope,
			ratelimit.New[any, error](ratelimit.TokenBucket{Rate: 1, Per: time.Second, Burst: 2}, ratelimit.WithName("api"))), nil)
		if err != nil {
			t.Fatal(err)
		}
		if l.Name() != "api" {
			t.Fatalf("Name: %q", l.Name())
		}
		if !l.TryAcquire(2) {
			t.Fatal("TryAcquire refused a full bucket")
		}
		a := rt.Start(context.Background(), l.Acquire[any, error](1).Named("a"), nil)
		synctest.Wait()
		b := rt.Start(context.Background(), l.Acquire[any, error](1).Named("b"), nil)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		// Fiber #1 made the limiter (rt.Run).
		want := `scope #1 (runtime)
  fiber #2 "a" suspended: limiter api (0/2 available, 2 waiting) for 500ms
  fiber #3 "b" suspended: limiter api (0/2 available, 2 waiting) for 500ms
  scope #2
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks: %v", d)
		}
		if x, err := a.Wait(context.Background()); err != nil || !x.IsSuccess() {
			t.Fatalf("a: %v %v", x, err)
		}
		if x, err := b.Wait(context.Background()); err != nil || !x.IsSuccess() {
			t.Fatalf("b: %v %v", x, err)
		}
		if got := time.Since(time.Unix(946684800, 0)); got != 2*time.Second {
			t.Errorf("both admitted after %v, want 2s", got)
		}
		if !waits.Has("start a: limiter api", "start b: limiter api") {
			t.Errorf("wait events: %q", waits.Lines())
		}
	})
}

// The limiters of a Keyed set carry the set's name; an anonymous limiter
// is "limiter".
func TestKeyedLimiterWaitIsNamed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		k, err := rt.Run(context.Background(), effect.Extend(scope,
			ratelimit.NewKeyed[any, error, string](ratelimit.GCRA{Rate: 1, Per: time.Second, Burst: 1}, ratelimit.WithName("clients"))), nil)
		if err != nil {
			t.Fatal(err)
		}
		anon, err := rt.Run(context.Background(), effect.Extend(scope,
			ratelimit.New[any, error](ratelimit.FixedWindow{Limit: 1, Window: time.Minute})), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !k.TryAcquire("10.0.0.1", 1) || !anon.TryAcquire(1) {
			t.Fatal("TryAcquire refused")
		}
		w1 := rt.Start(context.Background(), k.Acquire[any, error]("10.0.0.1", 1), nil)
		synctest.Wait()
		w2 := rt.Start(context.Background(), anon.Acquire[any, error](1), nil)
		synctest.Wait()
		// Fibers #1 and #2 made the limiters (rt.Run).
		want := `scope #1 (runtime)
  fiber #3 suspended: limiter clients (0/1 available, 1 waiting)
  fiber #4 suspended: limiter (0/1 available, 1 waiting)
  scope #2
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}
		for _, fb := range []*effect.Fiber[error, struct{}]{w1, w2} {
			if x, err := fb.Wait(context.Background()); err != nil || !x.IsSuccess() {
				t.Fatalf("wait: %v %v", x, err)
			}
		}
	})
}

func TestWithNameBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"empty", func() { ratelimit.WithName("") }, "ratelimit.WithName: name must not be empty"},
		{"newline", func() { ratelimit.WithName("a\nb") }, `ratelimit.WithName: name must not hold control characters, got "a\nb"`},
		{"nil option", func() { ratelimit.New[any, error](ratelimit.GCRA{Rate: 1, Per: time.Second}, nil) }, "ratelimit.New: an option is nil"},
		{"nil keyed option", func() { ratelimit.NewKeyed[any, error, int](ratelimit.GCRA{Rate: 1, Per: time.Second}, nil) }, "ratelimit.NewKeyed: an option is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Fatalf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}
