package appscope

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// ErrShutdown is the reason of the interruption of a request still running
// when its application was shut down, and the error of a request that
// arrives after that. It matches [context.Canceled] nowhere by itself: the
// interruption that carries it does (an [*effect.InterruptedError]).
var ErrShutdown = errors.New("appscope: application shut down")

// ErrCanceled is the reason of the interruption of a request cancelled
// with [App.Cancel] (an operator's action in the inspector page).
var ErrCanceled = errors.New("appscope: request canceled")

// Options configure an [App]. The zero value is ready to use.
type Options struct {
	// Runtime runs the application's effects. Nil means a new runtime of
	// the App's own, which [App.Shutdown] also shuts down; a runtime given
	// here is left running (it may serve other things).
	Runtime *effect.Runtime
}

// App is a server application seen by gogoscope: a runtime, an
// application scope that owns the services built at start (and the
// background fibers forked into it), the environment R that request
// effects read, and the requests in flight, each with a scope of its own,
// a child of the application scope.
//
// An App is safe for concurrent use. Its life has three phases: serving
// (from [New] or [Build] on), stopping ([App.Shutdown] interrupts the
// requests still in flight and waits for them) and closed (the application
// scope is closed, so the services built from layers are released in
// reverse order). Requests that arrive while it stops fail at once with an
// interruption whose reason is [ErrShutdown].
type App[R any] struct {
	rt    *effect.Runtime
	ownRT bool
	scope *effect.Scope
	env   R

	// stopCtx is cancelled (cause ErrShutdown) when Shutdown begins: every
	// request context is linked to it.
	stopCtx context.Context
	stop    context.CancelCauseFunc

	stopping atomic.Bool
	inflight atomic.Int64
	idle     chan struct{} // closed when inflight reaches 0 while stopping
	idleOnce sync.Once

	shutdownOnce sync.Once
	shutdownErr  error

	reqIDs   atomic.Uint64
	requests registry
}

// New returns an App whose request effects read env, with an empty
// application scope. Use it when the services are built by hand; [Build]
// builds them from layers.
func New[R any](env R, opts Options) *App[R] {
	rt, own := opts.Runtime, false
	if rt == nil {
		rt, own = effect.NewRuntime(), true
	}
	return newApp(rt, own, rt.NewScope(), env)
}

func newApp[R any](rt *effect.Runtime, own bool, scope *effect.Scope, env R) *App[R] {
	a := &App[R]{rt: rt, ownRT: own, scope: scope, env: env, idle: make(chan struct{})}
	a.stopCtx, a.stop = context.WithCancelCause(context.Background())
	return a
}

// Build builds the environment from l once, in the application scope, and
// returns the App that serves with it. Every resource the layers acquire
// lives until [App.Shutdown] closes the application scope, which releases
// them in reverse order of acquisition. Cancelling ctx interrupts the
// build; it does not matter once Build has returned.
//
// If the build fails, what was acquired is released before Build returns,
// and the error names the failing layer (a *[layer.Error], see
// [layer.Build]); the runtime made for the App, if any, is shut down.
func Build[R, E any](ctx context.Context, l *layer.Layer[any, E, R], opts Options) (*App[R], error) {
	if l == nil {
		panic("appscope.Build: l must not be nil")
	}
	rt, own := opts.Runtime, false
	if rt == nil {
		rt, own = effect.NewRuntime(), true
	}
	scope := rt.NewScope()
	env, err := rt.Run(ctx, effect.Extend(scope, layer.Acquire(l)), nil)
	if err != nil {
		cerr := scope.Close(context.WithoutCancel(ctx))
		if own {
			cerr = errors.Join(cerr, rt.Shutdown(context.WithoutCancel(ctx)))
		}
		return nil, errors.Join(err, cerr)
	}
	return newApp(rt, own, scope, env), nil
}

// Runtime returns the runtime that runs the App's effects.
func (a *App[R]) Runtime() *effect.Runtime { return a.rt }

// Scope returns the application scope. Fibers forked into it (with
// [effect.ForkIn]) run in the background until the App shuts down;
// resources added to it live as long as the App.
func (a *App[R]) Scope() *effect.Scope { return a.scope }

// Env returns the environment that request effects read.
func (a *App[R]) Env() R { return a.env }

// Stopping reports whether [App.Shutdown] has begun: a server stops
// accepting requests then, and a health check reports the App as going
// away.
func (a *App[R]) Stopping() bool { return a.stopping.Load() }

