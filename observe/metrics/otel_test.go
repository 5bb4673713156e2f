package metrics_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"testing/synctest"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/metrics"
)

// newOTel returns an OTel recording into a fresh SDK MeterProvider, and
// the collect function of the provider's ManualReader.
func newOTel(t *testing.T, opts metrics.Options) (*metrics.OTel, func() metricdata.ResourceMetrics) {
	t.Helper()
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	m, err := metrics.NewOTel(mp, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, func() metricdata.ResourceMetrics {
		var rm metricdata.ResourceMetrics
		if err := r.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		return rm
	}
}

// find returns the metric named name of rm.
func metricOf(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return metricdata.Metrics{}
}

func set(kv ...attribute.KeyValue) attribute.Set { return attribute.NewSet(kv...) }

func TestOTelCountsTheProgram(t *testing.T) {
	m, collect := newOTel(t, metrics.Options{Buckets: []float64{0.05, 1.5, 10}})
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer m.Watch(rt)()
		if v, err := rt.Run(context.Background(), effectScoped(), nil); v != 111 || err != nil {
			t.Fatalf("got %v, %v", v, err)
		}
	})
	rm := collect()
	if rm.ScopeMetrics[0].Scope.Name != metrics.ScopeName {
		t.Errorf("scope %q", rm.ScopeMetrics[0].Scope.Name)
	}
	ignore := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	sum := func(name, unit string, monotonic bool, dps ...metricdata.DataPoint[int64]) {
		t.Helper()
		want := metricdata.Metrics{Name: name, Unit: unit, Description: metricOf(t, rm, name).Description,
			Data: metricdata.Sum[int64]{Temporality: metricdata.CumulativeTemporality, IsMonotonic: monotonic, DataPoints: dps}}
		metricdatatest.AssertEqual(t, want, metricOf(t, rm, name), ignore...)
	}
	pt := func(v int64, kv ...attribute.KeyValue) metricdata.DataPoint[int64] {
		return metricdata.DataPoint[int64]{Attributes: set(kv...), Value: v}
	}
	name, out := metrics.AttrFiberName.String, metrics.AttrOutcome.String
	sum("gogoscope.fiber.started", "{fiber}", true, pt(10))
	sum("gogoscope.fiber.live", "{fiber}", false, pt(0))
	sum("gogoscope.scope.open", "{scope}", false, pt(0))
	sum("gogoscope.fiber.ended", "{fiber}", true,
		pt(1, name(""), out("interrupted")), pt(5, name(""), out("success")), pt(1, name("crasher"), out("defect")),
		pt(1, name("flaky"), out("success")), pt(1, name("worker"), out("failure")), pt(1, name("worker"), out("success")))
	sum("gogoscope.retry.decision", "{decision}", true,
		pt(2, name("flaky"), metrics.AttrRetryKind.String("retry"), metrics.AttrRetryAction.String("again")))
	sum("gogoscope.interrupt.request", "{request}", true, pt(1, metrics.AttrInterruptReason.String("lost_race")))

	// The histograms: bounds as given, seconds, counts and sums exact.
	hist := func(metric string, count uint64, total float64, kv ...attribute.KeyValue) {
		t.Helper()
		m := metricOf(t, rm, metric)
		if m.Unit != "s" {
			t.Errorf("%s: unit %q", metric, m.Unit)
		}
		want := set(kv...)
		for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
			if dp.Attributes.Equals(&want) {
				if dp.Count != count || math.Abs(dp.Sum-total) > 1e-9 || len(dp.Bounds) != 3 || dp.Bounds[1] != 1.5 {
					t.Errorf("%s %v: count %d sum %v bounds %v, want %d, %v", metric, want.Encoded(attribute.DefaultEncoder()), dp.Count, dp.Sum, dp.Bounds, count, total)
				}
				return
			}
		}
		t.Errorf("%s: no point %v", metric, want.Encoded(attribute.DefaultEncoder()))
	}
	kind, res := metrics.AttrWaitKind.String, metrics.AttrWaitResource.String
	hist("gogoscope.fiber.duration", 1, 1, name("worker"), out("success"))
	hist("gogoscope.fiber.duration", 1, 2, name("worker"), out("failure"))
	hist("gogoscope.effect.duration", 1, 0.2, metrics.AttrEffectName.String("flaky"), out("success"))
	hist("gogoscope.finalizer.duration", 1, 0.01, out("success"))
	hist("gogoscope.wait.duration", 4, 4.01, kind("sleep"), res(""))
	hist("gogoscope.wait.duration", 2, 0.2, kind("retry"), res(""))

	// The JSON snapshot of the same data.
	s := metrics.SnapshotOf(&rm)
	w, _ := s.Metric("gogoscope.wait.duration")
	p, ok := w.Point("gogoscope.wait.kind", "sleep")
	// 0.01, 1, 1 and 2 s in buckets ≤0.05, ≤1.5, ≤10: the p50 (rank 2)
	// is halfway through (0.05, 1.5], the p90 (rank 3.6) 60 % through
	// (1.5, 10].
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !ok || w.Kind != "histogram" || p.Histogram.Count != 4 || !near(p.Histogram.P50, 0.775) ||
		!near(p.Histogram.P90, 6.6) || !near(p.Histogram.P99, 9.66) {
		t.Errorf("snapshot of sleeps: %+v %+v", w.Kind, p.Histogram)
	}
	js, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(js), `"name":"gogoscope.wait.duration"`) || !strings.Contains(string(js), `"p99":9.66`) {
		t.Errorf("JSON %s, %v", js, err)
	}
	if e, _ := s.Metric("gogoscope.fiber.ended"); e.Kind != "counter" || len(e.Points) != 6 {
		t.Errorf("snapshot of fiber.ended: %+v", e)
	}
}

