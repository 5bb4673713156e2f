package effect

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// ErrRuntimeShutdown is the reason of the interruption of an effect started
// on a [Runtime] that has been shut down.
var ErrRuntimeShutdown = errors.New("effect: runtime shut down")

// Runtime runs effects and keeps the state that they share: the registry of
// live fibers and scopes (see [Runtime.Fibers] and [Runtime.Dump]), the
// lifecycle hooks, and the global scope where daemon fibers live. A Runtime
// starts no goroutine of its own; every goroutine belongs to a fiber. The
// zero Runtime is not usable: call [NewRuntime].
//
// Use one Runtime per application (or per test), so that the registry and
// hooks of one do not see the fibers of another. [Run] and [RunExit] use a
// fresh Runtime for each call.
type Runtime struct {
	// Read by every fiber at its start and end, and at its waits.
	obs      atomic.Pointer[observer] // observe.go: nil while nothing observes
	stepHook atomic.Pointer[func(FiberID) bool]
	hooksMu  sync.Mutex
	watch    watchers // observe.go: hooks, tracer and trackers, under hooksMu
	root     Scope
	// Written at every fork: kept off the cache line of what fibers read,
	// or every start would miss on the parent's writes.
	_        [64]byte
	fiberIDs atomic.Uint64
	scopeIDs atomic.Uint64
	_        [64]byte
}

// ErrStepHook is the reason of an interruption requested by a step hook
// (see [Runtime.SetStepHook]).
var ErrStepHook = errors.New("effect: interrupted by the step hook")

// SetStepHook installs h, a testing facility: the hook installed at the
// time is called before each step of every fiber made while one is
// installed, with the fiber's ID, and when it
// returns true that fiber is interrupted right there, as if another fiber
// had interrupted it between two steps. Sweeping the step at which a fiber
// is interrupted is how the tests of semaphores, pools and breakers prove
// that no interruption point leaks a permit. A nil h removes the hook. The
// hook costs a flag check per step of a fiber made without one.
func (rt *Runtime) SetStepHook(h func(FiberID) bool) {
	// A fiber records only that a hook was set when it was made (a flag in
	// its padding), and loads the hook at each step.
	if h == nil {
		rt.stepHook.Store(nil)
		return
	}
	rt.stepHook.Store(&h)
}

// stepHooked calls the runtime's step hook for f's next step, if one is
// installed, and reports whether it asks for f's interruption.
func (f *fiber) stepHooked() bool {
	h := f.rt.stepHook.Load()
	return h != nil && (*h)(f.id)
}

// NewRuntime returns a new runtime.
func NewRuntime() *Runtime {
	rt := &Runtime{}
	rt.root.id.Store(rt.scopeIDs.Add(1))
	rt.root.rt = rt
	rt.root.label = "runtime"
	rt.debugFromEnv() // observe: GOGOSCOPE_DEBUG (debug.go)
	return rt
}

// RunExit runs e with the environment env on the calling goroutine and
// returns its exit. Cancelling ctx interrupts e (with [context.Cause] of ctx
// as the reason); RunExit still returns only after e's finalizers have run.
// The values of ctx are visible to plain Go code lifted with [Try]; its
// cancellation reaches that code only through the interruption.
//
// Cost: a run allocates its fiber (one object). A ctx that can be cancelled
// is watched lazily: while e only steps, the fiber polls ctx's Done channel
// before each step (a non-blocking receive); it registers with ctx
// ([context.AfterFunc]) only when it must be woken — when it suspends
// (a sleep, a join, a semaphore), hands a cancellable context to plain Go
// ([Try], a [Effect.Timeout] region), or has stepped long enough that
// polling would cost more than the registration. So a short effect under a
// request's context costs no registration at all.
func (rt *Runtime) RunExit[R, E, A any](ctx context.Context, e Effect[R, E, A], env R) Exit[E, A] {
	if ctx == nil {
		panic("effect.Runtime.RunExit: ctx must not be nil (use context.Background())")
	}
	done := ctx.Done()
	if done == nil {
		// Never cancelled: nothing to watch.
		fb := &Fiber[E, A]{}
		f := &fb.fiber
		f.init(rt, nil, &rt.root, ctx)
		if !rt.root.attach(f) {
			return Exit[E, A]{cause: CauseInterrupt[E](0, ErrRuntimeShutdown)}
		}
		runFiber(fb, env, e)
		return fb.exit
	}
	r := &watchedRun[E, A]{}
	f := &r.fiber
	f.init(rt, nil, &rt.root, ctx)
	if !rt.root.attach(f) {
		return Exit[E, A]{cause: CauseInterrupt[E](0, ErrRuntimeShutdown)}
	}
	r.w = srcWatch{f: f, src: ctx, done: done}
	if ctx.Err() != nil {
		r.w.fire()
	} else {
		f.src = &r.w
	}
	runFiber(&r.Fiber, env, e)
	r.w.release()
	return r.exit
}

// watchedRun is the root fiber of a run whose context can be cancelled,
// with the watch of that context: one allocation.
type watchedRun[E, A any] struct {
	Fiber[E, A]
	w srcWatch
}

// srcWatch makes the cancellation of the context given to RunExit (src)
// interrupt the run's fiber f. It starts polled: f.src points to it and
// the run loop checks done before each step (pollSrc). It is armed —
// registered with src through context.AfterFunc, f.src cleared — when f
// must be woken from outside: see fiber.armSrc.
type srcWatch struct {
	f     *fiber
	src   context.Context
	done  <-chan struct{}
	polls uint32
	stop  func() bool    // the registration's stop, once armed
	fired sync.WaitGroup // counts the callback once armed
}

// pollsBeforeArm is how many steps a watch polls before it arms: a
// registration costs about as much as a few hundred polls.
const pollsBeforeArm = 256

