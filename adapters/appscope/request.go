package appscope

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// request is one request in flight. It is also the request's context:
// a child of the client's context that knows its request and is
// cancelled, besides by the client, when the request is stopped (see
// stop). It makes the cancellable context that carries that cancellation
// (live) only when something needs one — a wait on its Done channel, a
// child context, an AfterFunc, or a question about its cause once it has
// been stopped — so that a request whose handler never waits on its
// context registers nothing under the client's (net/http's request
// context): its Err and Value answer from the client's context and from
// the cause it was stopped with.
type request struct {
	owner   any // the *App[R] it belongs to
	id      uint64
	label   string
	started time.Time
	fiber   atomic.Uint64
	// client is the context the request began with; vals is the
	// request's values without its cancellation, the context its effects
	// run with (see run).
	client context.Context
	vals   values
	// live is the cancellable context made on demand (see ctx), nil until
	// then; stopped says that the request was stopped before live was
	// made, with stopCause. Both are set under mu and read without it.
	live    atomic.Pointer[liveContext]
	stopped atomic.Bool

	mu        sync.Mutex
	cancel    context.CancelCauseFunc // live's, nil if live was made stopped
	stopCause error
	scope     *effect.Scope // opened by the request's first effect
	ended     bool
	// why is the reason the request was stopped with (its context's cause,
	// or the client's), nil while it runs; running are the fibers of the
	// effects running with its context (buf holds the first), interrupted
	// with why when it is set; unwatch releases the watch of client.
	why     error
	running []effect.FiberHandle
	buf     [1]effect.FiberHandle
	unwatch func() bool

	// prev and next link the requests of one shard of the registry,
	// under that shard's lock.
	prev, next *request
}

// liveContext holds a request's cancellable context.
type liveContext struct{ context.Context }

type requestKey struct{}

// values is a request's context without its cancellation (as
// context.WithoutCancel, with no allocation): the effects of a request run
// with it, and the request interrupts them itself when it stops (see
// request.stop), so that a run costs no watch of a cancellable context.
type values struct{ r *request }

func (values) Deadline() (time.Time, bool) { return time.Time{}, false }
func (values) Done() <-chan struct{}       { return nil }
func (values) Err() error                  { return nil }
func (v *values) Value(key any) any        { return v.r.Value(key) }
func (v *values) String() string           { return "appscope request " + v.r.label }

// Deadline is the client's: the request adds none.
func (r *request) Deadline() (time.Time, bool) { return r.client.Deadline() }

// Done returns the channel closed when the client goes away or the
// request is stopped; the first call makes the request's cancellable
// context.
func (r *request) Done() <-chan struct{} { return r.ctx().Done() }

// Err is context.Canceled once the request has been stopped, and
// otherwise the client's context's error.
func (r *request) Err() error {
	if c := r.live.Load(); c != nil {
		return c.Err()
	}
	if r.stopped.Load() {
		return context.Canceled
	}
	return r.client.Err()
}

// Value returns the request itself for requestKey{}, and otherwise what
// the context underneath holds (for context.Cause, the cause the request
// was stopped with, or the client's).
func (r *request) Value(key any) any {
	if _, ok := key.(requestKey); ok {
		return r
	}
	if c := r.live.Load(); c != nil {
		return c.Value(key)
	}
	if r.stopped.Load() {
		return r.ctx().Value(key)
	}
	return r.client.Value(key)
}

func (r *request) String() string { return "appscope request " + r.label }

