package logging

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/gogoscope/gogoscope/effect"
)

// Keys of the attributes that the handler adds.
const (
	// KeyFiber is the group of the fiber's attributes: id, name (when it
	// has one) and scope (the scope path, "1/4/9").
	KeyFiber = "fiber"
	// KeyTraceID and KeySpanID are the IDs of the span in the context, in
	// hex, as OpenTelemetry writes them.
	KeyTraceID = "trace_id"
	KeySpanID  = "span_id"
)

// Handler is a slog.Handler that adds the attributes of the fiber whose
// context a record is logged with, then hands the record to the handler it
// wraps. It is safe for concurrent use.
//
// After WithGroup, the added attributes land in the open group, as every
// attribute of a record does: add the handler outermost, group inside.
type Handler struct {
	next slog.Handler
}

// NewHandler returns a Handler that wraps next. It panics if next is nil.
func NewHandler(next slog.Handler) *Handler {
	if next == nil {
		panic("logging.NewHandler: next must not be nil")
	}
	return &Handler{next: next}
}

// Enabled reports whether the wrapped handler handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds, when ctx is a fiber's context, a "fiber" group (id, name,
// scope), the fiber's annotations and, when ctx carries a span, trace_id
// and span_id; then it calls the wrapped handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	l, isFiber := effect.FiberOf(ctx)
	sc := trace.SpanContextFromContext(ctx)
	if !isFiber && !sc.IsValid() {
		return h.next.Handle(ctx, r)
	}
	r = r.Clone()
	if isFiber {
		r.AddAttrs(Attrs(l)...)
	}
	if sc.IsValid() {
		r.AddAttrs(slog.String(KeyTraceID, sc.TraceID().String()), slog.String(KeySpanID, sc.SpanID().String()))
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a Handler wrapping next.WithAttrs(attrs).
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a Handler wrapping next.WithGroup(name).
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

// Attrs returns the attributes that the handler adds for the fiber l: the
// "fiber" group, then the annotations.
func Attrs(l effect.FiberLabels) []slog.Attr {
	fiber := make([]any, 0, 3)
	fiber = append(fiber, slog.Uint64("id", uint64(l.ID)))
	if l.Name != "" {
		fiber = append(fiber, slog.String("name", l.Name))
	}
	fiber = append(fiber, slog.String("scope", ScopePath(l.ScopePath)))
	out := make([]slog.Attr, 0, 1+len(l.Annotations))
	out = append(out, slog.Group(KeyFiber, fiber...))
	return append(out, l.Annotations...)
}

// ScopePath writes a scope path as "1/4/9".
func ScopePath(path []effect.ScopeID) string {
	var b strings.Builder
	for i, id := range path {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.FormatUint(uint64(id), 10))
	}
	return b.String()
}
