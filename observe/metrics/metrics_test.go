package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/metrics"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
	"github.com/gogoscope/gogoscope/stream"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errBoom = errors.New("boom")

// program forks a worker that sleeps 1 s, one that fails after 2 s and one
// that panics; races a fast effect against a slow one; retries a call that
// fails twice; and closes a scope whose finalizer takes 10 ms.
func program() eff.Effect[int] {
	ok := eff.Sleep(time.Second).Map(func(struct{}) int { return 1 }).Named("worker")
	bad := eff.Sleep(2 * time.Second).FlatMap(func(struct{}) eff.Effect[int] { return eff.Fail[int](errBoom) }).Named("worker")
	boom := eff.Sync(func() int { panic("boom") }).Named("crasher")
	calls := 0
	flaky := eff.Try(func(context.Context) (int, error) {
		calls++
		if calls < 3 {
			return 0, errBoom
		}
		return 10, nil
	}).Retry(schedule.Spaced(100 * time.Millisecond)).Named("flaky")
	race := eff.Race(eff.Sleep(time.Second).Map(func(struct{}) int { return 100 }), eff.Never[int]())
	cleanup := effect.AddFinalizer(func(error) eff.Effect[struct{}] { return eff.Sleep(10 * time.Millisecond) })
	return eff.Fork(ok).FlatMap(func(a *eff.Fiber[int]) eff.Effect[int] {
		return eff.Fork(bad).FlatMap(func(b *eff.Fiber[int]) eff.Effect[int] {
			return eff.Fork(boom).FlatMap(func(c *eff.Fiber[int]) eff.Effect[int] {
				return eff.All(eff.Join(a), eff.Await(b).Map(func(eff.Exit[int]) int { return 0 }),
					eff.Await(c).Map(func(eff.Exit[int]) int { return 0 }), race, flaky).
					Map(func(vs []int) int { return vs[0] + vs[3] + vs[4] })
			})
		})
	}).FlatMap(func(v int) eff.Effect[int] {
		return effect.AndThen(cleanup, eff.Succeed(v))
	})
}

func run(t *testing.T, m *metrics.Collector) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer m.Watch(rt)()
		v, err := rt.Run(context.Background(), eff.Scoped(program()), nil)
		if v != 111 || err != nil {
			t.Fatalf("got %v, %v", v, err)
		}
	})
}

