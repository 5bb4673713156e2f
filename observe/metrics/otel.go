package metrics

import (
	"context"
	"errors"
	"sort"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// ScopeName is the instrumentation scope of the meter that [NewOTel]
// takes from its MeterProvider.
const ScopeName = "github.com/gogoscope/gogoscope/observe/metrics"

// Attribute keys of the OpenTelemetry instruments. An observed primitive's
// name is under gogoscope.<kind>.name: gogoscope.pool.name,
// gogoscope.semaphore.name, gogoscope.queue.name, gogoscope.limiter.name,
// gogoscope.breaker.name ([AttrBreakerName]).
const (
	AttrFiberName       = attribute.Key("gogoscope.fiber.name")
	AttrEffectName      = attribute.Key("gogoscope.effect.name")
	AttrOutcome         = attribute.Key("gogoscope.outcome")
	AttrRetryKind       = attribute.Key("gogoscope.retry.kind")
	AttrRetryAction     = attribute.Key("gogoscope.retry.action")
	AttrInterruptReason = attribute.Key("gogoscope.interrupt.reason")
	AttrWaitKind        = attribute.Key("gogoscope.wait.kind")
	AttrWaitResource    = attribute.Key("gogoscope.wait.resource")
	AttrBreakerName     = attribute.Key("gogoscope.breaker.name")
	AttrBreakerFrom     = attribute.Key("gogoscope.breaker.from")
	AttrBreakerTo       = attribute.Key("gogoscope.breaker.to")
	AttrState           = attribute.Key("gogoscope.state")
)

// OTel records the metrics of the runtimes it watches ([OTel.Watch]) and
// of the primitives it observes ([OTel.ObservePool] and the like) through
// the OpenTelemetry metric API, so that any MeterProvider and exporter
// receive them: OTLP, stdout, the OTel Prometheus exporter, or a
// ManualReader in a test. It counts what [Collector] counts, from the same
// hooks, under OpenTelemetry's names (see the package doc). It is safe for
// concurrent use.
type OTel struct {
	*core
	o   *otelSink
	reg metric.Registration
}

// otelSink is the recorder's sink for the OpenTelemetry metric API.
type otelSink struct {
	started    metric.Int64Counter
	ended      metric.Int64Counter
	live       metric.Int64UpDownCounter
	fiberDur   metric.Float64Histogram
	namedDur   metric.Float64Histogram
	scopes     metric.Int64UpDownCounter
	finalizers metric.Float64Histogram
	retries    metric.Int64Counter
	interrupts metric.Int64Counter
	waitDur    metric.Float64Histogram
	breakers   metric.Int64Counter
	gauges     [numGauges]metric.Int64ObservableUpDownCounter

	constAttrs []attribute.KeyValue
	none       *attrOpts // the const attributes alone
	mu         sync.RWMutex
	attrs      map[attrKey]*attrOpts
}

// attrOpts is one attribute set as the options of each kind of call,
// made once: a variadic option passed afresh would allocate at each call.
type attrOpts struct {
	add []metric.AddOption
	rec []metric.RecordOption
	obs []metric.ObserveOption
}

func newAttrOpts(kv []attribute.KeyValue) *attrOpts {
	o := metric.WithAttributeSet(attribute.NewSet(kv...))
	return &attrOpts{add: []metric.AddOption{o}, rec: []metric.RecordOption{o}, obs: []metric.ObserveOption{o}}
}

// attrKey identifies a set of attribute values of one instrument; the
// cache it keys is bounded because names are capped.
type attrKey struct {
	inst    int
	a, b, c string
}

// instrument numbers for attrKey, after the gauges'.
const (
	instEnded = int(numGauges) + iota
	instFiberDur
	instNamedDur
	instFinalizers
	instRetries
	instInterrupts
	instWaitDur
	instBreakers
)

// NewOTel returns an OTel that records through a meter of mp (the global
// MeterProvider, otel.GetMeterProvider(), if mp is nil). It returns the
// error of the meter if an instrument or the callback of the observed
// primitives cannot be made (the instruments made still work). It panics
// if opts.Buckets are not strictly increasing. Call [OTel.Close] to stop
// the observation of primitives when done with the OTel before its
// MeterProvider.
func NewOTel(mp metric.MeterProvider, opts Options) (*OTel, error) {
	ns, buckets := checkOptions("metrics.NewOTel", opts)
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName)
	s := &otelSink{attrs: map[attrKey]*attrOpts{}}
	keys := make([]string, 0, len(opts.ConstLabels))
	for k := range opts.ConstLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.constAttrs = append(s.constAttrs, attribute.String(k, opts.ConstLabels[k]))
	}
	s.none = newAttrOpts(s.constAttrs)

	var errs []error
	name := func(n string) string { return ns + "." + n }
	counter := func(n, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name(n), metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	upDown := func(n, unit, desc string) metric.Int64UpDownCounter {
		c, err := m.Int64UpDownCounter(name(n), metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	hist := func(n, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name(n), metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(buckets...))
		errs = append(errs, err)
		return h
	}
	s.started = counter("fiber.started", "{fiber}", "Fibers started.")
	s.ended = counter("fiber.ended", "{fiber}", "Fibers ended, by name and outcome (success, failure, defect, interrupted).")
	s.live = upDown("fiber.live", "{fiber}", "Fibers started and not yet ended.")
	s.fiberDur = hist("fiber.duration", "Fiber lifetimes, from start to end (finalizers included), by name and outcome.")
	s.namedDur = hist("effect.duration", "Durations of runs of Named effects, by name and outcome.")
	s.scopes = upDown("scope.open", "{scope}", "Explicit scopes (Scoped, MakeScope, NewScope) open.")
	s.finalizers = hist("finalizer.duration", "Durations of finalizers, by outcome.")
	s.retries = counter("retry.decision", "{decision}", "Decisions of Retry and Repeat schedules, by fiber name, kind (retry, repeat) and action (again, stop).")
	s.interrupts = counter("interrupt.request", "{request}", "Interruptions requested, by reason (lost_race, timeout, scope_closed, fail_fast, other).")
	s.waitDur = hist("wait.duration", "Durations of waits of fibers, by kind (sleep, join, semaphore, pool, queue, deferred...) and the primitive's name; the count is the number of waits.")
	s.breakers = counter("breaker.state_change", "{change}", "State changes of circuit breakers, by name, from and to (closed, open, half-open).")
	obs := make([]metric.Observable, 0, numGauges)
	for g, d := range gauges {
		inst, err := m.Int64ObservableUpDownCounter(name(d.otel), metric.WithUnit(d.unit), metric.WithDescription(d.help))
		errs = append(errs, err)
		s.gauges[g] = inst
		obs = append(obs, inst)
	}
	o := &OTel{core: newCore("metrics.OTel", s, opts.MaxNames), o: s}
	reg, err := m.RegisterCallback(o.observe, obs...)
	errs = append(errs, err)
	o.reg = reg
	return o, errors.Join(errs...)
}

// Close unregisters the callback that reads the observed primitives at
// each collection. It does not stop the runtimes' hooks (the functions
// Watch returned do). It returns the meter's error, if any.
func (o *OTel) Close() error {
	if o.reg == nil {
		return nil
	}
	return o.reg.Unregister()
}

// observe is the callback of the observable instruments: it reads each
// observed primitive once.
func (o *OTel) observe(ctx context.Context, ob metric.Observer) error {
	s := o.o
	o.each(ctx, func(it *observedItem, r reading) {
		opt := s.cached(attrKey{inst: int(r.g), a: it.name, b: r.extra}, func() []attribute.KeyValue {
			kv := []attribute.KeyValue{attribute.String("gogoscope."+gauges[r.g].kind+".name", it.name)}
			if r.extra != "" {
				kv = append(kv, AttrState.String(r.extra))
			}
			return kv
		})
		ob.ObserveInt64(s.gauges[r.g], r.v, opt.obs...)
	})
	return nil
}

// cached returns the option for key, making it with kvs on a miss.
func (s *otelSink) cached(key attrKey, kvs func() []attribute.KeyValue) *attrOpts {
	s.mu.RLock()
	o, ok := s.attrs[key]
	s.mu.RUnlock()
	if ok {
		return o
	}
	kv := append(kvs(), s.constAttrs...)
	o = newAttrOpts(kv)
	s.mu.Lock()
	s.attrs[key] = o
	s.mu.Unlock()
	return o
}

// two returns the cached option of inst for k1=v1, k2=v2.
func (s *otelSink) two(inst int, k1 attribute.Key, v1 string, k2 attribute.Key, v2 string) *attrOpts {
	return s.cached(attrKey{inst: inst, a: v1, b: v2}, func() []attribute.KeyValue {
		return []attribute.KeyValue{k1.String(v1), k2.String(v2)}
	})
}

func (s *otelSink) fiberStarted() {
	ctx := context.Background()
	s.started.Add(ctx, 1, s.none.add...)
	s.live.Add(ctx, 1, s.none.add...)
}

func (s *otelSink) fiberEnded(ctx context.Context, name, outcome string, seconds float64, timed bool) {
	opt := s.two(instEnded, AttrFiberName, name, AttrOutcome, outcome)
	s.ended.Add(ctx, 1, opt.add...)
	s.live.Add(ctx, -1, s.none.add...)
	if timed {
		s.fiberDur.Record(ctx, seconds, opt.rec...)
	}
}

func (s *otelSink) scopeDelta(d int64) { s.scopes.Add(context.Background(), d, s.none.add...) }

func (s *otelSink) finalizerEnded(ctx context.Context, outcome string, seconds float64) {
	s.finalizers.Record(ctx, seconds, s.cached(attrKey{inst: instFinalizers, a: outcome}, func() []attribute.KeyValue {
		return []attribute.KeyValue{AttrOutcome.String(outcome)}
	}).rec...)
}

func (s *otelSink) interruptRequested(reason string) {
	s.interrupts.Add(context.Background(), 1, s.cached(attrKey{inst: instInterrupts, a: reason}, func() []attribute.KeyValue {
		return []attribute.KeyValue{AttrInterruptReason.String(reason)}
	}).add...)
}

func (s *otelSink) retryDecided(ctx context.Context, name, kind, decision string) {
	s.retries.Add(ctx, 1, s.cached(attrKey{instRetries, name, kind, decision}, func() []attribute.KeyValue {
		return []attribute.KeyValue{AttrFiberName.String(name), AttrRetryKind.String(kind), AttrRetryAction.String(decision)}
	}).add...)
}

func (s *otelSink) waitEnded(ctx context.Context, kind, resource string, seconds float64) {
	s.waitDur.Record(ctx, seconds, s.two(instWaitDur, AttrWaitKind, kind, AttrWaitResource, resource).rec...)
}

func (s *otelSink) namedEnded(ctx context.Context, name, outcome string, seconds float64) {
	s.namedDur.Record(ctx, seconds, s.two(instNamedDur, AttrEffectName, name, AttrOutcome, outcome).rec...)
}

func (s *otelSink) breakerChanged(name, from, to string) {
	s.breakers.Add(context.Background(), 1, s.cached(attrKey{instBreakers, name, from, to}, func() []attribute.KeyValue {
		return []attribute.KeyValue{AttrBreakerName.String(name), AttrBreakerFrom.String(from), AttrBreakerTo.String(to)}
	}).add...)
}
