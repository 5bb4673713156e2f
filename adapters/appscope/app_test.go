package appscope_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type Eff[A any] = effect.Effect[string, error, A]

// log is a record of events safe for concurrent use.
type log struct {
	mu  sync.Mutex
	evs []string
}

func (l *log) add(ev string) {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
}

func (l *log) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs)
}

func (l *log) effect(ev string) Eff[struct{}] {
	return effect.Sync[string, error](func() struct{} { l.add(ev); return struct{}{} })
}

func resourceLayer(l *log, name string, fail bool) *layer.Layer[any, error, string] {
	return layer.Resource(func(context.Context, any) (string, error) {
		if fail {
			return "", errors.New("cannot open " + name)
		}
		l.add("open " + name)
		return name, nil
	}, func(string) error { l.add("close " + name); return nil }).Named(name)
}

func TestBuildReleasesInReverseOrderAtShutdown(t *testing.T) {
	var l log
	db := resourceLayer(&l, "db", false)
	cache := db.To(layer.Resource(func(_ context.Context, db string) (string, error) {
		l.add("open cache")
		return db + "+cache", nil
	}, func(string) error { l.add("close cache"); return nil }))
	app, err := appscope.Build(context.Background(), cache, appscope.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := app.Env(); got != "db+cache" {
		t.Errorf("Env: got %q", got)
	}
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"open db", "open cache", "close cache", "close db"}
	if got := l.list(); !slices.Equal(got, want) {
		t.Errorf("events: got %q, want %q", got, want)
	}
	if err := app.Shutdown(context.Background()); err != nil {
		t.Errorf("a second Shutdown: %v", err)
	}
}

func TestBuildFailureReleasesAndNamesTheLayer(t *testing.T) {
	var l log
	both := layer.Struct(
		layer.Field(resourceLayer(&l, "audit", false), func(p *[2]string, s string) { p[0] = s }),
		layer.Field(resourceLayer(&l, "db", true), func(p *[2]string, s string) { p[1] = s }),
	)
	app, err := appscope.Build(context.Background(), both, appscope.Options{})
	if app != nil || err == nil {
		t.Fatalf("Build: got %v, %v; want a failure", app, err)
	}
	var le *layer.Error
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "db") {
		t.Errorf("error %v does not name the failing layer", err)
	}
	evs := l.list()
	if slices.Contains(evs, "open audit") && !slices.Contains(evs, "close audit") {
		t.Errorf("the layer opened beside the failing one was not released: %q", evs)
	}
}

func TestRunOutsideARequestHasAScopeOfItsOwn(t *testing.T) {
	var l log
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	started := make(chan struct{})
	child := effect.AndThen(effect.Sync[string, error](func() struct{} { close(started); return struct{}{} }),
		effect.Never[string, error, struct{}]()).Ensuring(l.effect("child finalizer"))
	got, err := app.Run(context.Background(), effect.FlatMap(effect.Fork(child), func(*effect.Fiber[error, struct{}]) Eff[string] {
		return effect.AndThen(effect.Sync[string, error](func() struct{} { <-started; return struct{}{} }),
			effect.Environment[string, error]())
	}))
	if err != nil || got != "env" {
		t.Fatalf("Run: got %q, %v", got, err)
	}
	if evs := l.list(); !slices.Equal(evs, []string{"child finalizer"}) {
		t.Errorf("the fiber forked by Run was not stopped when Run returned: %q", evs)
	}
}

// scopeID is an effect that returns the current scope's ID and its
// parent's.
func scopeIDs() Eff[[2]effect.ScopeID] {
	return effect.Map(effect.CurrentScope[string, error](), func(s *effect.Scope) [2]effect.ScopeID {
		return [2]effect.ScopeID{s.ID(), s.Parent().ID()}
	})
}