// InFlight returns the number of requests in flight: begun with
// [App.Begin] and not yet ended, or running in [App.Run] outside a
// request.
func (a *App[R]) InFlight() int64 { return a.inflight.Load() }

// enter counts a request in, or reports false when the App is stopping.
func (a *App[R]) enter() bool {
	a.inflight.Add(1)
	if a.stopping.Load() {
		a.leave()
		return false
	}
	return true
}

// leave counts a request out and wakes Shutdown when it was the last.
func (a *App[R]) leave() {
	if a.inflight.Add(-1) == 0 && a.stopping.Load() {
		a.idleOnce.Do(func() { close(a.idle) })
	}
}

// link returns a child of ctx that is also cancelled, with cause
// ErrShutdown, when the App starts shutting down, and the function that
// releases it. Requests do without it: Stop cancels them through the
// registry, which costs nothing per request.
func (a *App[R]) link(ctx context.Context) (context.Context, context.CancelCauseFunc, func() bool) {
	rctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(a.stopCtx, func() { cancel(ErrShutdown) })
	return rctx, cancel, stop
}

// Shutdown stops the App: from now on requests fail at once (reason
// [ErrShutdown]); the requests in flight are interrupted, with
// [ErrShutdown] as the reason, and awaited, up to ctx's deadline; then the
// application scope is closed: the fibers forked into it are interrupted
// and awaited, and the resources of the layers are released in reverse
// order. A runtime made by the App is shut down last.
//
// Shutdown is the last step of a graceful stop: a server first stops
// accepting connections and lets the requests in flight finish, up to a
// grace period (scopehttp.Serve does it for net/http); what is still
// running after that is interrupted here. It returns the failures of the
// finalizers, joined with ctx's error if ctx ended before the requests did
// (the scope is closed anyway: finalizers always run to their end). It may
// be called more than once; later calls return the first result.
func (a *App[R]) Shutdown(ctx context.Context) error {
	a.shutdownOnce.Do(func() { a.shutdownErr = a.shutdown(ctx) })
	return a.shutdownErr
}

// Stop begins the shutdown without waiting: from now on requests fail at
// once (reason [ErrShutdown]) and those in flight are interrupted, with
// ErrShutdown as the reason. [App.Shutdown] then waits for them and closes
// the application scope. A server calls Stop when its grace period is over
// and keeps serving the connections until the interrupted handlers have
// written their responses.
func (a *App[R]) Stop() {
	a.stopping.Store(true)
	a.stop(ErrShutdown)
	a.requests.each(func(r *request) { r.stop(ErrShutdown) })
}

func (a *App[R]) shutdown(ctx context.Context) error {
	a.Stop()
	var waitErr error
	if a.inflight.Load() == 0 {
		a.idleOnce.Do(func() { close(a.idle) })
	}
	select {
	case <-a.idle:
	case <-ctx.Done():
		waitErr = context.Cause(ctx)
	}
	cctx := context.WithoutCancel(ctx)
	err := errors.Join(waitErr, a.scope.Close(cctx))
	if a.ownRT {
		err = errors.Join(err, a.rt.Shutdown(cctx))
	}
	return err
}

// RequestInfo describes a request in flight, for the inspector page and
// for logs.
type RequestInfo struct {
	// ID numbers the requests of an App from 1.
	ID uint64
	// Label is what [App.Begin] was given, such as "GET /users/42". It is
	// user input: escape it wherever it is shown.
	Label string
	// Started is when the request began.
	Started time.Time
	// Fiber is the fiber running the request's latest effect, 0 when none
	// has run yet.
	Fiber effect.FiberID
	// Scope is the request scope, 0 until an effect of the request opened
	// it.
	Scope effect.ScopeID
}

// InRequest reports whether ctx belongs to a request of a begun with
// [App.Begin] and not yet ended.
func (a *App[R]) InRequest(ctx context.Context) bool {
	req := a.requestOf(ctx)
	if req == nil {
		return false
	}
	req.mu.Lock()
	defer req.mu.Unlock()
	return !req.ended
}

// Requests returns a snapshot of the requests in flight, oldest first.
func (a *App[R]) Requests() []RequestInfo { return a.requests.list() }

// Cancel cancels the request id, if it is in flight, and reports whether
// it was: its context is cancelled with [ErrCanceled] as the cause, so its
// effects are interrupted and its scope closes when its handler returns.
func (a *App[R]) Cancel(id uint64) bool {
	req := a.requests.get(id)
	if req == nil {
		return false
	}
	req.stop(ErrCanceled)
	return true
}