// ctx returns the request's cancellable context, making it if it is not
// made yet: a child of the client's context (registered under it, so
// cancelled with it) while the request runs; once the request has been
// stopped, a context already cancelled with the cause it was stopped with
// (registered nowhere).
func (r *request) ctx() context.Context {
	if c := r.live.Load(); c != nil {
		return c.Context
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.live.Load(); c != nil {
		return c.Context
	}
	c := &liveContext{}
	if r.stopCause != nil {
		var cancel context.CancelCauseFunc
		c.Context, cancel = context.WithCancelCause(context.WithoutCancel(r.client))
		cancel(r.stopCause)
	} else {
		c.Context, r.cancel = context.WithCancelCause(r.client)
	}
	r.live.Store(c)
	return c.Context
}

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
// The effects run with the returned context are interrupted when it is
// cancelled, with its cause ([context.Cause]) as the reason: the request
// interrupts them itself (see the package doc's Cost).
//
// Cost: a context, the request's record and a few hundred nanoseconds; a
// request that never runs an effect opens no scope, and a request scope
// that no effect used (no fiber forked, no finalizer added) closes without
// running an effect.
func (a *App[R]) Begin(ctx context.Context, label string) (context.Context, func() error, error) {
	req, ok := a.begin(ctx, label)
	if !ok {
		return ctx, func() error { return nil }, ErrShutdown
	}
	return req, func() error { return a.end(req) }, nil
}

// begin counts a request in and registers it; ok is false when the App is
// stopping. The request's context is cancelled by Stop through the
// registry: a request registered as Stop walks it is either seen by the
// walk or sees the stopping flag here.
func (a *App[R]) begin(ctx context.Context, label string) (*request, bool) {
	if !a.enter() {
		return nil, false
	}
	req := &request{owner: a, id: a.reqIDs.Add(1), label: label, started: time.Now(), client: ctx}
	req.vals.r = req
	req.running = req.buf[:0]
	a.requests.add(req)
	if a.stopping.Load() {
		req.stop(ErrShutdown)
	}
	return req, true
}

// end ends req (once; later calls return nil): it closes the request
// scope, if an effect opened it, and counts the request out. An unused
// scope closes at once; otherwise its fibers are interrupted and awaited
// and its finalizers run, with the request's values (not its
// cancellation).
func (a *App[R]) end(req *request) error {
	req.mu.Lock()
	if req.ended {
		req.mu.Unlock()
		return nil
	}
	req.ended = true
	s := req.scope
	req.mu.Unlock()
	var err error
	if s != nil && !s.TryClose() {
		err = s.Close(context.WithoutCancel(req))
	}
	a.finish(req)
	return err
}

// finish counts the request out.
func (a *App[R]) finish(req *request) {
	req.stop(errEnded)
	req.mu.Lock()
	unwatch := req.unwatch
	req.unwatch = nil
	req.mu.Unlock()
	if unwatch != nil {
		unwatch()
	}
	a.requests.remove(req)
	a.leave()
}

// stop cancels the request's context with cause (the first cause wins,
// the client's going away included) and interrupts the effects running
// with it. If the request's cancellable context is not made, it only
// records the cause.
func (r *request) stop(cause error) {
	r.mu.Lock()
	live, cancel := r.live.Load(), r.cancel
	if live == nil && r.stopCause == nil {
		if r.client.Err() != nil {
			cause = context.Cause(r.client) // the client went away first
		}
		r.stopCause = cause
		r.stopped.Store(true)
	}
	reason := r.stopCause
	r.mu.Unlock()
	if live != nil {
		if cancel != nil {
			cancel(cause)
		}
		reason = context.Cause(live.Context)
	}
	r.interrupt(reason)
}

// interrupt interrupts the effects running with the request's context,
// and those that start later, with reason (the first reason wins).
func (r *request) interrupt(reason error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.why == nil {
		r.why = reason
	}
	for _, h := range r.running {
		h.Interrupt(r.why)
	}
}

// track counts h among the request's running effects (interrupting it at
// once if the request has stopped) and records it as the request's latest
// fiber; untrack removes it once its run has returned.
func (r *request) track(h effect.FiberHandle) {
	r.fiber.Store(uint64(h.ID()))
	r.mu.Lock()
	r.running = append(r.running, h)
	why := r.why
	r.mu.Unlock()
	if why != nil {
		h.Interrupt(why)
	}
}

func (r *request) untrack(h effect.FiberHandle) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range r.running {
		if k == h {
			last := len(r.running) - 1
			r.running[i] = r.running[last]
			r.running[last] = effect.FiberHandle{}
			r.running = r.running[:last]
			return
		}
	}
}

// watchLocked makes the client's going away interrupt the request's
// effects, once (its context's cancellation follows the client's by
// itself). The caller holds r.mu.
func (r *request) watchLocked() {
	if r.unwatch != nil || r.client.Done() == nil {
		return
	}
	client := r.client
	r.unwatch = context.AfterFunc(client, func() { r.interrupt(context.Cause(client)) })
}

