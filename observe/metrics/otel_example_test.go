package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/metrics"
	"github.com/gogoscope/gogoscope/resource"
)

// NewOTel records through any MeterProvider: here the SDK's with a
// ManualReader; in a service, one with an OTLP or Prometheus exporter.
func ExampleNewOTel() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	m, err := metrics.NewOTel(mp, metrics.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = m.Close() }()

	rt := effect.NewRuntime()
	defer m.Watch(rt)()
	job := func(err error) eff.Effect[int] { return eff.FromResult(1, err).Named("job") }
	_, _ = rt.Run(context.Background(), job(nil), nil)
	_, _ = rt.Run(context.Background(), job(errors.New("bad input")), nil)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	ended, _ := metrics.SnapshotOf(&rm).Metric("gogoscope.fiber.ended")
	for _, p := range ended.Points {
		fmt.Println(p.Labels["gogoscope.fiber.name"], p.Labels["gogoscope.outcome"], p.Value)
	}
	// Unordered output:
	// job success 1
	// job failure 1
}

// SnapshotOf turns what a reader collected into plain data with the
// percentiles of every histogram, ready for encoding/json.
func ExampleSnapshotOf() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	h, _ := mp.Meter("example").Float64Histogram("latency")
	for i := 1; i <= 100; i++ {
		h.Record(context.Background(), float64(i)) // 1..100 ms, in the default buckets 0, 5, 10, 25, 50, 75, 100...
	}

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	lat, _ := metrics.SnapshotOf(&rm).Metric("latency")
	p, _ := lat.Point()
	js, _ := json.Marshal(p.Histogram)
	fmt.Println(lat.Kind, string(js))
	// Output:
	// histogram {"count":100,"sum":5050,"p50":50,"p90":90,"p95":95,"p99":99}
}

// The OTel side observes primitives as the Collector does; a reader's
// Collect reads them.
func ExampleOTel_ObserveSemaphore() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	m, _ := metrics.NewOTel(mp, metrics.Options{})
	defer func() { _ = m.Close() }()

	sem := resource.Concurrency(4)
	defer m.ObserveSemaphore("db", sem)()
	sem.TryAcquire(3)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	s := metrics.SnapshotOf(&rm)
	for _, name := range []string{"gogoscope.semaphore.size", "gogoscope.semaphore.available", "gogoscope.semaphore.waiting"} {
		m, _ := s.Metric(name)
		p, _ := m.Point("gogoscope.semaphore.name", "db")
		fmt.Println(name, p.Value)
	}
	// Output:
	// gogoscope.semaphore.size 4
	// gogoscope.semaphore.available 1
	// gogoscope.semaphore.waiting 0
}
