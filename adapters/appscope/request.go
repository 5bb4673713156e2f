package appscope

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// request is one request in flight: what Begin put in its context.
type request struct {
	owner   any // the *App[R] it belongs to
	id      uint64
	label   string
	started time.Time
	cancel  context.CancelCauseFunc
	fiber   atomic.Uint64

	mu    sync.Mutex
	scope *effect.Scope // opened by the request's first effect
	ended bool
}

type requestKey struct{}

// errEnded is the reason of the interruption of an effect run with the
// context of a request that has ended.
var errEnded = errors.New("appscope: request ended")

// Begin begins a request: it returns a context for it, a child of ctx that
// is cancelled when the client goes away (ctx's own cancellation), when the
// App shuts down (cause [ErrShutdown]) or when [App.Cancel] cancels it; and
// the function end that ends the request, to call (typically deferred)
// when its handler returns. label names the request in the inspector and in
// logs ("GET /users/42"); it is shown escaped.
//
// Effects run with [App.Run] or [App.RunExit] and the returned context (or
// a child of it) share one request scope, a child of the application
// scope, opened by the first of them: the fibers they fork and the
// resources they acquire belong to the request and live until end. end
// closes that scope — interrupting and awaiting the fibers still running,
// then running the finalizers in reverse order — cancels the request's
// context and returns the finalizers' failures. It may be called more than
// once; later calls do nothing and return nil.
//
// When the App is stopping, Begin returns ctx, an end that does nothing,
// and [ErrShutdown]: the server should refuse the request (503).
//
// Cost: a context, a registry entry and about a microsecond; a request that
// never runs an effect opens no scope.
func (a *App[R]) Begin(ctx context.Context, label string) (context.Context, func() error, error) {
	req, rctx, ok := a.begin(ctx, label)
	if !ok {
		return ctx, func() error { return nil }, ErrShutdown
	}
	end := func() error {
		req.mu.Lock()
		if req.ended {
			req.mu.Unlock()
			return nil
		}
		req.ended = true
		s := req.scope
		req.mu.Unlock()
		var err error
		if s != nil {
			err = s.Close(context.WithoutCancel(rctx))
		}
		a.finish(req)
		return err
	}
	return rctx, end, nil
}

// begin counts a request in and registers it; ok is false when the App is
// stopping. The request's context is cancelled by Stop through the
// registry: a request registered as Stop walks it is either seen by the
// walk or sees the stopping flag here.
func (a *App[R]) begin(ctx context.Context, label string) (*request, context.Context, bool) {
	if !a.enter() {
		return nil, ctx, false
	}
	rctx, cancel := context.WithCancelCause(ctx)
	req := &request{owner: a, id: a.reqIDs.Add(1), label: label, started: time.Now(), cancel: cancel}
	a.requests.add(req)
	if a.stopping.Load() {
		cancel(ErrShutdown)
	}
	return req, context.WithValue(rctx, requestKey{}, req), true
}

// finish counts the request out.
func (a *App[R]) finish(req *request) {
	req.cancel(errEnded)
	a.requests.remove(req)
	a.leave()
}

// Serve runs the effect that build returns as the whole of one request
// labelled label, and returns its exit: it is [App.Begin], [App.RunExit]
// and the end function in one, with the request scope being the effect's
// own region, opened and closed within one run of the runtime (what a
// handler without a middleware needs). build receives the request's context (cancelled as Begin's is)
// and is called inside the effect, so a panic in it is a defect. Effects
// run with that context while the request runs (by plain code inside it)
// share its scope. After Shutdown has begun, Serve fails at once with an
// interruption whose reason is [ErrShutdown].
func (a *App[R]) Serve[E, A any](ctx context.Context, label string, build func(ctx context.Context) effect.Effect[R, E, A]) effect.Exit[E, A] {
	req, rctx, ok := a.begin(ctx, label)
	if !ok {
		return effect.FailedWith[E, A](effect.CauseInterrupt[E](0, ErrShutdown))
	}
	defer a.finish(req)
	body := effect.FlatMap(effect.CurrentScope[R, E](), func(s *effect.Scope) effect.Effect[R, E, A] {
		return effect.FlatMap(effect.CurrentFiberID[R, E](), func(id effect.FiberID) effect.Effect[R, E, A] {
			req.fiber.Store(uint64(id))
			req.adopt(s)
			return build(rctx)
		})
	})
	ex := a.rt.RunExit(rctx, effect.Extend(a.scope, effect.Scoped(body)), a.env)
	req.mu.Lock()
	req.ended = true
	req.mu.Unlock()
	return ex
}