func TestARequestsEffectsShareItsScopeUntilEnd(t *testing.T) {
	var l log
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	ctx, end, err := app.Begin(context.Background(), "GET /x")
	if err != nil {
		t.Fatal(err)
	}
	if !app.InRequest(ctx) || app.InRequest(context.Background()) {
		t.Errorf("InRequest is wrong")
	}
	first, err := app.Run(ctx, effect.AndThen(
		effect.Void(effect.AcquireRelease(l.effect("acquire"), func(struct{}) Eff[struct{}] { return l.effect("release") })),
		scopeIDs()))
	if err != nil {
		t.Fatal(err)
	}
	second, err := app.Run(ctx, scopeIDs())
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("two effects of one request ran in scopes %v and %v", first, second)
	}
	if first[1] != app.Scope().ID() {
		t.Errorf("the request scope's parent is #%d, not the application scope #%d", first[1], app.Scope().ID())
	}
	if evs := l.list(); !slices.Equal(evs, []string{"acquire"}) {
		t.Errorf("before end: %q", evs)
	}
	if err := end(); err != nil {
		t.Fatal(err)
	}
	if evs := l.list(); !slices.Equal(evs, []string{"acquire", "release"}) {
		t.Errorf("after end: %q", evs)
	}
	if err := end(); err != nil {
		t.Errorf("a second end: %v", err)
	}
	if _, err := app.Run(ctx, scopeIDs()); !errors.Is(err, context.Canceled) {
		t.Errorf("Run after end: got %v, want an interruption", err)
	}
	if n := app.InFlight(); n != 0 {
		t.Errorf("InFlight after end: %d", n)
	}
}

