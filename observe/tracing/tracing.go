package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gogoscope/gogoscope/effect"
)

// ScopeName is the instrumentation scope of the spans: the name of the
// OpenTelemetry tracer that [New] asks the provider for.
const ScopeName = "github.com/gogoscope/gogoscope/observe/tracing"

// Attribute keys set on the spans.
const (
	// KeyFiber is the ID of the fiber that ran the effect.
	KeyFiber = attribute.Key("gogoscope.fiber.id")
	// KeyFiberName is the name the fiber ran under when the effect began
	// (the enclosing Named effect), if any.
	KeyFiberName = attribute.Key("gogoscope.fiber.name")
	// KeyInterruptedBy is the fiber that requested an interruption, 0 for
	// plain Go.
	KeyInterruptedBy = attribute.Key("gogoscope.interrupted.by")
	// KeyReason is the reason of an interruption.
	KeyReason = attribute.Key("gogoscope.interrupted.reason")
	// KeyAttempt, KeyDelay and KeyStop describe a retry decision.
	KeyAttempt = attribute.Key("gogoscope.retry.attempt")
	KeyDelay   = attribute.Key("gogoscope.retry.delay")
	KeyStop    = attribute.Key("gogoscope.retry.stop")
)

// Event names.
const (
	// EventRetry is added for each decision of a Retry (after a failure).
	EventRetry = "gogoscope.retry"
	// EventRepeat is added for each decision of a Repeat (after a success).
	EventRepeat = "gogoscope.repeat"
	// EventInterrupted is added when the span's effect ends interrupted,
	// with the requester and the reason.
	EventInterrupted = "gogoscope.interrupted"
)

// Tracer is an [effect.Tracer] over an OpenTelemetry tracer. Make one with
// [New]; it is safe for concurrent use by any number of runtimes.
type Tracer struct {
	tr trace.Tracer
}

// New returns a Tracer whose spans come from tp (the SDK's
// sdktrace.TracerProvider, or any other). A nil tp stands for the global
// provider, otel.GetTracerProvider(), read at each span so that a provider
// set later is used.
func New(tp trace.TracerProvider) *Tracer {
	if tp == nil {
		return &Tracer{}
	}
	return &Tracer{tr: tp.Tracer(ScopeName)}
}

func (t *Tracer) tracer() trace.Tracer {
	if t.tr != nil {
		return t.tr
	}
	return otel.GetTracerProvider().Tracer(ScopeName)
}

// Start starts the span of a run of a Named effect, a child of the span in
// ctx: see [effect.Tracer].
func (t *Tracer) Start(ctx context.Context, s effect.SpanStart) effect.Span {
	attrs := make([]attribute.KeyValue, 0, len(s.Attrs)+2)
	attrs = append(attrs, KeyFiber.Int64(int64(s.Fiber)))
	if s.FiberName != "" {
		attrs = append(attrs, KeyFiberName.String(s.FiberName))
	}
	attrs = appendSlog(attrs, "", s.Attrs)
	_, sp := t.tracer().Start(ctx, s.Name, trace.WithAttributes(attrs...), trace.WithSpanKind(trace.SpanKindInternal))
	return span{sp}
}

// span adapts an OpenTelemetry span to effect.Span.
type span struct{ trace.Span }

func (s span) Context(ctx context.Context) context.Context { return trace.ContextWithSpan(ctx, s.Span) }

func (s span) End(err error) {
	Record(s.Span, err)
	s.Span.End()
}

// Record records on sp how an effect ended, as the spans of [Tracer] do:
// nothing for nil; for an interruption (an *[effect.InterruptedError]),
// an [EventInterrupted] event with the requester and the reason, and an
// error status unless the reason is [effect.ErrLostRace] (losing a race is
// how a race works); for a defect (an *[effect.Defect]), an exception
// event with the panic value and its stack, and an error status; for any
// other error, an exception event and an error status. It is exported for
// spans started by hand around effects ([effect.Context] gives the parent).
func Record(sp trace.Span, err error) {
	if err == nil {
		return
	}
	var ie *effect.InterruptedError
	if errors.As(err, &ie) {
		attrs := []attribute.KeyValue{KeyInterruptedBy.Int64(int64(ie.By))}
		if ie.Reason != nil {
			attrs = append(attrs, KeyReason.String(ie.Reason.Error()))
		}
		sp.AddEvent(EventInterrupted, trace.WithAttributes(attrs...))
		if !errors.Is(ie.Reason, effect.ErrLostRace) {
			sp.SetStatus(codes.Error, err.Error())
		}
		return
	}
	var d *effect.Defect
	if errors.As(err, &d) {
		sp.RecordError(err, trace.WithAttributes(
			attribute.String("exception.type", fmt.Sprintf("%T", d.Value)),
			attribute.String("exception.stacktrace", d.Stack)))
		sp.SetStatus(codes.Error, err.Error())
		return
	}
	sp.RecordError(err)
	sp.SetStatus(codes.Error, err.Error())
}

// Hooks returns the hooks that add the events of retries and repeats to
// the span in force on the fiber that decides: [EventRetry] after a
// failure, [EventRepeat] after a success, with the attempt, the delay
// before the next one (when there is one), the error and whether the
// schedule stopped. [Install] adds them.
func Hooks() effect.Hooks {
	return effect.Hooks{
		Retry: func(ctx context.Context, ev effect.RetryEvent) {
			sp := trace.SpanFromContext(ctx)
			if !sp.IsRecording() {
				return
			}
			name := EventRetry
			if ev.Repeat {
				name = EventRepeat
			}
			attrs := []attribute.KeyValue{KeyAttempt.Int(ev.Attempt), KeyStop.Bool(ev.Stop)}
			if !ev.Stop {
				attrs = append(attrs, KeyDelay.String(ev.Delay.String()))
			}
			if ev.Err != nil {
				attrs = append(attrs, attribute.String("exception.message", ev.Err.Error()))
			}
			sp.AddEvent(name, trace.WithAttributes(attrs...))
		},
	}
}

// Install makes rt trace its Named effects into tp (nil: the global
// provider) and record retry decisions as span events, and returns a
// function that undoes both. A runtime has one tracer: installing another
// replaces this one.
func Install(rt *effect.Runtime, tp trace.TracerProvider) (remove func()) {
	if rt == nil {
		panic("tracing.Install: rt must not be nil")
	}
	rt.SetTracer(New(tp))
	removeHooks := rt.AddHooks(Hooks())
	return func() {
		removeHooks()
		rt.SetTracer(nil)
	}
}

// appendSlog converts slog attributes to OpenTelemetry ones; groups flatten
// into dotted keys.
func appendSlog(out []attribute.KeyValue, prefix string, attrs []slog.Attr) []attribute.KeyValue {
	for _, a := range attrs {
		key := a.Key
		if prefix != "" {
			key = prefix + "." + key
		}
		v := a.Value.Resolve()
		switch v.Kind() {
		case slog.KindString:
			out = append(out, attribute.String(key, v.String()))
		case slog.KindInt64:
			out = append(out, attribute.Int64(key, v.Int64()))
		case slog.KindUint64:
			out = append(out, attribute.Int64(key, int64(v.Uint64())))
		case slog.KindFloat64:
			out = append(out, attribute.Float64(key, v.Float64()))
		case slog.KindBool:
			out = append(out, attribute.Bool(key, v.Bool()))
		case slog.KindGroup:
			out = appendSlog(out, key, v.Group())
		default: // durations, times, any
			out = append(out, attribute.String(key, v.String()))
		}
	}
	return out
}
