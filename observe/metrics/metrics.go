package metrics

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gogoscope/gogoscope/effect"
)

// Options configure a [Collector] or an [OTel]. The zero Options are the
// defaults.
type Options struct {
	// Namespace prefixes every metric's name: "gogoscope" if empty, so
	// gogoscope_fibers_ended_total for Prometheus and
	// gogoscope.fiber.ended for OpenTelemetry.
	Namespace string
	// Buckets are the upper bounds, in seconds, of the duration
	// histograms; if nil, exponential buckets from 1 ms to about 65 s
	// (1 ms × 4ⁿ, n = 0..8). For OpenTelemetry they are the instruments'
	// advised boundaries, which a View of the MeterProvider may override.
	Buckets []float64
	// ConstLabels are added to every metric (a service name, an
	// instance). With OpenTelemetry they become attributes of every data
	// point; the MeterProvider's resource is the usual place for them.
	ConstLabels prometheus.Labels
	// MaxNames caps the distinct names that become label values: the
	// names of fibers and Named effects, of the primitives waited on and
	// of breakers. Names are user text, and each distinct one makes new
	// series; the first MaxNames names seen keep their own, later ones are
	// counted under [OtherName]. Zero means 1000; a negative value means no
	// cap.
	MaxNames int
}

// Outcomes, the values of the "outcome" label.
const (
	Success     = "success"
	Failure     = "failure"
	Defect      = "defect"
	Interrupted = "interrupted"
)

// Outcome classifies err, as Run returns it: nil is [Success], an
// *[effect.InterruptedError] [Interrupted], an *[effect.Defect] [Defect],
// anything else [Failure].
func Outcome(err error) string {
	if err == nil {
		return Success
	}
	var ie *effect.InterruptedError
	if errors.As(err, &ie) {
		return Interrupted
	}
	var d *effect.Defect
	if errors.As(err, &d) {
		return Defect
	}
	return Failure
}

// Reason classifies the reason of an interruption, the value of the
// "reason" label: lost_race, timeout, scope_closed, fail_fast, or other
// (a cancelled ctx, a handle's reason, none).
func Reason(err error) string {
	var te *effect.TimeoutError
	switch {
	case errors.Is(err, effect.ErrLostRace):
		return "lost_race"
	case errors.As(err, &te):
		return "timeout"
	case errors.Is(err, effect.ErrScopeClosed):
		return "scope_closed"
	case errors.Is(err, effect.ErrFailFast):
		return "fail_fast"
	}
	return "other"
}

// Collector is a prometheus.Collector of the metrics of the runtimes it
// watches ([Collector.Watch]) and of the primitives it observes
// ([Collector.ObservePool] and the like). Register it once; it may watch
// any number of runtimes, whose metrics add up. It is safe for concurrent
// use.
type Collector struct {
	*core
	p promSink
}

// promSink is the recorder's sink for client_golang.
type promSink struct {
	started    prometheus.Counter
	ended      *prometheus.CounterVec
	live       prometheus.Gauge
	fiberDur   *prometheus.HistogramVec
	namedDur   *prometheus.HistogramVec
	scopes     prometheus.Gauge
	finalizers *prometheus.HistogramVec
	retries    *prometheus.CounterVec
	interrupts *prometheus.CounterVec
	waits      *prometheus.CounterVec
	waitDur    *prometheus.HistogramVec
	breakers   *prometheus.CounterVec
	collectors []prometheus.Collector
	gauges     [numGauges]*prometheus.Desc
}