func TestConcurrentFirstEffectsOfARequestAgreeOnItsScope(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	for range 50 {
		ctx, end, err := app.Begin(context.Background(), "r")
		if err != nil {
			t.Fatal(err)
		}
		var ids [8][2]effect.ScopeID
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				v, err := app.Run(ctx, scopeIDs())
				if err != nil {
					t.Error(err)
				}
				ids[i] = v
			})
		}
		wg.Wait()
		for _, v := range ids[1:] {
			if v != ids[0] {
				t.Fatalf("effects of one request ran in different scopes: %v", ids)
			}
		}
		if err := end(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEndReportsFinalizerFailures(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	ctx, end, _ := app.Begin(context.Background(), "r")
	boom := errors.New("boom")
	_, err := app.Run(ctx, effect.AddFinalizer(func(error) Eff[struct{}] {
		return effect.Fail[string, struct{}](boom)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := end(); !errors.Is(err, boom) {
		t.Errorf("end: got %v, want the finalizer's failure", err)
	}
}

// blocked runs an effect that waits forever in a request of app and
// returns the channel of its error, once the effect is running.
func blocked(t *testing.T, app *appscope.App[string], ctx context.Context) chan error {
	t.Helper()
	running := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := app.Run(ctx, effect.AndThen(
			effect.Sync[string, error](func() struct{} { close(running); return struct{}{} }),
			effect.Never[string, error, struct{}]()))
		done <- err
	}()
	<-running
	return done
}

func TestCancelInterruptsTheRequest(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	ctx, end, _ := app.Begin(context.Background(), "GET /stuck")
	defer end()
	done := blocked(t, app, ctx)
	reqs := app.Requests()
	if len(reqs) != 1 || reqs[0].Label != "GET /stuck" || reqs[0].Fiber == 0 || reqs[0].Scope == 0 || reqs[0].Started.IsZero() {
		t.Fatalf("Requests: %+v", reqs)
	}
	if app.Cancel(reqs[0].ID + 100) {
		t.Errorf("Cancel of an unknown request reported true")
	}
	if !app.Cancel(reqs[0].ID) {
		t.Fatalf("Cancel reported false")
	}
	if err := <-done; !errors.Is(err, appscope.ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled request's error: %v", err)
	}
}

func TestShutdownInterruptsRequestsAndRefusesNewOnes(t *testing.T) {
	var l log
	app, err := appscope.Build(context.Background(), resourceLayer(&l, "db", false), appscope.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, end, _ := app.Begin(context.Background(), "r")
	inReq := blocked(t, app, ctx)
	outside := blocked(t, app, context.Background())
	if n := app.InFlight(); n != 2 {
		t.Errorf("InFlight: %d, want 2", n)
	}
	shut := make(chan error, 1)
	go func() { shut <- app.Shutdown(context.Background()) }()
	for _, ch := range []chan error{inReq, outside} {
		if err := <-ch; !errors.Is(err, appscope.ErrShutdown) {
			t.Errorf("a request in flight: got %v, want an interruption by ErrShutdown", err)
		}
	}
	if !app.Stopping() {
		t.Errorf("Stopping: false during the shutdown")
	}
	if err := end(); err != nil {
		t.Fatal(err)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if evs := l.list(); !slices.Equal(evs, []string{"open db", "close db"}) {
		t.Errorf("events: %q", evs)
	}
	if _, _, err := app.Begin(context.Background(), "late"); !errors.Is(err, appscope.ErrShutdown) {
		t.Errorf("Begin after Shutdown: %v", err)
	}
	if _, err := app.Run(context.Background(), scopeIDs()); !errors.Is(err, appscope.ErrShutdown) {
		t.Errorf("Run after Shutdown: %v", err)
	}
}

func TestShutdownStopsWaitingAtItsDeadline(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	ctx, end, _ := app.Begin(context.Background(), "never ends")
	ctx2, cancel := context.WithCancel(context.Background())
	cancel()
	// The request never calls end: Shutdown gives up waiting when its
	// context is done, and closes the application scope anyway.
	if err := app.Shutdown(ctx2); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown: got %v, want context.Canceled", err)
	}
	if !app.Scope().IsClosed() {
		t.Errorf("the application scope is still open")
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Errorf("the request's context was not cancelled")
	}
	end()
}

func TestBuildPanicsOnANilLayer(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "appscope.Build: l") {
			t.Errorf("recovered %v", r)
		}
	}()
	appscope.Build[string, error](context.Background(), nil, appscope.Options{})
}

func TestAGivenRuntimeIsLeftRunning(t *testing.T) {
	rt := effect.NewRuntime()
	app := appscope.New("env", appscope.Options{Runtime: rt})
	if app.Runtime() != rt {
		t.Fatal("Runtime")
	}
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, err := rt.Run(context.Background(), effect.Succeed[any, error](1), nil); v != 1 || err != nil {
		t.Errorf("the runtime was shut down with the App: %v %v", v, err)
	}
	rt.Shutdown(context.Background())
}

func TestServeIsAWholeRequestInOneRun(t *testing.T) {
	var l log
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	var inner [2]effect.ScopeID
	ex := app.Serve(context.Background(), "GET /one", func(ctx context.Context) Eff[[2]effect.ScopeID] {
		if !app.InRequest(ctx) {
			t.Errorf("the context given to build is not the request's")
		}
		if reqs := app.Requests(); len(reqs) != 1 || reqs[0].Label != "GET /one" {
			t.Errorf("Requests during Serve: %+v", reqs)
		}
		return effect.AndThen(
			effect.Void(effect.AcquireRelease(l.effect("acquire"), func(struct{}) Eff[struct{}] { return l.effect("release") })),
			effect.FlatMap(scopeIDs(), func(ids [2]effect.ScopeID) Eff[[2]effect.ScopeID] {
				// Plain code in the request joins its scope.
				return effect.Try[string](func(context.Context) ([2]effect.ScopeID, error) {
					v, err := app.Run(ctx, scopeIDs())
					inner = v
					return ids, err
				})
			}))
	})
	ids, err := ex.Get()
	if err != nil {
		t.Fatal(err)
	}
	if ids != inner || ids[1] != app.Scope().ID() {
		t.Errorf("scopes: the request's %v, plain code's %v, the application's #%d", ids, inner, app.Scope().ID())
	}
	if evs := l.list(); !slices.Equal(evs, []string{"acquire", "release"}) {
		t.Errorf("events: %q", evs)
	}
	if n, reqs := app.InFlight(), app.Requests(); n != 0 || len(reqs) != 0 {
		t.Errorf("after Serve: %d in flight, %+v", n, reqs)
	}
	app.Stop()
	ex = app.Serve(context.Background(), "late", func(context.Context) Eff[[2]effect.ScopeID] { return scopeIDs() })
	if _, err := ex.Get(); !errors.Is(err, appscope.ErrShutdown) {
		t.Errorf("Serve while stopping: %v", err)
	}
}

func TestServeInARequestJoinsItsScope(t *testing.T) {
	var l log
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	var served, later [2]effect.ScopeID
	err := app.Request(context.Background(), "GET /mw", func(ctx context.Context) {
		ex := app.Serve(ctx, "ignored", func(got context.Context) Eff[[2]effect.ScopeID] {
			if got != ctx {
				t.Errorf("build did not receive the request's context")
			}
			acquire := effect.AcquireRelease(l.effect("acquire"), func(struct{}) Eff[struct{}] { return l.effect("release") })
			return effect.AndThen(effect.Void(acquire), scopeIDs())
		})
		v, err := ex.Get()
		if err != nil {
			t.Fatal(err)
		}
		served = v
		// The resource lives in the request scope, past the effect's end.
		if evs := l.list(); !slices.Equal(evs, []string{"acquire"}) {
			t.Errorf("events after Serve: %q", evs)
		}
		if reqs := app.Requests(); len(reqs) != 1 || reqs[0].Label != "GET /mw" || reqs[0].Scope != v[0] {
			t.Errorf("Serve in a request began another: %+v", reqs)
		}
		later, _ = app.Run(ctx, scopeIDs())
	})
	if err != nil {
		t.Fatal(err)
	}
	if served != later || served[1] != app.Scope().ID() {
		t.Errorf("scopes: Serve's %v, a later Run's %v, the application's #%d", served, later, app.Scope().ID())
	}
	if evs := l.list(); !slices.Equal(evs, []string{"acquire", "release"}) {
		t.Errorf("events: %q", evs)
	}
	// A panic in build is a defect of the effect.
	err = app.Request(context.Background(), "GET /panic", func(ctx context.Context) {
		ex := app.Serve(ctx, "", func(context.Context) Eff[int] { panic("build failed") })
		var d *effect.Defect
		if _, err := ex.Get(); !errors.As(err, &d) || d.Value != "build failed" {
			t.Errorf("panic in build: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRequestRefusesWithErrShutdownItself(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	// A finalizer that fails with ErrShutdown is not a refusal.
	err := app.Request(context.Background(), "GET /fin", func(ctx context.Context) {
		_, err := app.Run(ctx, effect.AddFinalizer(func(error) Eff[struct{}] {
			return effect.Fail[string, struct{}](appscope.ErrShutdown)
		}))
		if err != nil {
			t.Fatal(err)
		}
	})
	if err == nil || err == appscope.ErrShutdown || !errors.Is(err, appscope.ErrShutdown) {
		t.Errorf("a failing finalizer: %v", err)
	}
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	called := false
	err = app.Request(context.Background(), "late", func(context.Context) { called = true })
	if err != appscope.ErrShutdown || called {
		t.Errorf("Request while stopping: %v, called %v", err, called)
	}
}

type ctxKey struct{}

func TestARequestInterruptsItsEffectsWhenItStops(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())

	// The client's going away interrupts an effect run with the request's
	// context, with the client's cause as the reason, and one that starts
	// later at once.
	client, leave := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "v"))
	ctx, end, _ := app.Begin(client, "GET /gone")
	seen := make(chan any, 1)
	running := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := app.Run(ctx, effect.AndThen(
			effect.Try[string](func(tctx context.Context) (struct{}, error) {
				seen <- tctx.Value(ctxKey{})
				close(running)
				return struct{}{}, nil
			}),
			effect.Never[string, error, struct{}]()))
		done <- err
	}()
	<-running
	if v := <-seen; v != "v" {
		t.Errorf("the effect's context holds %v, want the client's value", v)
	}
	gone := errors.New("client gone")
	leave(gone)
	if err := <-done; !errors.Is(err, gone) || !errors.Is(err, effect.ErrInterrupted) {
		t.Errorf("an effect of a request whose client went away: %v", err)
	}
	if _, err := app.Run(ctx, scopeIDs()); !errors.Is(err, gone) {
		t.Errorf("an effect started after the client went away: %v", err)
	}
	if err := end(); err != nil {
		t.Fatal(err)
	}

	// A context made from the request's is watched itself: its
	// cancellation interrupts the effect with its cause, the request goes
	// on.
	ctx, end, _ = app.Begin(context.Background(), "GET /timeout")
	sub, stop := context.WithCancelCause(ctx)
	done = blocked(t, app, sub)
	stopped := errors.New("sub stopped")
	stop(stopped)
	if err := <-done; !errors.Is(err, stopped) {
		t.Errorf("an effect run with a context made from the request's: %v", err)
	}
	if _, err := app.Run(ctx, scopeIDs()); err != nil {
		t.Errorf("the request after its sub-context stopped: %v", err)
	}

	// The request's end interrupts what still runs with its context.
	done = blocked(t, app, ctx)
	if err := end(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, effect.ErrInterrupted) {
		t.Errorf("an effect still running at the request's end: %v", err)
	}
	if len(app.Requests()) != 0 || app.InFlight() != 0 {
		t.Errorf("requests left: %+v", app.Requests())
	}
}

// watchedContext is a client's context that counts what registers under
// it: not a context of package context, but one with an AfterFunc method,
// which package context calls to register a child context or an
// AfterFunc under it.
type watchedContext struct {
	mu      sync.Mutex
	done    chan struct{}
	gone    bool
	watches int            // AfterFunc calls
	funcs   map[int]func() // registered and not stopped
}

func newWatched() *watchedContext {
	return &watchedContext{done: make(chan struct{}), funcs: map[int]func(){}}
}

func (*watchedContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *watchedContext) Done() <-chan struct{}     { return c.done }
func (*watchedContext) Value(any) any               { return nil }

func (c *watchedContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return context.Canceled
	}
	return nil
}

func (c *watchedContext) AfterFunc(f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watches++
	id := c.watches
	c.funcs[id] = f
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.funcs[id]
		delete(c.funcs, id)
		return ok
	}
}

