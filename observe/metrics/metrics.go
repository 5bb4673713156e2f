package metrics

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gogoscope/gogoscope/effect"
)

// Options configure a [Collector]. The zero Options are the defaults.
type Options struct {
	// Namespace prefixes every metric's name; "gogoscope" if empty.
	Namespace string
	// Buckets are the upper bounds, in seconds, of the duration
	// histograms; if nil, exponential buckets from 1 ms to about 65 s
	// (1 ms × 4ⁿ, n = 0..8).
	Buckets []float64
	// ConstLabels are added to every metric (a service name, an instance).
	ConstLabels prometheus.Labels
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
// watches ([Collector.Watch]). Register it once; it may watch any number
// of runtimes, whose metrics add up. It is safe for concurrent use.
type Collector struct {
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
	collectors []prometheus.Collector
}

// New returns a Collector. It panics if opts.Buckets are not strictly
// increasing.
func New(opts Options) *Collector {
	ns := opts.Namespace
	if ns == "" {
		ns = "gogoscope"
	}
	buckets := opts.Buckets
	if buckets == nil {
		buckets = prometheus.ExponentialBuckets(0.001, 4, 9)
	}
	for i := 1; i < len(buckets); i++ {
		if buckets[i] <= buckets[i-1] {
			panic("metrics.New: Buckets must be strictly increasing")
		}
	}
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
	c := &Collector{
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
	}
	c.collectors = []prometheus.Collector{c.started, c.ended, c.live, c.fiberDur, c.namedDur, c.scopes, c.finalizers, c.retries, c.interrupts, c.waits, c.waitDur}
	return c
}

// Describe sends the descriptors of every metric of c.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.collectors {
		m.Describe(ch)
	}
}

// Collect sends the current values of every metric of c.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.collectors {
		m.Collect(ch)
	}
}

// Watch makes c count the events of rt from now on and returns a function
// that stops it. Fibers already running when Watch is called are counted
// when they end but were not counted at their start, so fibers_live may
// go below zero for a runtime watched late: watch a runtime before it
// runs anything.
func (c *Collector) Watch(rt *effect.Runtime) (stop func()) {
	if rt == nil {
		panic("metrics.Collector.Watch: rt must not be nil")
	}
	return rt.AddHooks(c.Hooks())
}

// Hooks returns the hooks that feed c, for a runtime's AddHooks
// ([Collector.Watch] does that).
func (c *Collector) Hooks() effect.Hooks {
	return effect.Hooks{
		FiberStart: func(effect.FiberInfo) {
			c.started.Inc()
			c.live.Inc()
		},
		FiberEnd: func(in effect.FiberInfo, err error) {
			out := Outcome(err)
			c.ended.WithLabelValues(in.Name, out).Inc()
			c.live.Dec()
			if !in.Started.IsZero() {
				c.fiberDur.WithLabelValues(in.Name, out).Observe(time.Since(in.Started).Seconds())
			}
		},
		ScopeOpen:  func(effect.ScopeInfo) { c.scopes.Inc() },
		ScopeClose: func(effect.ScopeInfo) { c.scopes.Dec() },
		FinalizerEnd: func(_ context.Context, ev effect.FinalizerEvent) {
			c.finalizers.WithLabelValues(Outcome(ev.Err)).Observe(ev.Duration.Seconds())
		},
		Interrupt: func(ev effect.InterruptEvent) {
			c.interrupts.WithLabelValues(Reason(ev.Reason)).Inc()
		},
		Retry: func(_ context.Context, ev effect.RetryEvent) {
			kind, decision := "retry", "again"
			if ev.Repeat {
				kind = "repeat"
			}
			if ev.Stop {
				decision = "stop"
			}
			c.retries.WithLabelValues(ev.FiberName, kind, decision).Inc()
		},
		WaitEnd: func(_ context.Context, ev effect.WaitEvent) {
			res := ev.Resource
			if strings.HasPrefix(res, "#") {
				res = "" // a fiber's ID: not a label
			}
			c.waits.WithLabelValues(ev.Kind, res).Inc()
			c.waitDur.WithLabelValues(ev.Kind, res).Observe(ev.Duration.Seconds())
		},
		NamedEnd: func(_ context.Context, ev effect.NamedEvent) {
			c.namedDur.WithLabelValues(ev.Name, Outcome(ev.Err)).Observe(ev.Duration.Seconds())
		},
	}
}