// New returns a Collector. It panics if opts.Buckets are not strictly
// increasing.
func New(opts Options) *Collector {
	ns, buckets := checkOptions("metrics.New", opts)
	cl := opts.ConstLabels
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help, ConstLabels: cl}, labels)
	}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: name, Help: help, ConstLabels: cl})
	}
	hist := func(name, help string, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: name, Help: help, Buckets: buckets, ConstLabels: cl}, labels)
	}
	c := &Collector{p: promSink{
		started:    prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "fibers_started_total", Help: "Fibers started.", ConstLabels: cl}),
		ended:      counter("fibers_ended_total", "Fibers ended, by name (the first Named effect the fiber entered, else the name it inherited) and outcome (success, failure, defect, interrupted).", "name", "outcome"),
		live:       gauge("fibers_live", "Fibers started and not yet ended."),
		fiberDur:   hist("fiber_duration_seconds", "Fiber lifetimes, from start to end (finalizers included), by name and outcome.", "name", "outcome"),
		namedDur:   hist("named_duration_seconds", "Durations of runs of Named effects, by name and outcome.", "name", "outcome"),
		scopes:     gauge("scopes_open", "Explicit scopes (Scoped, MakeScope, NewScope) open."),
		finalizers: hist("finalizer_duration_seconds", "Durations of finalizers, by outcome.", "outcome"),
		retries:    counter("retries_total", "Decisions of Retry (after a failure) and Repeat (after a success) schedules, by the name of the fiber, the kind and the decision (again, stop).", "name", "kind", "decision"),
		interrupts: counter("interrupts_total", "Interruptions requested, by reason (lost_race, timeout, scope_closed, fail_fast, other).", "reason"),
		waits:      counter("waits_total", "Waits of fibers, by kind (sleep, join, semaphore, pool, queue, deferred...) and the primitive's name.", "kind", "resource"),
		waitDur:    hist("wait_duration_seconds", "Durations of waits, by kind and the primitive's name.", "kind", "resource"),
		breakers:   counter("breaker_state_changes_total", "State changes of circuit breakers, by name, from and to (closed, open, half-open).", "name", "from", "to"),
	}}
	p := &c.p
	p.collectors = []prometheus.Collector{p.started, p.ended, p.live, p.fiberDur, p.namedDur, p.scopes, p.finalizers, p.retries, p.interrupts, p.waits, p.waitDur, p.breakers}
	for g, d := range gauges {
		labels := []string{"name"}
		if d.extra != "" {
			labels = append(labels, d.extra)
		}
		p.gauges[g] = prometheus.NewDesc(prometheus.BuildFQName(ns, "", d.prom), d.help, labels, cl)
	}
	c.core = newCore("metrics.Collector", p, opts.MaxNames)
	return c
}

// Describe sends the descriptors of every metric of c.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.p.collectors {
		m.Describe(ch)
	}
	for _, d := range c.p.gauges {
		ch <- d
	}
}

// Collect sends the current values of every metric of c, reading each
// observed primitive once.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.p.collectors {
		m.Collect(ch)
	}
	c.each(context.Background(), func(it *observedItem, r reading) {
		labels := []string{it.name}
		if r.extra != "" {
			labels = append(labels, r.extra)
		}
		ch <- prometheus.MustNewConstMetric(c.p.gauges[r.g], prometheus.GaugeValue, float64(r.v), labels...)
	})
}

func (p *promSink) fiberStarted() {
	p.started.Inc()
	p.live.Inc()
}

func (p *promSink) fiberEnded(_ context.Context, name, outcome string, seconds float64, timed bool) {
	p.ended.WithLabelValues(name, outcome).Inc()
	p.live.Dec()
	if timed {
		p.fiberDur.WithLabelValues(name, outcome).Observe(seconds)
	}
}

func (p *promSink) scopeDelta(d int64) { p.scopes.Add(float64(d)) }

func (p *promSink) finalizerEnded(_ context.Context, outcome string, seconds float64) {
	p.finalizers.WithLabelValues(outcome).Observe(seconds)
}

func (p *promSink) interruptRequested(reason string) { p.interrupts.WithLabelValues(reason).Inc() }

func (p *promSink) retryDecided(_ context.Context, name, kind, decision string) {
	p.retries.WithLabelValues(name, kind, decision).Inc()
}

func (p *promSink) waitEnded(_ context.Context, kind, resource string, seconds float64) {
	p.waits.WithLabelValues(kind, resource).Inc()
	p.waitDur.WithLabelValues(kind, resource).Observe(seconds)
}

func (p *promSink) namedEnded(_ context.Context, name, outcome string, seconds float64) {
	p.namedDur.WithLabelValues(name, outcome).Observe(seconds)
}

func (p *promSink) breakerChanged(name, from, to string) {
	p.breakers.WithLabelValues(name, from, to).Inc()
}
