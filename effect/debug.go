package effect

import (
	"context"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
)

// DebugNamespaces are the namespaces of the runtime's own debug logging,
// for [Runtime.Debug] and the GOGOSCOPE_DEBUG environment variable: fiber
// (start, end), scope (open, close), finalizer (each run, with its
// duration), interrupt (each request, by whom, why), retry (each
// decision), wait (start, end) and named ([Named] effects' start and end).
// "all" (or "*") selects them all.
var DebugNamespaces = []string{"fiber", "scope", "finalizer", "interrupt", "retry", "wait", "named"}

// debugEnv reads GOGOSCOPE_DEBUG once per process; tests replace it.
var debugEnv = sync.OnceValue(func() string { return os.Getenv("GOGOSCOPE_DEBUG") })

// reportedUnknown holds the unknown namespaces already reported, so that
// each is reported once per process, however many runtimes are made.
var reportedUnknown sync.Map

// debugFromEnv turns on the debug logging that GOGOSCOPE_DEBUG asks for,
// through slog.Default(). With the variable unset it costs one call.
func (rt *Runtime) debugFromEnv() {
	if spec := debugEnv(); spec != "" {
		rt.Debug(spec, nil)
	}
}

// Debug turns on the runtime's debug logging for namespaces, a
// comma-separated list of [DebugNamespaces] ("scope,fiber,retry", or
// "all"), and returns a function that turns it off. Records go to logger,
// or to slog.Default() when logger is nil, at level Info (naming a
// namespace is the opt-in), with the message "gogoscope <namespace>
// <event>" and the fiber, its name and the event's details as attributes.
// An unknown namespace is reported once per process, as a warning on the
// same logger, and otherwise ignored. Every runtime made while the
// GOGOSCOPE_DEBUG environment variable is set does this with its value.
// Nothing is logged, and nothing costs, for namespaces not asked for.
func (rt *Runtime) Debug(namespaces string, logger *slog.Logger) (remove func()) {
	log := func() *slog.Logger {
		if logger != nil {
			return logger
		}
		return slog.Default()
	}
	on := map[string]bool{}
	for _, ns := range strings.Split(namespaces, ",") {
		ns = strings.TrimSpace(strings.ToLower(ns))
		switch {
		case ns == "":
		case ns == "all" || ns == "*":
			for _, k := range DebugNamespaces {
				on[k] = true
			}
		case slices.Contains(DebugNamespaces, ns):
			on[ns] = true
		default:
			if _, dup := reportedUnknown.LoadOrStore(ns, true); !dup {
				log().Warn("gogoscope: unknown debug namespace", "namespace", ns,
					"known", strings.Join(DebugNamespaces, ","))
			}
		}
	}
	if len(on) == 0 {
		return func() {}
	}
	emit := func(ctx context.Context, msg string, attrs ...slog.Attr) {
		attrs = slices.DeleteFunc(attrs, func(a slog.Attr) bool { return a.Equal(slog.Attr{}) })
		log().LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
	}
	bg := context.Background()
	var h Hooks
	if on["fiber"] {
		h.FiberStart = func(in FiberInfo) {
			emit(bg, "gogoscope fiber start", fiberAttrs(in.ID, in.Name, slog.Uint64("parent", uint64(in.Parent)),
				slog.Uint64("scope", uint64(in.Scope)))...)
		}
		h.FiberEnd = func(in FiberInfo, err error) {
			emit(bg, "gogoscope fiber end", fiberAttrs(in.ID, in.Name, errAttr(err))...)
		}
	}
	if on["scope"] {
		h.ScopeOpen = func(in ScopeInfo) {
			emit(bg, "gogoscope scope open", slog.Uint64("scope", uint64(in.ID)),
				slog.Uint64("parent", uint64(in.Parent)), slog.Uint64("owner", uint64(in.Owner)))
		}
		h.ScopeClose = func(in ScopeInfo) {
			emit(bg, "gogoscope scope close", slog.Uint64("scope", uint64(in.ID)))
		}
	}
	if on["finalizer"] {
		h.FinalizerEnd = func(ctx context.Context, ev FinalizerEvent) {
			emit(ctx, "gogoscope finalizer end", fiberAttrs(ev.Fiber, ev.FiberName,
				slog.Uint64("scope", uint64(ev.Scope)), slog.Duration("duration", ev.Duration), errAttr(ev.Err))...)
		}
	}
	if on["interrupt"] {
		h.Interrupt = func(ev InterruptEvent) {
			emit(bg, "gogoscope interrupt", fiberAttrs(ev.Fiber, ev.FiberName,
				slog.Uint64("by", uint64(ev.By)), errAttr(ev.Reason))...)
		}
	}
	if on["retry"] {
		h.Retry = func(ctx context.Context, ev RetryEvent) {
			emit(ctx, "gogoscope retry", fiberAttrs(ev.Fiber, ev.FiberName, slog.Bool("repeat", ev.Repeat),
				slog.Int("attempt", ev.Attempt), slog.Duration("delay", ev.Delay), slog.Bool("stop", ev.Stop), errAttr(ev.Err))...)
		}
	}
	if on["wait"] {
		h.WaitStart = func(ctx context.Context, ev WaitEvent) {
			emit(ctx, "gogoscope wait start", fiberAttrs(ev.Fiber, ev.FiberName, slog.String("kind", ev.Kind),
				slog.String("resource", ev.Resource))...)
		}
		h.WaitEnd = func(ctx context.Context, ev WaitEvent) {
			emit(ctx, "gogoscope wait end", fiberAttrs(ev.Fiber, ev.FiberName, slog.String("kind", ev.Kind),
				slog.String("resource", ev.Resource), slog.Duration("duration", ev.Duration))...)
		}
	}
	if on["named"] {
		h.NamedStart = func(ctx context.Context, ev NamedEvent) {
			emit(ctx, "gogoscope named start", slog.Uint64("fiber", uint64(ev.Fiber)), slog.String("name", ev.Name))
		}
		h.NamedEnd = func(ctx context.Context, ev NamedEvent) {
			emit(ctx, "gogoscope named end", slog.Uint64("fiber", uint64(ev.Fiber)), slog.String("name", ev.Name),
				slog.Duration("duration", ev.Duration), errAttr(ev.Err))
		}
	}
	return rt.AddHooks(h)
}

