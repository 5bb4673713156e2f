package effect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// recorder records hook events as lines.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func (r *recorder) hooks() Hooks {
	return Hooks{
		FinalizerEnd: func(_ context.Context, ev FinalizerEvent) {
			r.add("finalizer fiber=%d name=%q took=%v err=%s", ev.Fiber, ev.FiberName, ev.Duration, errText(ev.Err))
		},
		Interrupt: func(ev InterruptEvent) {
			r.add("interrupt fiber=%d name=%q by=%d reason=%s", ev.Fiber, ev.FiberName, ev.By, errText(ev.Reason))
		},
		Retry: func(_ context.Context, ev RetryEvent) {
			r.add("retry fiber=%d name=%q repeat=%v attempt=%d delay=%v stop=%v err=%s", ev.Fiber, ev.FiberName,
				ev.Repeat, ev.Attempt, ev.Delay, ev.Stop, errText(ev.Err))
		},
		WaitStart: func(_ context.Context, ev WaitEvent) {
			r.add("wait fiber=%d name=%q kind=%s resource=%q length=%v", ev.Fiber, ev.FiberName, ev.Kind, ev.Resource, ev.Length)
		},
		WaitEnd: func(_ context.Context, ev WaitEvent) {
			r.add("waited fiber=%d kind=%s took=%v", ev.Fiber, ev.Kind, ev.Duration)
		},
		NamedStart: func(_ context.Context, ev NamedEvent) {
			r.add("named fiber=%d name=%q parent=%q", ev.Fiber, ev.Name, ev.Parent)
		},
		NamedEnd: func(_ context.Context, ev NamedEvent) {
			r.add("named end fiber=%d name=%q took=%v waited=%v err=%s", ev.Fiber, ev.Name, ev.Duration, ev.Waited, errText(ev.Err))
		},
	}
}

var errFlaky = errors.New("flaky")

func TestHooksSeeRetriesWaitsNamesFinalizersAndInterrupts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		var r recorder
		defer rt.AddHooks(r.hooks())()
		calls := 0
		flaky := Named(Try[any](func(context.Context) (int, error) {
			calls++
			if calls < 3 {
				return 0, errFlaky
			}
			return calls, nil
		}), "call")
		fetch := Named(flaky.Retry(schedule.Spaced(time.Second)), "fetch")
		cleanup := AddFinalizer(func(error) Effect[any, error, struct{}] { return Sleep[any, error](time.Millisecond) })
		loser := Named(Never[any, error, int](), "loser")
		prog := Scoped(AndThen(cleanup, Race(fetch, loser)))
		v, err := rt.Run(context.Background(), prog, nil)
		if v != 3 || err != nil {
			t.Fatalf("got %v, %v", v, err)
		}
		// Fibers run in parallel: compare the events of each fiber. Race
		// runs its first effect on the racing fiber (a guarded region) and
		// forks the second.
		want := map[string][]string{
			"1": {
				`named fiber=1 name="fetch" parent=""`,
				`named fiber=1 name="call" parent="fetch"`,
				`named end fiber=1 name="call" took=0s waited=0s err=flaky`,
				`retry fiber=1 name="fetch" repeat=false attempt=1 delay=1s stop=false err=flaky`,
				`wait fiber=1 name="fetch" kind=retry resource="" length=1s`,
				`waited fiber=1 kind=retry took=1s`,
				`named fiber=1 name="call" parent="fetch"`,
				`named end fiber=1 name="call" took=0s waited=0s err=flaky`,
				`retry fiber=1 name="fetch" repeat=false attempt=2 delay=1s stop=false err=flaky`,
				`wait fiber=1 name="fetch" kind=retry resource="" length=1s`,
				`waited fiber=1 kind=retry took=1s`,
				`named fiber=1 name="call" parent="fetch"`,
				`named end fiber=1 name="call" took=0s waited=0s err=ok`,
				`named end fiber=1 name="fetch" took=2s waited=2s err=ok`,
				`wait fiber=1 name="" kind=sleep resource="" length=1ms`,
				`waited fiber=1 kind=sleep took=1ms`,
				`finalizer fiber=1 name="" took=1ms err=ok`,
			},
			"2": {
				`named fiber=2 name="loser" parent=""`,
				`wait fiber=2 name="loser" kind=never resource="" length=0s`,
				`waited fiber=2 kind=never took=2s`,
				`named end fiber=2 name="loser" took=2s waited=2s err=effect: interrupted by fiber #1: effect: lost the race`,
			},
		}
		got := map[string][]string{}
		var interrupts []string
		for _, line := range r.get() {
			if strings.HasPrefix(line, "interrupt ") {
				// Reported by the interrupter, as the target wakes.
				interrupts = append(interrupts, line)
				continue
			}
			id := strings.TrimPrefix(strings.Fields(line)[1], "fiber=")
			if strings.HasPrefix(line, "named end") {
				id = strings.TrimPrefix(strings.Fields(line)[2], "fiber=")
			}
			got[id] = append(got[id], line)
		}
		for id, w := range want {
			if !slices.Equal(got[id], w) {
				t.Errorf("events of fiber %s:\n%s\nwant:\n%s", id, strings.Join(got[id], "\n"), strings.Join(w, "\n"))
			}
		}
		if len(got) != len(want) {
			t.Errorf("events of %d fibers, want %d: %v", len(got), len(want), got)
		}
		wantIntr := []string{`interrupt fiber=2 name="loser" by=1 reason=effect: lost the race`}
		if !slices.Equal(interrupts, wantIntr) {
			t.Errorf("interrupts: %q, want %q", interrupts, wantIntr)
		}
	})
}

