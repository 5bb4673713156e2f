package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/logging"
	"github.com/gogoscope/gogoscope/observe/tracing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer is a bytes.Buffer safe for the concurrent writes of fibers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) records(t *testing.T) map[string]map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		delete(rec, "time")
		out[rec["msg"].(string)] = rec
	}
	return out
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Records logged with a fiber's ctx (from plain Go inside Try) carry the
// fiber's ID, name, scope path and annotations; annotations flow to forked
// fibers; a record without a fiber passes unchanged.
func TestRecordsCarryTheFiber(t *testing.T) {
	var buf syncBuffer
	log := slog.New(logging.NewHandler(slog.NewJSONHandler(&buf, nil)))
	logIn := func(msg string) eff.Effect[struct{}] {
		return eff.Do(func(ctx context.Context) error {
			log.InfoContext(ctx, msg, "k", 1)
			return nil
		})
	}
	child := logIn("in child").Named("child")
	prog := logIn("in parent").
		FlatMap(func(struct{}) eff.Effect[struct{}] { return eff.Fork(child).FlatMap(eff.Join) }).
		Named("handler").
		Annotate(slog.String("request", "r-42"))
	rt := effect.NewRuntime()
	if _, err := rt.Run(context.Background(), prog, nil); err != nil {
		t.Fatal(err)
	}
	log.Info("outside")
	recs := buf.records(t)
	want := map[string]string{
		"in parent": `{"fiber":{"id":1,"name":"handler","scope":"1"},"k":1,"level":"INFO","msg":"in parent","request":"r-42"}`,
		"in child":  `{"fiber":{"id":2,"name":"child","scope":"1/2"},"k":1,"level":"INFO","msg":"in child","request":"r-42"}`,
		"outside":   `{"level":"INFO","msg":"outside"}`,
	}
	for msg, w := range want {
		if got := jsonOf(t, recs[msg]); got != w {
			t.Errorf("%s:\n got %s\nwant %s", msg, got, w)
		}
	}
}

// With a tracer installed, records carry the trace and span IDs of the
// Named effect they are logged in.
func TestRecordsCarryTheSpan(t *testing.T) {
	var buf syncBuffer
	log := slog.New(logging.NewHandler(slog.NewJSONHandler(&buf, nil)))
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	rt := effect.NewRuntime()
	defer tracing.Install(rt, tp)()
	prog := eff.Do(func(ctx context.Context) error {
		log.InfoContext(ctx, "traced")
		return nil
	}).Named("op")
	if _, err := rt.Run(context.Background(), prog, nil); err != nil {
		t.Fatal(err)
	}
	r := buf.records(t)["traced"]
	sc := rec.Ended()[0].SpanContext()
	if r["trace_id"] != sc.TraceID().String() || r["span_id"] != sc.SpanID().String() {
		t.Errorf("record %v, want trace %s span %s", r, sc.TraceID(), sc.SpanID())
	}
}

// The context that effect.Context returns is a fiber's context too, and
// WithAttrs/WithGroup keep the handler in the chain.
func TestContextAndDerivedHandlers(t *testing.T) {
	var buf syncBuffer
	log := slog.New(logging.NewHandler(slog.NewJSONHandler(&buf, nil))).With("svc", "api").WithGroup("g")
	prog := effect.FlatMap(effect.Context[any, error](), func(ctx context.Context) eff.Effect[struct{}] {
		log.InfoContext(ctx, "via context", "x", true)
		return eff.Unit()
	})
	if _, err := effect.NewRuntime().Run(context.Background(), prog, nil); err != nil {
		t.Fatal(err)
	}
	got := jsonOf(t, buf.records(t)["via context"])
	want := `{"g":{"fiber":{"id":1,"scope":"1"},"x":true},"level":"INFO","msg":"via context","svc":"api"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestNewHandlerPanicsOnNil(t *testing.T) {
	defer func() {
		if r := recover(); r != "logging.NewHandler: next must not be nil" {
			t.Errorf("panic %v", r)
		}
	}()
	logging.NewHandler(nil)
}