func TestCountsFibersOutcomesRetriesAndWaits(t *testing.T) {
	m := metrics.New(metrics.Options{Buckets: []float64{0.05, 1.5, 10}})
	run(t, m)
	want := `
# HELP gogoscope_fibers_started_total Fibers started.
# TYPE gogoscope_fibers_started_total counter
gogoscope_fibers_started_total 10
# HELP gogoscope_fibers_live Fibers started and not yet ended.
# TYPE gogoscope_fibers_live gauge
gogoscope_fibers_live 0
# HELP gogoscope_fibers_ended_total Fibers ended, by name (the first Named effect the fiber entered, else the name it inherited) and outcome (success, failure, defect, interrupted).
# TYPE gogoscope_fibers_ended_total counter
gogoscope_fibers_ended_total{name="",outcome="interrupted"} 1
gogoscope_fibers_ended_total{name="",outcome="success"} 5
gogoscope_fibers_ended_total{name="crasher",outcome="defect"} 1
gogoscope_fibers_ended_total{name="flaky",outcome="success"} 1
gogoscope_fibers_ended_total{name="worker",outcome="failure"} 1
gogoscope_fibers_ended_total{name="worker",outcome="success"} 1
# HELP gogoscope_retries_total Decisions of Retry (after a failure) and Repeat (after a success) schedules, by the name of the fiber, the kind and the decision (again, stop).
# TYPE gogoscope_retries_total counter
gogoscope_retries_total{decision="again",kind="retry",name="flaky"} 2
# HELP gogoscope_interrupts_total Interruptions requested, by reason (lost_race, timeout, scope_closed, fail_fast, other).
# TYPE gogoscope_interrupts_total counter
gogoscope_interrupts_total{reason="lost_race"} 1
# HELP gogoscope_scopes_open Explicit scopes (Scoped, MakeScope, NewScope) open.
# TYPE gogoscope_scopes_open gauge
gogoscope_scopes_open 0
# HELP gogoscope_finalizer_duration_seconds Durations of finalizers, by outcome.
# TYPE gogoscope_finalizer_duration_seconds histogram
gogoscope_finalizer_duration_seconds_bucket{outcome="success",le="0.05"} 1
gogoscope_finalizer_duration_seconds_bucket{outcome="success",le="1.5"} 1
gogoscope_finalizer_duration_seconds_bucket{outcome="success",le="10"} 1
gogoscope_finalizer_duration_seconds_bucket{outcome="success",le="+Inf"} 1
gogoscope_finalizer_duration_seconds_sum{outcome="success"} 0.01
gogoscope_finalizer_duration_seconds_count{outcome="success"} 1
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want),
		"gogoscope_fibers_started_total", "gogoscope_fibers_live", "gogoscope_fibers_ended_total",
		"gogoscope_retries_total", "gogoscope_interrupts_total", "gogoscope_scopes_open",
		"gogoscope_finalizer_duration_seconds"); err != nil {
		t.Error(err)
	}
}

// A scrape over loopback HTTP, parsed with the Prometheus text parser, has
// every family, with the expected values.
func TestScrapeOverHTTP(t *testing.T) {
	m := metrics.New(metrics.Options{ConstLabels: prometheus.Labels{"service": "test"}})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	run(t, m)
	sem := resource.Concurrency(3)
	sem.TryAcquire(2)
	defer m.ObserveSemaphore("db", sem)()
	m.BreakerStateChanged()("payments", resource.BreakerClosed, resource.BreakerOpen)

	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fibers_started_total", "fibers_ended_total", "fibers_live", "fiber_duration_seconds",
		"named_duration_seconds", "scopes_open", "finalizer_duration_seconds", "retries_total", "interrupts_total",
		"waits_total", "wait_duration_seconds"} {
		if fams["gogoscope_"+name] == nil {
			t.Errorf("no family gogoscope_%s in\n%s", name, body)
		}
	}
	// The worker that slept 1 s and succeeded: one observation of 1 s.
	h := find(fams["gogoscope_fiber_duration_seconds"], map[string]string{"name": "worker", "outcome": "success", "service": "test"})
	if h == nil || h.GetHistogram().GetSampleCount() != 1 || h.GetHistogram().GetSampleSum() != 1 {
		t.Errorf("worker duration: %v", h)
	}
	// Sleeps: the workers' 1 s and 2 s, the race's 1 s, the finalizer's
	// 10 ms; the retry's delays are waits of their own kind.
	w := find(fams["gogoscope_waits_total"], map[string]string{"kind": "sleep", "resource": ""})
	if w == nil || w.GetCounter().GetValue() != 4 {
		t.Errorf("sleeps: %v", w)
	}
	wd := find(fams["gogoscope_wait_duration_seconds"], map[string]string{"kind": "sleep", "resource": ""})
	if wd == nil || wd.GetHistogram().GetSampleSum() != 4.01 {
		t.Errorf("sleep durations: %v", wd)
	}
	rd := find(fams["gogoscope_wait_duration_seconds"], map[string]string{"kind": "retry", "resource": ""})
	if rd == nil || rd.GetHistogram().GetSampleCount() != 2 || rd.GetHistogram().GetSampleSum() != 0.2 {
		t.Errorf("retry delays: %v", rd)
	}
	// Joins are waits whose resource (a fiber's ID) is not a label.
	if j := find(fams["gogoscope_waits_total"], map[string]string{"kind": "join"}); j == nil || j.GetLabel()[1].GetValue() != "" {
		t.Errorf("joins: %v", j)
	}
	// The observed semaphore, read at the scrape; a breaker's change.
	if a := find(fams["gogoscope_semaphore_available_permits"], map[string]string{"name": "db", "service": "test"}); a == nil || a.GetGauge().GetValue() != 1 {
		t.Errorf("available permits: %v", a)
	}
	if b := find(fams["gogoscope_breaker_state_changes_total"], map[string]string{"name": "payments", "from": "closed", "to": "open"}); b == nil || b.GetCounter().GetValue() != 1 {
		t.Errorf("breaker changes: %v", b)
	}
	nd := find(fams["gogoscope_named_duration_seconds"], map[string]string{"name": "flaky", "outcome": "success"})
	if nd == nil || nd.GetHistogram().GetSampleSum() != 0.2 {
		t.Errorf("flaky's duration: %v", nd)
	}
}

func find(f *dto.MetricFamily, labels map[string]string) *dto.Metric {
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		for _, lp := range m.GetLabel() {
			if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
				continue next
			}
		}
		return m
	}
	return nil
}

func TestBadInput(t *testing.T) {
	for name, fn := range map[string]func(){
		"metrics.New: Buckets must be strictly increasing": func() { metrics.New(metrics.Options{Buckets: []float64{1, 1}}) },
		"metrics.Collector.Watch: rt must not be nil":      func() { metrics.New(metrics.Options{}).Watch(nil) },
	} {
		func() {
			defer func() {
				if r := recover(); r != name {
					t.Errorf("panic %v, want %q", r, name)
				}
			}()
			fn()
		}()
	}
}

// A snapshot has every family, and percentiles interpolated within the
// buckets: 100 observations spread evenly over (0, 1] s.
func TestSnapshotPercentiles(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "lat", Buckets: []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}})
	reg.MustRegister(h)
	for i := 1; i <= 100; i++ {
		h.Observe(float64(i) / 100)
	}
	s, err := metrics.TakeSnapshot(reg)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := s.Metric("lat")
	if !ok || m.Kind != "histogram" {
		t.Fatalf("metric %+v", m)
	}
	p, _ := m.Point()
	got := *p.Histogram
	round := func(f float64) float64 { return math.Round(f*1000) / 1000 }
	got.Sum = round(got.Sum)
	got.P50, got.P90, got.P95, got.P99 = round(got.P50), round(got.P90), round(got.P95), round(got.P99)
	want := metrics.Histogram{Count: 100, Sum: 50.5, P50: 0.5, P90: 0.9, P95: 0.95, P99: 0.99}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, ok := s.Metric("nope"); ok {
		t.Error("found a metric that is not there")
	}
}

// Names beyond MaxNames are counted under OtherName, even when many fibers
// end at once; a name that is not valid UTF-8 is mended, not a panic.
func TestNameCapAndBadUTF8(t *testing.T) {
	m := metrics.New(metrics.Options{MaxNames: 3})
	rt := effect.NewRuntime()
	defer m.Watch(rt)()
	jobs := make([]eff.Effect[int], 0, 40)
	for i := range 40 {
		jobs = append(jobs, eff.Succeed(i).Named(fmt.Sprintf("job %d", i%8)))
	}
	all := eff.ForEachPar(jobs, func(e eff.Effect[int]) eff.Effect[int] { return e }, eff.Par{Limit: 8})
	if _, err := rt.Run(context.Background(), all, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Run(context.Background(), eff.Succeed(1).Named("bad\xff"), nil); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	s, err := metrics.TakeSnapshot(reg)
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := s.Metric("gogoscope_named_duration_seconds")
	named, other := 0, 0.0
	for _, p := range runs.Points {
		switch n := p.Labels["name"]; {
		case strings.HasPrefix(n, "job "):
			named++
			if p.Value != 5 {
				t.Errorf("%s: %v runs, want 5", n, p.Value)
			}
		case n == metrics.OtherName:
			other = p.Value
		default:
			t.Errorf("a name passed the cap of 3: %q", n)
		}
	}
	// 40 runs under 8 names, 5 each; then "bad\xff", the ninth name.
	if named != 3 || other != 26 {
		t.Errorf("%d names under their own (want 3), %v runs under %s (want 26)", named, other, metrics.OtherName)
	}

	m = metrics.New(metrics.Options{})
	defer m.Watch(rt)()
	if _, err := rt.Run(context.Background(), eff.Succeed(1).Named("bad\xff"), nil); err != nil {
		t.Fatal(err)
	}
	defer m.ObserveQueue("q\xfe", stream.NewUnboundedQueue[int]())()
	out, err := testutil.CollectAndFormat(m, expfmt.TypeTextPlain, "gogoscope_named_duration_seconds", "gogoscope_queue_length")
	if err != nil || !strings.Contains(string(out), "name=\"bad\uFFFD\"") || !strings.Contains(string(out), "name=\"q\uFFFD\"") {
		t.Errorf("mended names: %s, %v", out, err)
	}
}
