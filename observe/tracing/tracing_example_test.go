package tracing_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/tracing"
)

// Install traces every Named effect of a runtime; plain Go inside Try sees
// the span, so instrumented clients continue the trace.
func ExampleInstall() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	rt := effect.NewRuntime()
	defer tracing.Install(rt, tp)()

	load := eff.Try(func(ctx context.Context) (string, error) {
		// An otelhttp or pgx call here would be a child of "load user".
		return "ada", nil
	}).Named("load user")
	handler := eff.Fork(load).FlatMap(eff.Join).Named("GET /user")

	name, err := rt.Run(context.Background(), handler, nil)
	fmt.Println(name, err)
	spans := rec.Ended()
	byID := map[trace.SpanID]string{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s.Name()
	}
	for _, s := range spans {
		fmt.Printf("%q under %q\n", s.Name(), byID[s.Parent().SpanID()])
	}
	// Output:
	// ada <nil>
	// "load user" under "GET /user"
	// "GET /user" under ""
}

// New makes an effect.Tracer for a runtime by hand; Record marks a span
// started by hand with an effect's outcome.
func ExampleNew() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	rt := effect.NewRuntime()
	rt.SetTracer(tracing.New(tp))
	defer rt.SetTracer(nil)

	_, err := rt.Run(context.Background(), eff.Fail[int](fmt.Errorf("no such user")).Named("lookup"), nil)
	s := rec.Ended()[0]
	fmt.Println(err, "|", s.Name(), s.Status().Code, s.Status().Description)

	_, manual := tp.Tracer("example").Start(context.Background(), "by hand")
	tracing.Record(manual, err)
	manual.End()
	fmt.Println(rec.Ended()[1].Status().Description)
	// Output:
	// no such user | lookup Error no such user
	// no such user
}