// run runs e with ctx, the request's context or a context made from it,
// its fiber tracked by r: the request's stop, its end and its client's
// going away interrupt it, with the cause of the request's context (or the
// client's) as the reason. With the request's context itself, e runs with
// the request's values (r.vals): its cancellation reaches e through r,
// and the run costs no watch of it. If build is not nil, e is what
// build(ctx) returns, called inside the effect (a panic in it is a
// defect); if s is not nil, e runs in s.
func run[R, E, A any](a *App[R], r *request, ctx context.Context, s *effect.Scope, e effect.Effect[R, E, A], build func(context.Context) effect.Effect[R, E, A]) effect.Exit[E, A] {
	bctx := ctx
	if ctx == context.Context(r) {
		ctx = &r.vals
	}
	var h effect.FiberHandle
	tracked := effect.FlatMap(effect.CurrentFiber[R, E](), func(fh effect.FiberHandle) effect.Effect[R, E, A] {
		h = fh
		r.track(fh)
		if build != nil {
			e = build(bctx)
		}
		if s != nil {
			return effect.Extend(s, e)
		}
		return e
	})
	ex := a.rt.RunExit(ctx, tracked, a.env)
	if h != (effect.FiberHandle{}) {
		r.untrack(h)
	}
	return ex
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
//
// If ctx belongs to a request of this App already (a middleware began it with
// [App.Request] or [App.Begin]), Serve begins none and label is not used:
// the effect runs in that request's scope, as [App.RunExit] runs it, and
// build receives ctx. So a handler written with Serve works behind the
// adapters' middlewares and without them.
func (a *App[R]) Serve[E, A any](ctx context.Context, label string, build func(ctx context.Context) effect.Effect[R, E, A]) effect.Exit[E, A] {
	if req := a.requestOf(ctx); req != nil {
		return runInRequest(a, req, ctx, effect.Effect[R, E, A]{}, build)
	}
	req, ok := a.begin(ctx, label)
	if !ok {
		return effect.FailedWith[E, A](effect.CauseInterrupt[E](0, ErrShutdown))
	}
	defer a.finish(req)
	body := effect.FlatMap(effect.CurrentScope[R, E](), func(s *effect.Scope) effect.Effect[R, E, A] {
		req.mu.Lock()
		if req.scope == nil {
			req.scope = s
		}
		req.watchLocked()
		req.mu.Unlock()
		return build(req)
	})
	ex := run(a, req, req, nil, effect.Extend(a.scope, effect.Scoped(body)), nil)
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
// It returns [ErrShutdown] itself (err == ErrShutdown holds) without
// calling fn when the App is stopping (the server should answer 503), and
// otherwise the failures of the request scope's finalizers (nil if none),
// which are never ErrShutdown itself. A panic in fn is raised again,
// with its value, once the scope has closed (so http.ErrAbortHandler
// keeps its meaning).
func (a *App[R]) Request(ctx context.Context, label string, fn func(ctx context.Context)) error {
	req, ok := a.begin(ctx, label)
	if !ok {
		return ErrShutdown
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
		fn(req)
	}()
	err := a.end(req)
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
		return runInRequest(a, req, ctx, e, nil)
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

// runInRequest runs e in req's scope, with ctx; or, if build is not nil,
// the effect that build(ctx) returns, called inside it (a panic in build
// is a defect).
func runInRequest[R, E, A any](a *App[R], req *request, ctx context.Context, e effect.Effect[R, E, A], build func(context.Context) effect.Effect[R, E, A]) effect.Exit[E, A] {
	s := req.openScope(a.scope)
	if s == nil {
		return effect.FailedWith[E, A](effect.CauseInterrupt[E](0, errEnded))
	}
	return run(a, req, ctx, s, e, build)
}

// openScope returns the request's scope, opening it, a child of parent,
// if no effect of the request has yet; nil if the request has ended.
// Opening it from plain Go under the request's lock costs one allocation
// and lets concurrent first effects agree on it.
func (r *request) openScope(parent *effect.Scope) *effect.Scope {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return nil
	}
	if r.scope == nil {
		r.scope = parent.NewScope()
		r.watchLocked()
	}
	return r.scope
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
