// Package observe_test measures what observability costs a user: the same
// workload through Run with nothing installed, with hooks that do nothing,
// with tracing, with metrics (Prometheus or OpenTelemetry) and with the
// slog handler, beside raw Go.
package observe_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/logging"
	"github.com/gogoscope/gogoscope/observe/metrics"
	"github.com/gogoscope/gogoscope/observe/tracing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var sink int

// call is the plain Go of the workload: it logs one record with its ctx.
func call(log *slog.Logger) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		log.InfoContext(ctx, "call", "n", 1)
		return 1, nil
	}
}

// workload is what a handler does: fork a named call under a timeout and
// join it. Built at each iteration, as a user does.
func workload(log *slog.Logger) eff.Effect[int] {
	return eff.Fork(eff.Try(call(log)).Named("call").Timeout(time.Second)).FlatMap(eff.Join).Named("handler")
}

func bench(b *testing.B, rt *effect.Runtime, log *slog.Logger) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, workload(log), nil)
		if err != nil {
			b.Fatal(err)
		}
		sink += v
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// BenchmarkObserveUnset: nothing installed; every hook point costs a nil
// check.
func BenchmarkObserveUnset(b *testing.B) { bench(b, effect.NewRuntime(), discard()) }

// BenchmarkObserveNoopHooks: one hook of each kind, each doing nothing:
// the cost of the events themselves (wait times, names, infos).
func BenchmarkObserveNoopHooks(b *testing.B) {
	rt := effect.NewRuntime()
	defer rt.AddHooks(effect.Hooks{
		FiberStart: func(effect.FiberInfo) {}, FiberEnd: func(effect.FiberInfo, error) {},
		WaitStart: func(context.Context, effect.WaitEvent) {}, WaitEnd: func(context.Context, effect.WaitEvent) {},
		NamedStart: func(context.Context, effect.NamedEvent) {}, NamedEnd: func(context.Context, effect.NamedEvent) {},
		Interrupt: func(effect.InterruptEvent) {}, Retry: func(context.Context, effect.RetryEvent) {},
		FinalizerEnd: func(context.Context, effect.FinalizerEvent) {},
	})()
	bench(b, rt, discard())
}

// BenchmarkObserveTracing: the OTel SDK records a span per Named run (two
// per iteration), sampled, exported nowhere.
func BenchmarkObserveTracing(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	rt := effect.NewRuntime()
	defer tracing.Install(rt, tp)()
	bench(b, rt, discard())
}

// BenchmarkObserveMetrics: the Prometheus collector counts fibers, waits
// and Named runs.
func BenchmarkObserveMetrics(b *testing.B) {
	rt := effect.NewRuntime()
	defer metrics.New(metrics.Options{}).Watch(rt)()
	bench(b, rt, discard())
}

// BenchmarkObserveOTelMetrics: the same metrics through the OpenTelemetry
// metric API, recorded by the SDK (a MeterProvider with a ManualReader,
// never collected during the run).
func BenchmarkObserveOTelMetrics(b *testing.B) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	benchOTel(b, mp)
}

// BenchmarkObserveOTelMetricsNoop: the OTel recorder on the API's no-op
// MeterProvider: the cost of the hooks and the recorder alone.
func BenchmarkObserveOTelMetricsNoop(b *testing.B) { benchOTel(b, noop.NewMeterProvider()) }

func benchOTel(b *testing.B, mp metric.MeterProvider) {
	m, err := metrics.NewOTel(mp, metrics.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rt := effect.NewRuntime()
	defer m.Watch(rt)()
	bench(b, rt, discard())
}

// BenchmarkObserveLogging: the record goes through the fiber handler,
// which adds the fiber's attributes.
func BenchmarkObserveLogging(b *testing.B) {
	bench(b, effect.NewRuntime(), slog.New(logging.NewHandler(slog.NewTextHandler(io.Discard, nil))))
}

// BenchmarkObserveAll: tracing, metrics and the fiber handler together.
func BenchmarkObserveAll(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	rt := effect.NewRuntime()
	defer tracing.Install(rt, tp)()
	defer metrics.New(metrics.Options{}).Watch(rt)()
	bench(b, rt, slog.New(logging.NewHandler(slog.NewTextHandler(io.Discard, nil))))
}

// BenchmarkObserveBaselineGoroutine: the same in raw Go: a goroutine with
// a timeout context, awaited with a WaitGroup.
func BenchmarkObserveBaselineGoroutine(b *testing.B) {
	log := discard()
	fn := call(log)
	b.ReportAllocs()
	for b.Loop() {
		var wg sync.WaitGroup
		var v int
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			v, _ = fn(ctx)
		}()
		wg.Wait()
		sink += v
	}
}
