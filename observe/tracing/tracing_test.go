package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/tracing"
	"github.com/gogoscope/gogoscope/schedule"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errFlaky = errors.New("flaky")

// tree renders the finished spans as "parent > name [status] events",
// sorted, so that a test compares the whole shape of a trace.
func tree(spans []sdktrace.ReadOnlySpan) []string {
	names := map[trace.SpanID]string{}
	for _, s := range spans {
		names[s.SpanContext().SpanID()] = s.Name()
	}
	var out []string
	for _, s := range spans {
		parent := "-"
		if s.Parent().IsValid() {
			parent = names[s.Parent().SpanID()]
			if parent == "" {
				parent = "?"
			}
		}
		line := parent + " > " + s.Name()
		if s.Status().Code == codes.Error {
			line += " [error: " + s.Status().Description + "]"
		}
		for _, ev := range s.Events() {
			line += " {" + ev.Name
			for _, a := range ev.Attributes {
				switch a.Key {
				case tracing.KeyAttempt, tracing.KeyDelay, tracing.KeyStop, tracing.KeyReason:
					line += " " + string(a.Key) + "=" + a.Value.String()
				}
			}
			line += "}"
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) string {
	for _, a := range s.Attributes() {
		if a.Key == k {
			return a.Value.String()
		}
	}
	return ""
}

// A program that forks, races, retries and times out: each Named effect is
// a span under the right parent, outcomes and retries are recorded, and
// plain Go inside Try sees the span of its Named effect.
func TestSpanTreeOfForkRaceRetryTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		rt := effect.NewRuntime()
		defer tracing.Install(rt, tp)()

		var tryParent trace.SpanContext
		child := eff.Try(func(ctx context.Context) (int, error) {
			tryParent = trace.SpanContextFromContext(ctx)
			return 1, nil
		}).Named("query", slog.String("db.system", "postgresql"))
		calls := 0
		flaky := eff.Try(func(context.Context) (int, error) {
			calls++
			if calls < 3 {
				return 0, errFlaky
			}
			return 10, nil
		}).Named("call").Retry(schedule.Spaced(time.Second).Intersect(schedule.Recurs(5))).Named("flaky")
		fast := eff.Sleep(time.Second).Map(func(struct{}) int { return 100 }).Named("fast")
		slow := eff.Never[int]().Named("slow")
		tooSlow := eff.Sleep(time.Hour).Map(func(struct{}) int { return 0 }).Named("too slow").
			Timeout(time.Second).
			Catch(func(error) eff.Effect[int] { return eff.Succeed(1000) })
		prog := eff.Fork(eff.Fork(child).FlatMap(eff.Join).Named("worker")).FlatMap(func(w *eff.Fiber[int]) eff.Effect[int] {
			return eff.Race(fast, slow).FlatMap(func(a int) eff.Effect[int] {
				return flaky.FlatMap(func(b int) eff.Effect[int] {
					return tooSlow.FlatMap(func(c int) eff.Effect[int] {
						return eff.Join(w).Map(func(d int) int { return a + b + c + d })
					})
				})
			})
		}).Named("handler")

		// The span of an incoming request is the parent of the outermost one.
		ctx, incoming := tp.Tracer("test").Start(context.Background(), "incoming")
		v, err := rt.Run(ctx, prog, nil)
		incoming.End()
		if v != 1111 || err != nil {
			t.Fatalf("got %v, %v", v, err)
		}
		want := []string{
			"- > incoming",
			"flaky > call [error: flaky] {exception}",
			"flaky > call [error: flaky] {exception}",
			"flaky > call",
			"handler > fast",
			"handler > flaky {gogoscope.retry gogoscope.retry.attempt=1 gogoscope.retry.stop=false gogoscope.retry.delay=1s} {gogoscope.retry gogoscope.retry.attempt=2 gogoscope.retry.stop=false gogoscope.retry.delay=1s}",
			"handler > slow {gogoscope.interrupted gogoscope.interrupted.reason=effect: lost the race}",
			"handler > too slow [error: effect: interrupted by fiber #1: effect: timeout after 1s] {gogoscope.interrupted gogoscope.interrupted.reason=effect: timeout after 1s}",
			"handler > worker",
			"incoming > handler",
			"worker > query",
		}
		slices.Sort(want)
		spans := rec.Ended()
		if got := tree(spans); !slices.Equal(got, want) {
			t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Every span is in the incoming trace; the query's span is what
		// plain Go saw, and carries the Named attributes.
		for _, s := range spans {
			if s.SpanContext().TraceID() != incoming.SpanContext().TraceID() {
				t.Errorf("span %s in trace %s, want %s", s.Name(), s.SpanContext().TraceID(), incoming.SpanContext().TraceID())
			}
			if s.Name() == "query" {
				if s.SpanContext().SpanID() != tryParent.SpanID() {
					t.Errorf("Try saw span %s, want the query's %s", tryParent.SpanID(), s.SpanContext().SpanID())
				}
				if got := attr(s, "db.system"); got != "postgresql" {
					t.Errorf("query's db.system = %q", got)
				}
				if got := attr(s, tracing.KeyFiberName); got != "worker" {
					t.Errorf("query's fiber name = %q, want worker", got)
				}
			}
		}
	})
}

