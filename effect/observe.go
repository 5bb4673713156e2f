package effect

import (
	"context"
	"log/slog"
	"runtime/pprof"
	"sync/atomic"
	"time"
	"unsafe"
)

// The observability plumbing: what a runtime's watchers (hooks, a tracer,
// wait tracking) compile to, and what a fiber carries for them.
//
// The kernel calls into this file at a few points, each behind one atomic
// load and a nil check of Runtime.obs: a fiber's start and end, the start
// and end of a wait, an interruption request, a finalizer run and a retry
// decision. While nothing watches the runtime, obs is nil and those points
// cost that check and nothing else.

// observer is a runtime's watchers compiled per event, so that an event
// calls only the hooks that want it.
type observer struct {
	fiberStart   []func(FiberInfo)
	fiberEnd     []func(FiberInfo, error)
	scopeOpen    []func(ScopeInfo)
	scopeClose   []func(ScopeInfo)
	finalizerEnd []func(context.Context, FinalizerEvent)
	interrupt    []func(InterruptEvent)
	retry        []func(context.Context, RetryEvent)
	waitStart    []func(context.Context, WaitEvent)
	waitEnd      []func(context.Context, WaitEvent)
	namedStart   []func(context.Context, NamedEvent)
	namedEnd     []func(context.Context, NamedEvent)
	tracer       Tracer
	labels       bool // label goroutines for pprof (debug.go)
}

// watchers are what watches a runtime, under its hooksMu.
type watchers struct {
	hooks    []*Hooks
	tracer   Tracer
	tracking int // TrackWaits calls in force
	labels   int // LabelGoroutines calls in force
}

func appendHook[F any](list []F, h F, ok bool) []F {
	if ok {
		return append(list, h)
	}
	return list
}

// rebuildLocked compiles the watchers into a new observer, or nil when
// nothing watches; the caller holds hooksMu.
func (rt *Runtime) rebuildLocked() {
	w := &rt.watch
	if len(w.hooks) == 0 && w.tracer == nil && w.tracking == 0 && w.labels == 0 {
		rt.obs.Store(nil)
		return
	}
	o := &observer{tracer: w.tracer, labels: w.labels > 0}
	for _, h := range w.hooks {
		o.fiberStart = appendHook(o.fiberStart, h.FiberStart, h.FiberStart != nil)
		o.fiberEnd = appendHook(o.fiberEnd, h.FiberEnd, h.FiberEnd != nil)
		o.scopeOpen = appendHook(o.scopeOpen, h.ScopeOpen, h.ScopeOpen != nil)
		o.scopeClose = appendHook(o.scopeClose, h.ScopeClose, h.ScopeClose != nil)
		o.finalizerEnd = appendHook(o.finalizerEnd, h.FinalizerEnd, h.FinalizerEnd != nil)
		o.interrupt = appendHook(o.interrupt, h.Interrupt, h.Interrupt != nil)
		o.retry = appendHook(o.retry, h.Retry, h.Retry != nil)
		o.waitStart = appendHook(o.waitStart, h.WaitStart, h.WaitStart != nil)
		o.waitEnd = appendHook(o.waitEnd, h.WaitEnd, h.WaitEnd != nil)
		o.namedStart = appendHook(o.namedStart, h.NamedStart, h.NamedStart != nil)
		o.namedEnd = appendHook(o.namedEnd, h.NamedEnd, h.NamedEnd != nil)
	}
	rt.obs.Store(o)
}

// TrackWaits makes the runtime record when each fiber starts and when each
// wait begins, so that dumps say for how long a fiber has waited and
// [Runtime.Stuck] can find the long waits, and returns a function that
// stops it (calls nest: recording stops when every stop has been called).
// Installing hooks or a tracer records them too; a [Watchdog] does it for
// as long as it runs. Recording costs two clock reads per wait.
func (rt *Runtime) TrackWaits() (stop func()) {
	return rt.watchCount(func(w *watchers) *int { return &w.tracking })
}

// watchCount adds one to the counter of rt's watchers that field selects
// and returns the function that takes it back, once.
func (rt *Runtime) watchCount(field func(*watchers) *int) (stop func()) {
	rt.hooksMu.Lock()
	defer rt.hooksMu.Unlock()
	*field(&rt.watch)++
	rt.rebuildLocked()
	done := false
	return func() {
		rt.hooksMu.Lock()
		defer rt.hooksMu.Unlock()
		if !done {
			done = true
			*field(&rt.watch)--
			rt.rebuildLocked()
		}
	}
}