// Unset hooks are not called, and removing hooks removes only those.
func TestRemoveHooks(t *testing.T) {
	rt := NewRuntime()
	var a, b recorder
	removeA := rt.AddHooks(a.hooks())
	removeB := rt.AddHooks(b.hooks())
	if _, err := rt.Run(context.Background(), Named(succeed(1), "x"), nil); err != nil {
		t.Fatal(err)
	}
	removeA()
	if _, err := rt.Run(context.Background(), Named(succeed(1), "y"), nil); err != nil {
		t.Fatal(err)
	}
	removeB()
	removeB()
	if rt.obs.Load() != nil {
		t.Fatal("an observer is left with no hooks")
	}
	if got := len(a.get()); got != 2 {
		t.Errorf("a saw %d events, want 2: %v", got, a.get())
	}
	if got := len(b.get()); got != 4 {
		t.Errorf("b saw %d events, want 4: %v", got, b.get())
	}
}

func TestFiberOfInsideTryAndChildren(t *testing.T) {
	type labels struct {
		id    FiberID
		name  string
		path  []ScopeID
		attrs string
	}
	var mu sync.Mutex
	var got []labels
	look := func(ctx context.Context) (int, error) {
		l, ok := FiberOf(ctx)
		if !ok {
			return 0, errors.New("no fiber in the context")
		}
		var attrs []string
		for _, a := range l.Annotations {
			attrs = append(attrs, a.String())
		}
		mu.Lock()
		got = append(got, labels{l.ID, l.Name, l.ScopePath, strings.Join(attrs, " ")})
		mu.Unlock()
		return 0, nil
	}
	child := Named(Try[any](look), "child").Annotate(slog.String("step", "2"))
	prog := Named(Annotate(AndThen(Try[any](look), FlatMap(Fork(child), func(c *Fiber[error, int]) eff {
		return Join[any](c)
	})), slog.String("request", "r1"), slog.Int("user", 7)), "handler")
	rt := NewRuntime()
	if _, err := rt.Run(context.Background(), Scoped(prog), nil); err != nil {
		t.Fatal(err)
	}
	want := []labels{
		{1, "handler", []ScopeID{1}, "request=r1 user=7"},
		// The child lives in the Scoped region's scope (#2), opened in the
		// root fiber's own scope (#3, numbered when first asked for).
		{2, "child", []ScopeID{1, 3, 2}, "request=r1 user=7 step=2"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].id != want[i].id || got[i].name != want[i].name || !slices.Equal(got[i].path, want[i].path) || got[i].attrs != want[i].attrs {
			t.Errorf("labels %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, ok := FiberOf(context.Background()); ok {
		t.Error("FiberOf found a fiber in context.Background()")
	}
}

// Named regions restore the fiber's name on every outcome.
func TestNamedRestoresOnFailureAndDefect(t *testing.T) {
	var names []string
	record := func(ctx context.Context) (int, error) {
		l, _ := FiberOf(ctx)
		names = append(names, l.Name)
		return 0, nil
	}
	failing := Named(Fail[any, int](errFlaky), "fails")
	dying := Named(Sync[any, error](func() int { panic("boom") }), "dies")
	prog := AndThen(Catch(failing, func(error) eff { return Try[any](record) }),
		AndThen(CatchCause(dying, func(Cause[error]) eff { return Try[any](record) }), Named(Try[any](record), "last")))
	withBudget(t, func(t *testing.T) {
		names = nil
		mustRun(t, Named(prog, "outer"))
		if want := []string{"outer", "outer", "last"}; !slices.Equal(names, want) {
			t.Errorf("names: %v, want %v", names, want)
		}
	})
}

func TestNamedBadInput(t *testing.T) {
	defer func() {
		if r := recover(); r != "effect.Named: name must not be empty" {
			t.Errorf("panic %v", r)
		}
	}()
	Named(succeed(1), "")
}

// fakeTracer records spans as "parent > name: outcome".
type fakeTracer struct {
	mu    sync.Mutex
	spans []string
	next  int
}

type spanKey struct{}

func (t *fakeTracer) Start(ctx context.Context, s SpanStart) Span {
	parent, _ := ctx.Value(spanKey{}).(string)
	t.mu.Lock()
	t.next++
	t.mu.Unlock()
	return &fakeSpan{t: t, parent: parent, s: s}
}

type fakeSpan struct {
	t      *fakeTracer
	parent string
	s      SpanStart
}

func (sp *fakeSpan) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, spanKey{}, sp.s.Name)
}