func fiberAttrs(id FiberID, name string, more ...slog.Attr) []slog.Attr {
	out := make([]slog.Attr, 0, 2+len(more))
	out = append(out, slog.Uint64("fiber", uint64(id)))
	if name != "" {
		out = append(out, slog.String("name", name))
	}
	return append(out, more...)
}

func errAttr(err error) slog.Attr {
	if err == nil {
		return slog.Attr{}
	}
	return slog.String("err", err.Error())
}

// LabelGoroutines makes the runtime label the goroutine of each fiber for
// runtime/pprof with "gogoscope.fiber" (its ID) and "gogoscope.name" (its
// innermost [Named] name, updated as the fiber enters and leaves named
// effects), on top of the labels of the ctx given to [Run], so that
// goroutine and CPU profiles group by fiber and by named effect
// (go tool pprof -tagfocus, -tags). It returns a function that stops
// labelling new fibers. It costs a label set per fiber start and per named
// effect.
func (rt *Runtime) LabelGoroutines() (stop func()) {
	return rt.watchCount(func(w *watchers) *int { return &w.labels })
}

// setLabels labels the current goroutine, f's, with f's ID and name on top
// of the labels of f's context.
func (f *fiber) setLabels(name string) {
	pprof.SetGoroutineLabels(pprof.WithLabels(f.base(), pprof.Labels("gogoscope.fiber", f.id.String(), "gogoscope.name", name)))
}