// fiberObs is a fiber's observability state, made on first use: by a
// [Named] or [Annotate] region, a wait while the runtime is watched, or at
// the fork of a child of a fiber that has names.
type fiberObs struct {
	// tags are the names and annotations in force; other goroutines (dumps,
	// FiberOf) read them.
	tags atomic.Pointer[tags]
	// since is when the wait sinceFor began, started when the fiber
	// started; both under the fiber's mu.
	since    time.Time
	sinceFor waitInfo
	started  time.Time
	// first is the first name the fiber entered itself (under the
	// fiber's mu); entered is set once it has (the fiber's goroutine).
	first   string
	entered bool
	// labeled is set when the fiber labelled its goroutine for pprof; the
	// fiber's goroutine only.
	labeled bool
}

// observed returns f's observability state, making it if needed. Only f's
// own goroutine calls it.
func (f *fiber) observed() *fiberObs {
	if o := f.obs.Load(); o != nil {
		return o
	}
	o := &fiberObs{}
	f.obs.Store(o)
	return o
}

// inherit gives a new fiber the names and annotations of its parent's po.
func (f *fiber) inherit(po *fiberObs) {
	if t := po.tags.Load(); t != nil {
		o := &fiberObs{}
		o.tags.Store(t)
		f.obs.Store(o)
	}
}

func (o *fiberObs) name() string {
	if t := o.tags.Load(); t != nil {
		return t.name
	}
	return ""
}

// name returns f's current name, safe from any goroutine.
func (f *fiber) name() string {
	if o := f.obs.Load(); o != nil {
		return o.name()
	}
	return ""
}

// tags are the names and annotations in force on a fiber: an immutable
// list, innermost first, shared with the children forked under it.
type tags struct {
	name   string      // the innermost name
	attrs  []slog.Attr // the annotations of this level
	run    *namedRun   // the innermost Named run
	parent *tags
}

// fiberCtxKey finds the fiber in a context it handed to plain Go.
type fiberCtxKey struct{}

// fiberCtx is a context that carries its fiber: the base context of every
// fiber (fiber.vctx, no allocation of its own), from which all the contexts
// that the fiber hands to plain Go derive, so that FiberOf, and through it
// the slog handler of observe/logging, know which fiber logs. It exists
// only as the vctx field of a fiber, which is how it knows its fiber
// without a pointer of its own (fiberOfCtx): 8 bytes less in every fiber.
type fiberCtx struct {
	context.Context
}

// fiberOfCtx returns the fiber whose vctx field c is.
func fiberOfCtx(c *fiberCtx) *fiber {
	return (*fiber)(unsafe.Add(unsafe.Pointer(c), -int(unsafe.Offsetof(fiber{}.vctx))))
}

func (c *fiberCtx) Value(key any) any {
	if key == (fiberCtxKey{}) {
		return fiberOfCtx(c)
	}
	return c.Context.Value(key)
}

// FiberLabels is what a context handed out by a fiber tells about it: the
// labels that the slog handler of observe/logging adds to each record.
type FiberLabels struct {
	// ID is the fiber's ID.
	ID FiberID
	// Name is the innermost [Named] effect the fiber runs under, inherited
	// from the forking fiber; empty if none.
	Name string
	// ScopePath lists the scopes from the runtime's global scope down to
	// the one that supervises the fiber.
	ScopePath []ScopeID
	// Annotations are the attributes of the [Annotate] regions in force,
	// outermost first.
	Annotations []slog.Attr
}

// FiberOf returns the labels of the fiber whose context ctx is (or derives
// from): the ctx that [Try] hands to plain Go, the one [Context] returns,
// and any context made from them. It reports false for a context that no
// fiber handed out. It reads the fiber's current names, so it is safe from
// any goroutine.
func FiberOf(ctx context.Context) (FiberLabels, bool) {
	f, ok := ctx.Value(fiberCtxKey{}).(*fiber)
	if !ok {
		return FiberLabels{}, false
	}
	l := FiberLabels{ID: f.id, ScopePath: f.home.path()}
	if o := f.obs.Load(); o != nil {
		t := o.tags.Load()
		if t != nil {
			l.Name = t.name
		}
		var levels [][]slog.Attr
		for ; t != nil; t = t.parent {
			if len(t.attrs) > 0 {
				levels = append(levels, t.attrs)
			}
		}
		for i := len(levels) - 1; i >= 0; i-- {
			l.Annotations = append(l.Annotations, levels[i]...)
		}
	}
	return l, true
}