func (sp *fakeSpan) End(err error) {
	sp.t.mu.Lock()
	defer sp.t.mu.Unlock()
	sp.t.spans = append(sp.t.spans, fmt.Sprintf("%s > %s (fiber %d): %s", sp.parent, sp.s.Name, sp.s.Fiber, errText(err)))
}

func TestTracerSpansFollowForksAndReachTry(t *testing.T) {
	rt := NewRuntime()
	tr := &fakeTracer{}
	rt.SetTracer(tr)
	var seen string
	inner := Named(Try[any](func(ctx context.Context) (int, error) {
		seen, _ = ctx.Value(spanKey{}).(string)
		return 1, nil
	}), "inner")
	prog := Named(FlatMap(Fork(Named(inner, "child")), func(c *Fiber[error, int]) eff { return Join[any](c) }), "root")
	ctx := context.WithValue(context.Background(), spanKey{}, "incoming")
	if _, err := rt.Run(ctx, prog, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"child > inner (fiber 2): ok", "root > child (fiber 2): ok", "incoming > root (fiber 1): ok"}
	if !slices.Equal(tr.spans, want) {
		t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(tr.spans, "\n"), strings.Join(want, "\n"))
	}
	if seen != "inner" {
		t.Errorf("Try saw span %q, want inner", seen)
	}
	rt.SetTracer(nil)
	if rt.obs.Load() != nil {
		t.Error("an observer is left after removing the tracer")
	}
}

func TestContextCarriesTheFiber(t *testing.T) {
	prog := Named(FlatMap(Context[any, error](), func(ctx context.Context) Effect[any, error, string] {
		l, ok := FiberOf(ctx)
		return Succeed[any, error](fmt.Sprintf("%v %v %v %v", ok, l.ID, l.Name, ctx.Value(spanKey{})))
	}), "ctx")
	ctx := context.WithValue(context.Background(), spanKey{}, "v")
	got, err := Run(ctx, prog, nil)
	if err != nil || got != "true 1 ctx v" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestStuckNeedsWaitTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		fb := rt.Start(context.Background(), Never[any, error, int](), nil)
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := rt.Stuck(time.Minute); got != nil {
			t.Errorf("stuck without wait times: %v", got)
		}
		stop := rt.TrackWaits()
		stop()
		stop()
		if rt.obs.Load() != nil {
			t.Error("TrackWaits left an observer")
		}
		fb.InterruptFromGo()
		<-fb.Done()
	})
}