// pollSrc checks, for f's next step, whether Run's context is done, and
// interrupts f if so; it reports whether f is now being interrupted. After
// pollsBeforeArm polls it arms the watch instead.
func (f *fiber) pollSrc() bool {
	w := f.src
	select {
	case <-w.done:
		f.src = nil
		w.fire()
		return f.intr.Load()
	default:
	}
	if w.polls++; w.polls >= pollsBeforeArm {
		f.armSrc()
	}
	return false
}

// armSrc registers the watch of Run's context, if f has one that is still
// polled, so that its cancellation interrupts f wherever f is.
func (f *fiber) armSrc() {
	w := f.src
	if w == nil {
		return
	}
	f.src = nil
	w.fired.Add(1)
	w.stop = context.AfterFunc(w.src, w.fireArmed)
}

// fire interrupts f for the cancellation of src.
func (w *srcWatch) fire() {
	w.f.interruptAs(0, &ctxStop{cause: context.Cause(w.src), err: w.src.Err()})
}

func (w *srcWatch) fireArmed() {
	defer w.fired.Done()
	w.fire()
}

// release ends the watch once the run is over: it unregisters it, or waits
// for its callback if that has begun, so that nothing of the run outlives
// RunExit.
func (w *srcWatch) release() {
	if w.stop != nil && !w.stop() {
		w.fired.Wait()
	}
}

// Run runs e as [Runtime.RunExit] does and returns its value, or an error:
// nil on success; a lone expected failure that is an error, as itself;
// otherwise the [Cause], whose leaves [errors.Is] and [errors.As] see (an
// interruption matches [context.Canceled], a timeout
// [context.DeadlineExceeded], a defect is a *[Defect] with its stack).
func (rt *Runtime) Run[R, E, A any](ctx context.Context, e Effect[R, E, A], env R) (A, error) {
	return rt.RunExit(ctx, e, env).Get()
}

// Start starts e on a new fiber in the runtime's global scope and returns at
// once. The fiber runs until it ends, is interrupted ([Fiber.InterruptFromGo],
// an effect's [Interrupt]), or the runtime is shut down. Cancelling
// ctx does not stop it; ctx only lends its values.
func (rt *Runtime) Start[R, E, A any](ctx context.Context, e Effect[R, E, A], env R) *Fiber[E, A] {
	if ctx == nil {
		panic("effect.Runtime.Start: ctx must not be nil (use context.Background())")
	}
	return start(rt, nil, &rt.root, env, e, ctx)
}

// NewScope returns a new scope, a child of the runtime's global scope, for
// applications that manage lifetimes by hand (a server builds its services
// in a scope at start and closes it at shutdown). Close it with
// [Scope.Close]. opts configure the new scope ([WithPolicy]).
func (rt *Runtime) NewScope(opts ...ScopeOption) *Scope {
	s := newScope(rt, &rt.root, 0, "")
	s.apply(opts)
	return s
}

// Close closes the scope from plain Go, as [CloseScope] does, and returns
// the finalizers' failures (nil if none). It returns only once the scope is
// closed: every fiber in it has ended and every finalizer has run. ctx lends
// its values to the finalizers; cancelling it, before or during the call,
// does not cut the closing short, because finalizers always run to their
// end. A Close that finds the scope closing (another goroutine's Close, its
// parent's close, [Runtime.Shutdown]) waits for that close to end and returns
// the same result; a Close of a closed scope returns that result at once. A
// finalizer that closes its own scope gets nil at once.
func (s *Scope) Close(ctx context.Context) error {
	if ctx == nil {
		panic("effect.Scope.Close: ctx must not be nil (use context.Background())")
	}
	fb := &Fiber[error, struct{}]{}
	f := &fb.fiber
	f.init(s.rt, nil, &s.rt.root, ctx)
	f.locals.interruptible = false
	_, c := runRoot(f, nil, CloseScope[any, error](s))
	return errorOf(c)
}

// Shutdown closes the runtime's global scope: it interrupts every fiber
// started with [Runtime.Start] or forked as a daemon, and every effect still
// running in [Runtime.Run], waits for them to end, and closes the scopes made
// with [Runtime.NewScope]. Effects run after Shutdown fail at once with an
// interruption whose reason is [ErrRuntimeShutdown].
func (rt *Runtime) Shutdown(ctx context.Context) error {
	fb := &Fiber[any, Cause[any]]{}
	f := &fb.fiber
	f.init(rt, nil, &rt.root, ctx)
	f.locals.interruptible = false
	c, cause := runRoot(f, nil, closeScope(&rt.root, Exit[any, any]{cause: CauseInterrupt[any](0, ErrRuntimeShutdown)}))
	return errorOf(c.Then(cause))
}

// Run runs e with env on the calling goroutine, on a fresh [Runtime], and
// returns its value or error as [Runtime.Run] does. Cancelling ctx
// interrupts e. Fibers forked as daemons are not stopped when Run returns;
// use a Runtime and [Runtime.Shutdown] to stop them.
func Run[R, E, A any](ctx context.Context, e Effect[R, E, A], env R) (A, error) {
	if ctx == nil {
		panic("effect.Run: ctx must not be nil (use context.Background())")
	}
	return NewRuntime().Run(ctx, e, env)
}

// RunExit runs e as [Run] does and returns its exit.
func RunExit[R, E, A any](ctx context.Context, e Effect[R, E, A], env R) Exit[E, A] {
	if ctx == nil {
		panic("effect.RunExit: ctx must not be nil (use context.Background())")
	}
	return NewRuntime().RunExit(ctx, e, env)
}

// detach returns ctx without its cancellation, keeping its values; a
// context that is never cancelled is returned as it is.
func detach(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}