// effectScoped is the test program in its own scope.
func effectScoped() effect.Effect[any, error, int] { return effect.Scoped(program()) }

// The nil provider is the global one.
func TestOTelNilProviderIsGlobal(t *testing.T) {
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(mp)
	defer otel.SetMeterProvider(prev)

	m, err := metrics.NewOTel(nil, metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rt := effect.NewRuntime()
	stop := m.Watch(rt)
	_, _ = rt.Run(context.Background(), effect.Succeed[any, error](1), nil)
	stop()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := metricOf(t, rm, "gogoscope.fiber.started").Data.(metricdata.Sum[int64]).DataPoints[0].Value
	if got != 1 {
		t.Errorf("fibers started: %d", got)
	}
}

// Names beyond MaxNames are counted under OtherName; const labels are on
// every point; the namespace prefixes every name.
func TestOTelNameCapAndOptions(t *testing.T) {
	m, collect := newOTel(t, metrics.Options{MaxNames: 2, Namespace: "app", ConstLabels: map[string]string{"service": "api"}})
	rt := effect.NewRuntime()
	defer m.Watch(rt)()
	for _, n := range []string{"a", "b", "c", "d", "a"} {
		_, _ = rt.Run(context.Background(), effect.Succeed[any, error](1).Named(n), nil)
	}
	rm := collect()
	got := map[string]int64{}
	for _, dp := range metricOf(t, rm, "app.fiber.ended").Data.(metricdata.Sum[int64]).DataPoints {
		n, _ := dp.Attributes.Value(metrics.AttrFiberName)
		if v, ok := dp.Attributes.Value("service"); !ok || v.AsString() != "api" {
			t.Errorf("point without the const label: %v", dp.Attributes.Encoded(attribute.DefaultEncoder()))
		}
		got[n.AsString()] = dp.Value
	}
	if len(got) != 3 || got["a"] != 2 || got["b"] != 1 || got[metrics.OtherName] != 2 {
		t.Errorf("fibers ended by name: %v", got)
	}
}

// An exponential histogram's percentiles are estimated within its
// buckets' precision: 1..100 in base-2 buckets of scale 3 (each about 9 %
// wide).
func TestSnapshotOfExponentialHistogram(t *testing.T) {
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r), sdkmetric.WithView(sdkmetric.NewView(
		sdkmetric.Instrument{Name: "lat"},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationBase2ExponentialHistogram{MaxSize: 160, MaxScale: 3}})))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	h, err := mp.Meter("test").Float64Histogram("lat")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 100; i++ {
		h.Record(context.Background(), float64(i), metric.WithAttributes(attribute.String("route", "/a")))
	}
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	lat, ok := metrics.SnapshotOf(&rm).Metric("lat")
	p, found := lat.Point("route", "/a")
	if !ok || !found || lat.Kind != "histogram" || p.Histogram.Count != 100 || p.Histogram.Sum != 5050 || p.Value != 100 {
		t.Fatalf("%+v %+v", lat, p.Histogram)
	}
	for _, c := range []struct{ got, want float64 }{{p.Histogram.P50, 50}, {p.Histogram.P90, 90}, {p.Histogram.P95, 95}, {p.Histogram.P99, 99}} {
		if math.Abs(c.got-c.want)/c.want > 0.09 {
			t.Errorf("percentile %v, want %v within 9 %%", c.got, c.want)
		}
	}
	if s := metrics.SnapshotOf(nil); len(s.Metrics) != 0 {
		t.Errorf("snapshot of nil: %+v", s)
	}
}
