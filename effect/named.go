package effect

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Named returns an effect that runs e under the name name: the fibers that
// run it (and the ones they fork) carry the name in dumps ([Runtime.Dump]),
// in [FiberInfo] and in the records of the slog handler of
// observe/logging; the profiler ([Profiler]) has a row for it; metrics
// label the fibers with it; and when a [Tracer] is installed
// ([Runtime.SetTracer]), it runs inside a span of that name with attrs as
// attributes, a child of the span in force, whose context reaches the
// plain Go code inside e ([Try]) and the fibers e forks. The span ends with
// e's outcome: a failure, a defect (with its stack) or an interruption
// (with its reason) is recorded on it.
//
// Names are for people: keep them few and stable ("fetch user", not "fetch
// user 42"; put the 42 in attrs), as they label metrics. Cost without a
// tracer or hooks: a few small allocations per run. It panics if name is
// empty.
func Named[R, E, A any](e Effect[R, E, A], name string, attrs ...slog.Attr) Effect[R, E, A] {
	if name == "" {
		panic("effect.Named: name must not be empty")
	}
	return bracketFiber(e, func(f *fiber) func(error) { return f.enterNamed(name, attrs) })
}

// Named is the method form of [Named].
func (e Effect[R, E, A]) Named(name string, attrs ...slog.Attr) Effect[R, E, A] {
	return Named(e, name, attrs...)
}

// Annotate returns an effect that runs e with attrs added to the
// annotations of its fiber: the slog handler of observe/logging adds them
// to every record logged with the fiber's context, inside e and in the
// fibers e forks (annotations flow to children), after the annotations
// already in force. It does not change the name.
func Annotate[R, E, A any](e Effect[R, E, A], attrs ...slog.Attr) Effect[R, E, A] {
	if len(attrs) == 0 {
		return e
	}
	return bracketFiber(e, func(f *fiber) func(error) {
		fo := f.observed()
		prev := fo.tags.Load()
		t := &tags{attrs: attrs, parent: prev}
		if prev != nil {
			t.name, t.run = prev.name, prev.run
		}
		fo.tags.Store(t)
		return func(error) { fo.tags.Store(prev) }
	})
}

// Annotate is the method form of [Annotate].
func (e Effect[R, E, A]) Annotate(attrs ...slog.Attr) Effect[R, E, A] { return Annotate(e, attrs...) }

// bracketFiber runs e in a region of the fiber: enter changes the fiber's
// observability state (and may set the span in force), and the function it
// returns is called with e's outcome, whatever it is (interruption and
// defects included), once the fiber's locals are restored.
func bracketFiber[R, E, A any](e Effect[R, E, A], enter func(f *fiber) func(err error)) Effect[R, E, A] {
	return Effect[R, E, A]{op: &namedOp[R, E, A]{src: e, enter: enter}}
}

// Tracer makes the spans of [Named] effects: package trace provides one
// over OpenTelemetry. Start begins a span, a child of the span in ctx (the
// fiber's context: the span of the enclosing Named effect, the one of the
// fiber that forked this one, or the one that the ctx given to [Run]
// carries). Start and the span's methods run on the fiber, so they must
// not block.
type Tracer interface {
	Start(ctx context.Context, span SpanStart) Span
}

// Span is a span that a [Tracer] started for a run of a [Named] effect.
type Span interface {
	// Context returns ctx with the span in it as the current span: the
	// contexts that the fiber hands to plain Go inside the Named effect
	// ([Try], [Context], the hooks) and to the fibers it forks.
	Context(ctx context.Context) context.Context
	// End ends the span with the effect's outcome: nil on success, else
	// the error Run would return (an *[InterruptedError] with its reason,
	// a *[Defect] with its stack, or the failure).
	End(err error)
}

// SpanStart describes a span to start.
type SpanStart struct {
	// Name is the Named effect's name.
	Name string
	// Fiber runs the effect; FiberName is the name it ran under before.
	Fiber     FiberID
	FiberName string
	// Attrs are the attributes given to [Named].
	Attrs []slog.Attr
}

// SetTracer installs t as the runtime's tracer (nil removes it). Fibers
// see the change at their next [Named] effect.
func (rt *Runtime) SetTracer(t Tracer) {
	rt.hooksMu.Lock()
	defer rt.hooksMu.Unlock()
	rt.watch.tracer = t
	rt.rebuildLocked()
}

// namedRun is one run of a Named effect.
type namedRun struct {
	name     string
	attrs    []slog.Attr
	fiber    FiberID
	start    time.Time // zero when nothing watched the start
	prevTags *tags
	span     Span            // the span, if one was started
	ctx      context.Context // the context of the hooks, if any
	// waited is the time the fiber spent waiting inside the run (in
	// nanoseconds), the profiler's "waiting" against "running".
	waited atomic.Int64
}

// enterNamed starts a run of the Named effect name on f and returns the
// function that ends it.
func (f *fiber) enterNamed(name string, attrs []slog.Attr) func(error) {
	fo := f.observed()
	run := &namedRun{name: name, attrs: attrs, fiber: f.id, prevTags: fo.tags.Load()}
	fo.tags.Store(&tags{name: name, run: run, parent: run.prevTags})
	if !fo.entered {
		fo.entered = true
		f.mu.Lock()
		fo.first = name
		f.mu.Unlock()
	}
	if o := f.rt.obs.Load(); o != nil {
		run.start = time.Now()
		if o.tracer != nil {
			span := SpanStart{Name: name, Fiber: f.id, Attrs: attrs}
			if run.prevTags != nil {
				span.FiberName = run.prevTags.name
			}
			run.span = o.tracer.Start(f.valueContext(), span)
			f.locals.span = run.span
		}
		if o.labels {
			f.setLabels(name)
			fo.labeled = true
		}
		if len(o.namedStart) > 0 || len(o.namedEnd) > 0 {
			run.ctx = f.valueContext()
		}
		if len(o.namedStart) > 0 {
			ev := run.event()
			for _, h := range o.namedStart {
				h(run.ctx, ev)
			}
		}
	}
	return func(err error) { f.leaveNamed(fo, run, err) }
}

func (f *fiber) leaveNamed(fo *fiberObs, run *namedRun, err error) {
	if o := f.rt.obs.Load(); o != nil && !run.start.IsZero() && len(o.namedEnd) > 0 {
		ev := run.event()
		ev.Duration = time.Since(run.start)
		ev.Waited = time.Duration(run.waited.Load())
		ev.Err = err
		ctx := run.ctx
		if ctx == nil {
			ctx = f.valueContext()
		}
		for _, h := range o.namedEnd {
			h(ctx, ev)
		}
	}
	if run.span != nil {
		run.span.End(err)
	}
	fo.tags.Store(run.prevTags)
	if fo.labeled {
		f.setLabels(fo.name())
	}
}

func (run *namedRun) event() NamedEvent {
	ev := NamedEvent{Fiber: run.fiber, Name: run.name, Attrs: run.attrs, Start: run.start}
	if run.prevTags != nil {
		ev.Parent = run.prevTags.name
	}
	return ev
}