// Request runs fn, plain Go, as the whole of one request labelled label:
// it is [App.Begin], fn, and the end function, in one call. fn receives
// the request's context (cancelled when ctx is, when the App shuts down,
// and by [App.Cancel]); effects run with it ([App.Run]) share one request
// scope, a child of the application scope, which is closed when fn
// returns — its fibers interrupted and awaited, its finalizers run in
// reverse order. This is what the adapters' middlewares do around the
// rest of a handler chain.
//
// It returns [ErrShutdown] without calling fn when the App is stopping
// (the server should answer 503), and otherwise the failures of the
// request scope's finalizers (nil if none). A panic in fn is raised again,
// with its value, once the scope has closed (so http.ErrAbortHandler
// keeps its meaning).
func (a *App[R]) Request(ctx context.Context, label string, fn func(ctx context.Context)) error {
	rctx, end, err := a.Begin(ctx, label)
	if err != nil {
		return err
	}
	var (
		panicked bool
		value    any
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				panicked, value = true, r
			}
		}()
		fn(rctx)
	}()
	err = end()
	if panicked {
		panic(value)
	}
	return err
}

// requestOf returns the request of a that ctx belongs to, or nil.
func (a *App[R]) requestOf(ctx context.Context) *request {
	if req, ok := ctx.Value(requestKey{}).(*request); ok && req.owner == any(a) {
		return req
	}
	return nil
}

// Run runs e with the App's environment and returns its value, or an
// error as [effect.Runtime.Run] does. Cancelling ctx interrupts e, and so
// does the App's shutdown (reason [ErrShutdown]); Run returns once e's
// finalizers have run.
//
// Where e runs: with a context from [App.Begin], in that request's scope
// (its forked fibers and resources live until the request ends); with any
// other context, in a scope of its own, a child of the application scope,
// closed when e ends. After Shutdown has begun, Run fails at once with an
// interruption whose reason is ErrShutdown.
func (a *App[R]) Run[E, A any](ctx context.Context, e effect.Effect[R, E, A]) (A, error) {
	return a.RunExit(ctx, e).Get()
}

// RunExit is [App.Run] returning the effect's exit, for callers that tell
// failures, defects and interruptions apart (the adapters map them to
// status codes).
func (a *App[R]) RunExit[E, A any](ctx context.Context, e effect.Effect[R, E, A]) effect.Exit[E, A] {
	if req := a.requestOf(ctx); req != nil {
		return runInRequest(a, req, ctx, e)
	}
	if !a.enter() {
		return effect.FailedWith[E, A](effect.CauseInterrupt[E](0, ErrShutdown))
	}
	defer a.leave()
	rctx, cancel, stop := a.link(ctx)
	defer func() {
		stop()
		cancel(errEnded)
	}()
	return a.rt.RunExit(rctx, effect.Extend(a.scope, effect.Scoped(e)), a.env)
}

// Acquire runs e in the application scope and returns its value, or an
// error as [App.Run] does: the resources it acquires (a circuit breaker, a
// semaphore, a pool, a connection) and the fibers it forks live until
// [App.Shutdown], whatever ctx belongs to. Cancelling ctx interrupts e
// while it runs; it does not matter once Acquire has returned.
func (a *App[R]) Acquire[E, A any](ctx context.Context, e effect.Effect[R, E, A]) (A, error) {
	if !a.enter() {
		var zero A
		return zero, effect.CauseInterrupt[E](0, ErrShutdown)
	}
	defer a.leave()
	return a.rt.Run(ctx, effect.Extend(a.scope, e), a.env)
}

func runInRequest[R, E, A any](a *App[R], req *request, ctx context.Context, e effect.Effect[R, E, A]) effect.Exit[E, A] {
	req.mu.Lock()
	ended, s := req.ended, req.scope
	req.mu.Unlock()
	if ended {
		return effect.FailedWith[E, A](effect.CauseInterrupt[E](0, errEnded))
	}
	var body effect.Effect[R, E, A]
	if s != nil {
		body = effect.Extend(s, e)
	} else {
		body = effect.Extend(a.scope, effect.FlatMap(effect.MakeScope[R, E](), func(ns *effect.Scope) effect.Effect[R, E, A] {
			use, ok := req.adopt(ns)
			switch {
			case !ok:
				return effect.AndThen(effect.CloseScope[R, E](ns), effect.FailCause[R, A](effect.CauseInterrupt[E](0, errEnded)))
			case use != ns:
				// Another effect of the request opened its scope first.
				return effect.AndThen(effect.CloseScope[R, E](ns), effect.Extend(use, e))
			}
			return effect.Extend(ns, e)
		}))
	}
	tracked := effect.FlatMap(effect.CurrentFiberID[R, E](), func(id effect.FiberID) effect.Effect[R, E, A] {
		req.fiber.Store(uint64(id))
		return body
	})
	return a.rt.RunExit(ctx, tracked, a.env)
}

// adopt makes s the request's scope unless it has one already (then it
// returns that one) or has ended (then ok is false).
func (r *request) adopt(s *effect.Scope) (use *effect.Scope, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return nil, false
	}
	if r.scope == nil {
		r.scope = s
	}
	return r.scope, true
}

func (r *request) info() RequestInfo {
	in := RequestInfo{ID: r.id, Label: r.label, Started: r.started, Fiber: effect.FiberID(r.fiber.Load())}
	r.mu.Lock()
	if r.scope != nil {
		in.Scope = r.scope.ID()
	}
	r.mu.Unlock()
	return in
}