// A defect is recorded as an exception with its stack; a plain failure as
// an exception with its message.
func TestDefectsAndFailuresAreRecorded(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	rt := effect.NewRuntime()
	defer tracing.Install(rt, tp)()
	boom := eff.Sync(func() int { panic("boom") }).Named("boom")
	if _, err := rt.Run(context.Background(), boom, nil); err == nil {
		t.Fatal("no error")
	}
	fail := eff.Fail[int](errFlaky).Named("fail")
	if _, err := rt.Run(context.Background(), fail, nil); !errors.Is(err, errFlaky) {
		t.Fatalf("err = %v", err)
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	for _, s := range spans {
		if s.Status().Code != codes.Error {
			t.Errorf("%s: status %v", s.Name(), s.Status())
		}
		var exc []string
		for _, ev := range s.Events() {
			if ev.Name != "exception" {
				continue
			}
			for _, a := range ev.Attributes {
				if a.Key == "exception.stacktrace" && strings.Contains(a.Value.AsString(), "tracing_test.TestDefectsAndFailuresAreRecorded") {
					exc = append(exc, "stack")
				}
				if a.Key == "exception.message" {
					exc = append(exc, a.Value.AsString())
				}
			}
		}
		want := map[string][]string{
			"boom": {"effect: defect: boom", "stack"},
			"fail": {"flaky"},
		}[s.Name()]
		slices.Sort(exc)
		if !slices.Equal(exc, want) {
			t.Errorf("%s: exception %q, want %q", s.Name(), exc, want)
		}
	}
}

// Without Install nothing is traced, and remove stops the tracing.
func TestInstallAndRemove(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	rt := effect.NewRuntime()
	e := eff.Succeed(1).Named("x")
	run := func() {
		if _, err := rt.Run(context.Background(), e, nil); err != nil {
			t.Fatal(err)
		}
	}
	run()
	remove := tracing.Install(rt, tp)
	run()
	remove()
	run()
	if n := len(rec.Ended()); n != 1 {
		t.Errorf("%d spans, want 1", n)
	}
}

// A nil provider falls back to the global one, read at each span.
func TestNilProviderIsTheGlobalOne(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otelGlobal()
	defer setGlobal(prev)
	rt := effect.NewRuntime()
	defer tracing.Install(rt, nil)()
	setGlobal(tp)
	if _, err := rt.Run(context.Background(), eff.Succeed(1).Named("global"), nil); err != nil {
		t.Fatal(err)
	}
	if got := rec.Ended(); len(got) != 1 || got[0].Name() != "global" {
		t.Errorf("spans %v", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "tracing.Install: rt") {
			t.Errorf("panic %v", r)
		}
	}()
	tracing.Install(nil, tp)
}