// path returns the IDs of the scopes from the root down to s.
func (s *Scope) path() []ScopeID {
	n := 0
	for p := s; p != nil; p = p.parent {
		n++
	}
	out := make([]ScopeID, n)
	for p := s; p != nil; p = p.parent {
		n--
		out[n] = p.ID()
	}
	return out
}

// Context returns an effect that succeeds with the fiber's context: the
// values of the ctx given to [Run], the span of the innermost [Named]
// effect when a [Tracer] is installed, and the fiber itself for [FiberOf].
// It is never cancelled, not even by an interruption: use it to log, or to
// start a span by hand, not to call I/O (use [Try] for that).
func Context[R, E any]() Effect[R, E, context.Context] {
	return withView(func(v view) Effect[R, E, context.Context] {
		return Succeed[R, E](context.WithoutCancel(v.values()))
	})
}

func (o *observer) fiberStarted(f *fiber) {
	fo := f.observed()
	now := time.Now()
	f.mu.Lock()
	fo.started = now
	f.mu.Unlock()
	if o.labels {
		f.setLabels(fo.name())
		fo.labeled = true
	}
	if len(o.fiberStart) > 0 {
		info := f.info()
		for _, h := range o.fiberStart {
			h(info)
		}
	}
}

func (o *observer) fiberEnded(f *fiber, err error) {
	if fo := f.obs.Load(); fo != nil && fo.labeled {
		// Give the goroutine back the labels of Run's ctx: the root fiber
		// runs on its caller's goroutine.
		pprof.SetGoroutineLabels(f.base())
	}
	if len(o.fiberEnd) > 0 {
		info := f.info()
		for _, h := range o.fiberEnd {
			h(info, err)
		}
	}
}

// waitBegan records when f began to wait on w and calls the WaitStart
// hooks; f's own goroutine calls it.
func (o *observer) waitBegan(f *fiber, w waitInfo) {
	fo := f.observed()
	now := time.Now()
	f.mu.Lock()
	fo.since, fo.sinceFor = now, w
	f.mu.Unlock()
	if len(o.waitStart) > 0 {
		ev := waitEvent(f, w, now)
		for _, h := range o.waitStart {
			h(f.valueContext(), ev)
		}
	}
}

// waitEnding calls the WaitEnd hooks for the wait f is ending.
func (o *observer) waitEnding(f *fiber) {
	fo := f.obs.Load()
	if fo == nil {
		return
	}
	f.mu.Lock()
	w, since, known := f.waiting, fo.since, sameWait(fo.sinceFor, f.waiting)
	fo.since, fo.sinceFor = time.Time{}, waitInfo{}
	f.mu.Unlock()
	if !known || len(o.waitEnd) == 0 {
		return
	}
	ev := waitEvent(f, w, since)
	ev.Duration = time.Since(since)
	// The wait counts against every Named run of this fiber in force
	// (not those inherited from the parent, which run on another fiber).
	var last *namedRun
	for t := fo.tags.Load(); t != nil; t = t.parent {
		if r := t.run; r != nil && r != last && r.fiber == f.id {
			r.waited.Add(int64(ev.Duration))
			last = r
		}
	}
	for _, h := range o.waitEnd {
		h(f.valueContext(), ev)
	}
}

// sameWait reports whether a and b are the same wait. Blockers are
// comparable (pointers, or structs of pointers), as AsyncOn requires.
func sameWait(a, b waitInfo) bool { return a.active() && a == b }

func waitEvent(f *fiber, w waitInfo, since time.Time) WaitEvent {
	kind, name := w.kind()
	ev := WaitEvent{Fiber: f.id, Kind: kind, Resource: name, Length: w.d, Since: since}
	if fo := f.obs.Load(); fo != nil {
		if t := fo.tags.Load(); t != nil {
			ev.FiberName = t.name
		}
	}
	return ev
}

func (o *observer) interruptRequested(f *fiber, by FiberID, why error) {
	if len(o.interrupt) == 0 {
		return
	}
	ev := InterruptEvent{Fiber: f.id, FiberName: f.name(), By: by, Reason: why}
	for _, h := range o.interrupt {
		h(ev)
	}
}