// leave cancels the context and runs what is registered under it.
func (c *watchedContext) leave() {
	c.mu.Lock()
	c.gone = true
	close(c.done)
	funcs := c.funcs
	c.funcs = map[int]func(){}
	c.mu.Unlock()
	for _, f := range funcs {
		f()
	}
}

// counts returns how many registered under c in all, and how many are
// still registered.
func (c *watchedContext) counts() (watches, left int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.watches, len(c.funcs)
}

func TestARequestsContextRegistersOnlyWhatIsWaitedOn(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	// A request whose handler never waits on its context registers
	// nothing under the client's.
	client := newWatched()
	if err := app.Request(client, "GET /plain", func(ctx context.Context) {
		if ctx.Err() != nil || ctx.Value(ctxKey{}) != nil {
			t.Errorf("a running request's context: Err %v", ctx.Err())
		}
	}); err != nil {
		t.Fatal(err)
	}
	if n, _ := client.counts(); n != 0 {
		t.Errorf("a request without effects and waits registered %d times under the client", n)
	}

	// One that runs effects watches the client once, however many, and
	// stops watching at its end.
	client = newWatched()
	if err := app.Request(client, "GET /effects", func(ctx context.Context) {
		for range 3 {
			if _, err := app.Run(ctx, scopeIDs()); err != nil {
				t.Error(err)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if n, left := client.counts(); n != 1 || left != 0 {
		t.Errorf("a request running three effects registered %d times under the client (want 1), %d left after its end", n, left)
	}

	// One that waits on its Done registers its context, once, and a child
	// of it goes under that context, not the client's.
	client = newWatched()
	if err := app.Request(client, "GET /waits", func(ctx context.Context) {
		select {
		case <-ctx.Done():
			t.Error("the running request's Done is closed")
		default:
		}
		sub, stop := context.WithCancel(ctx)
		stop()
		if sub.Err() == nil || ctx.Err() != nil {
			t.Errorf("a child's cancel: child %v, request %v", sub.Err(), ctx.Err())
		}
	}); err != nil {
		t.Fatal(err)
	}
	if n, left := client.counts(); n != 1 || left != 0 {
		t.Errorf("a request waited on registered %d times under the client (want 1), %d left after its end", n, left)
	}

	// The client's going away reaches a request that has registered
	// nothing, and one that waits.
	for _, wait := range []bool{false, true} {
		client = newWatched()
		ctx, end, _ := app.Begin(client, "GET /gone")
		var done <-chan struct{}
		if wait {
			done = ctx.Done()
		}
		client.leave()
		if wait {
			<-done
		}
		if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(context.Cause(ctx), context.Canceled) {
			t.Errorf("wait %v: the client gone: Err %v, Cause %v", wait, ctx.Err(), context.Cause(ctx))
		}
		end()
	}
}

func TestARequestsContextFollowsItsStops(t *testing.T) {
	app := appscope.New("env", appscope.Options{})
	defer app.Shutdown(context.Background())
	closed := func(ctx context.Context) bool {
		select {
		case <-ctx.Done():
			return true
		default:
			return false
		}
	}
	idOf := func(label string) uint64 {
		for _, r := range app.Requests() {
			if r.Label == label {
				return r.ID
			}
		}
		t.Fatalf("no request %q in %+v", label, app.Requests())
		return 0
	}

	// Cancelled before anything waits on it: Err, Cause, Done and a child
	// made afterwards all say so.
	ctx, end, _ := app.Begin(context.Background(), "before")
	app.Cancel(idOf("before"))
	if !errors.Is(ctx.Err(), context.Canceled) || context.Cause(ctx) != appscope.ErrCanceled || !closed(ctx) {
		t.Errorf("cancelled before a wait: Err %v, Cause %v, Done closed %v", ctx.Err(), context.Cause(ctx), closed(ctx))
	}
	sub, stop := context.WithCancel(ctx)
	if context.Cause(sub) != appscope.ErrCanceled {
		t.Errorf("a child made after the cancel: cause %v", context.Cause(sub))
	}
	stop()
	end()

	// Waited on, then cancelled: the wait ends with the cause.
	ctx, end, _ = app.Begin(context.Background(), "after")
	done := ctx.Done()
	if closed(ctx) || ctx.Err() != nil || context.Cause(ctx) != nil {
		t.Errorf("a running request: Err %v, Cause %v", ctx.Err(), context.Cause(ctx))
	}
	app.Cancel(idOf("after"))
	<-done
	if context.Cause(ctx) != appscope.ErrCanceled || !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("cancelled after a wait: Err %v, Cause %v", ctx.Err(), context.Cause(ctx))
	}
	end()

	// The client's going away, before and after a wait: its cause wins
	// over a later cancel; its values and deadline show through.
	for _, wait := range []bool{false, true} {
		deadline := time.Now().Add(time.Hour)
		base, cancelDeadline := context.WithDeadline(context.WithValue(context.Background(), ctxKey{}, "v"), deadline)
		client, leave := context.WithCancelCause(base)
		ctx, end, _ := app.Begin(client, "client")
		if wait {
			ctx.Done()
		}
		gone := errors.New("client gone")
		leave(gone)
		app.Cancel(idOf("client"))
		if context.Cause(ctx) != gone || !errors.Is(ctx.Err(), context.Canceled) || !closed(ctx) {
			t.Errorf("wait %v: client gone, then cancelled: Err %v, Cause %v", wait, ctx.Err(), context.Cause(ctx))
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) || ctx.Value(ctxKey{}) != "v" {
			t.Errorf("wait %v: deadline %v %v, value %v", wait, d, ok, ctx.Value(ctxKey{}))
		}
		end()
		cancelDeadline()
	}

	// Ended: its context is cancelled.
	ctx, end, _ = app.Begin(context.Background(), "ended")
	end()
	if ctx.Err() == nil || !closed(ctx) {
		t.Errorf("an ended request: Err %v", ctx.Err())
	}
}