// A fiber's end hooks run before its end is seen: the joiner, the awaiter,
// Run (through the closing root scope) and plain Go on Done resume after
// them, so a metric or span of a child is complete when its parent goes on.
// The hook sleeps, so that a joiner woken before it returned would record
// first.
func TestFiberEndHooksRunBeforeTheEndIsSeen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		var r recorder
		defer rt.AddHooks(Hooks{FiberEnd: func(in FiberInfo, err error) {
			if in.Name == "" {
				return
			}
			time.Sleep(time.Millisecond)
			r.add("end %s: %s", in.Name, errText(err))
		}})()
		job := func(name string, err error) Effect[any, error, int] {
			return Named(FromResult[any](1, err), name)
		}
		prog := FlatMap(FlatMap(Fork(job("joined", nil)), Join[any, error, int]), func(int) Effect[any, error, struct{}] {
			r.add("joined")
			return FlatMap(FlatMap(Fork(job("awaited", errFlaky)), Await[any, error, int]), func(Exit[error, int]) Effect[any, error, struct{}] {
				r.add("awaited")
				// left parks in its own name until Run's scope interrupts it.
				left := Named(Never[any, error, int](), "left")
				return AndThen(Fork(left), Sleep[any, error](time.Millisecond))
			})
		})
		if _, err := rt.Run(context.Background(), prog, nil); err != nil {
			t.Fatal(err)
		}
		r.add("run returned")
		// Plain Go waiting on Done sees the end after the hooks too.
		started := rt.Start(context.Background(), job("started", nil), nil)
		<-started.Done()
		r.add("done seen")
		want := []string{"end joined: ok", "joined", "end awaited: flaky", "awaited",
			"end left: effect: interrupted by fiber #1: effect: scope closed", "run returned",
			"end started: ok", "done seen"}
		if got := r.get(); !slices.Equal(got, want) {
			t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// While its end hooks run, a fiber's exit is final (an interruption is a
// no-op, the hooks see it as done) but its end is not yet seen: Poll, Done,
// a joiner and Wait all wait for the hooks to return. (A flaky form of the
// test above caught Done returning its closed channel in that window.)
func TestAFiberIsNotSeenAsEndedUntilItsEndHooksReturn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		ctx := context.Background()
		inHook, release := make(chan struct{}), make(chan struct{})
		defer rt.AddHooks(Hooks{FiberEnd: func(in FiberInfo, err error) {
			if in.Name != "slow" {
				return
			}
			if in.Status != FiberDone || err != nil {
				t.Errorf("the hook saw status %v, err %v; want done, nil", in.Status, err)
			}
			close(inHook)
			<-release
		}})()
		fb := rt.Start(ctx, Named(Succeed[any, error](7), "slow"), nil)
		<-inHook
		if _, ok := fb.Poll(); ok {
			t.Error("Poll saw the end before the end hooks returned")
		}
		done := fb.Done()
		select {
		case <-done:
			t.Error("Done was closed before the end hooks returned")
		default:
		}
		fb.InterruptFromGo() // too late: the exit is final
		joiner := rt.Start(ctx, Join[any](fb), nil)
		synctest.Wait()
		if _, ok := joiner.Poll(); ok {
			t.Error("a joiner resumed before the end hooks returned")
		}
		close(release)
		<-done
		if ex, ok := fb.Poll(); !ok || ex.IsFailure() || ex.value != 7 {
			t.Errorf("after the hooks: Poll = %v, %v; want 7, true", ex, ok)
		}
		if ex, err := joiner.Wait(ctx); err != nil || ex.value != 7 {
			t.Errorf("the joiner ended with %v, %v; want 7", ex, err)
		}
	})
}

// An end hook that calls runtime.Goexit ends its own goroutine, but the
// fiber's end is still published: nobody waiting on it hangs.
func TestAnEndHookThatCallsGoexitStillPublishesTheEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		defer rt.AddHooks(Hooks{FiberEnd: func(in FiberInfo, _ error) {
			if in.Name == "quits" {
				runtime.Goexit()
			}
		}})()
		fb := rt.Start(context.Background(), Named(Succeed[any, error](7), "quits"), nil)
		<-fb.Done()
		if ex, ok := fb.Poll(); !ok || ex.value != 7 {
			t.Errorf("Poll = %v, %v; want 7, true", ex, ok)
		}
	})
}

// hookPanicEnv, set, makes TestAPanicInAnEndHookIsNotSwallowed run the
// panicking hook itself (in the child process the test starts).
const hookPanicEnv = "GOGOSCOPE_HOOK_PANIC"

// A panic in a FiberEnd hook is not recovered (Hooks' contract): the fiber's
// exit guard, which finds the fiber done but not finished, publishes the end
// and lets the panic go on, so it ends the program with its value. Run in a
// child process, which it crashes.
func TestAPanicInAnEndHookIsNotSwallowed(t *testing.T) {
	if os.Getenv(hookPanicEnv) != "" {
		rt := NewRuntime()
		rt.AddHooks(Hooks{FiberEnd: func(in FiberInfo, _ error) {
			if in.Name == "boom" {
				panic("hook boom 42")
			}
		}})
		fb := rt.Start(context.Background(), Named(Succeed[any, error](1), "boom"), nil)
		<-fb.Done()
		time.Sleep(10 * time.Second) // the panic ends the process first
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAPanicInAnEndHookIsNotSwallowed$", "-test.count=1")
	cmd.Env = append(os.Environ(), hookPanicEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child exited normally: the hook's panic was swallowed\n%s", out)
	}
	if !strings.Contains(string(out), "panic: hook boom 42") {
		t.Fatalf("the child did not die of the hook's panic (%v):\n%s", err, out)
	}
}