func (o *observer) retried(f *fiber, repeat bool, attempt int, delay time.Duration, err error, stop bool) {
	if len(o.retry) == 0 {
		return
	}
	ev := RetryEvent{Fiber: f.id, FiberName: f.name(), Repeat: repeat, Attempt: attempt, Err: err, Stop: stop}
	if !stop {
		ev.Delay = delay
	}
	for _, h := range o.retry {
		h(f.valueContext(), ev)
	}
}

// timedFinalizer wraps fin, which the fiber f runs while closing s, to
// report its duration and outcome to the FinalizerEnd hooks.
func (o *observer) timedFinalizer(f *fiber, s *Scope, fin finalizer) finalizer {
	if len(o.finalizerEnd) == 0 {
		return fin
	}
	return func(ex Exit[any, any]) Effect[any, any, struct{}] {
		start := time.Now()
		ended := func(err error) {
			ev := FinalizerEvent{Fiber: f.id, FiberName: f.name(), Scope: s.ID(), Duration: time.Since(start), Err: err}
			for _, h := range o.finalizerEnd {
				h(f.valueContext(), ev)
			}
		}
		return MatchCauseEffect(Suspend(func() Effect[any, any, struct{}] { return fin(ex) }),
			func(c Cause[any]) Effect[any, any, struct{}] {
				ended(errorOf(c))
				return FailCause[any, struct{}](c)
			},
			func(struct{}) Effect[any, any, struct{}] {
				ended(nil)
				return Unit[any, any]()
			})
	}
}

// FinalizerEvent is what [Hooks.FinalizerEnd] receives.
type FinalizerEvent struct {
	// Fiber closes the scope; FiberName is its current name.
	Fiber     FiberID
	FiberName string
	// Scope is the scope whose finalizer ran.
	Scope ScopeID
	// Duration is how long the finalizer took.
	Duration time.Duration
	// Err is the finalizer's failure, as Run would return it; nil if it
	// succeeded.
	Err error
}

// InterruptEvent is what [Hooks.Interrupt] receives.
type InterruptEvent struct {
	// Fiber is the fiber to interrupt; FiberName its current name.
	Fiber     FiberID
	FiberName string
	// By is the fiber that asked, 0 for plain Go or the runtime itself.
	By FiberID
	// Reason says why ([ErrLostRace], a *[TimeoutError], [ErrScopeClosed],
	// the cause of Run's ctx...); nil if none was given.
	Reason error
}

// RetryEvent is what [Hooks.Retry] receives after each decision of a
// [Retry] or a [Repeat].
type RetryEvent struct {
	Fiber     FiberID
	FiberName string
	// Repeat tells a Repeat (after a success) from a Retry (after a
	// failure).
	Repeat bool
	// Attempt is the number of decisions of the schedule so far, this one
	// included: 1 after the first attempt.
	Attempt int
	// Delay is the wait before the next attempt; zero when Stop is set.
	Delay time.Duration
	// Err is the failure being retried, as Run would return it; nil for a
	// Repeat.
	Err error
	// Stop reports that the schedule gave up (Retry) or is done (Repeat).
	Stop bool
}

// WaitEvent is what [Hooks.WaitStart] and [Hooks.WaitEnd] receive.
type WaitEvent struct {
	Fiber     FiberID
	FiberName string
	// Kind is what the fiber waits for: "sleep", "join", "race",
	// "timeout", "retry", "deferred", "semaphore", "pool", "queue", ...
	Kind string
	// Resource names what is waited on: the primitive's name, or the
	// joined fiber ("#7"); empty when it has none.
	Resource string
	// Length is the length of a timed wait (a sleep, a retry's delay, a
	// timeout); zero otherwise.
	Length time.Duration
	// Since is when the wait began.
	Since time.Time
	// Duration is how long the wait lasted; zero in WaitStart.
	Duration time.Duration
}

// NamedEvent is what [Hooks.NamedStart] and [Hooks.NamedEnd] receive.
type NamedEvent struct {
	Fiber FiberID
	// Name is the named effect's name; Parent the name it runs under, if
	// any.
	Name   string
	Parent string
	// Attrs are the attributes given to [Named].
	Attrs []slog.Attr
	// Start is when the effect began.
	Start time.Time
	// Duration is how long it ran, and Waited how much of that the fiber
	// spent waiting (sleeps, joins, primitives); zero in NamedStart.
	Duration time.Duration
	Waited   time.Duration
	// Err is how the effect ended, as Run would return it (nil on
	// success); NamedEnd only.
	Err error
}
