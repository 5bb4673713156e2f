// Package metrics counts what the fibers of a runtime do, and reads the
// state of the library's primitives, as Prometheus metrics or through the
// OpenTelemetry metric API: fibers started and ended by outcome, live
// fibers, fiber and Named-effect durations, open scopes, finalizer
// durations, retries, interruptions by reason, waits on sleeps, joins and
// primitives with their durations; and, read at each collection, pools,
// semaphores, queues and channels, rate limiters and circuit breakers.
//
// For a Prometheus scrape endpoint, use a [Collector]:
//
//	m := metrics.New(metrics.Options{})
//	prometheus.MustRegister(m)   // or a registry of your own
//	defer m.Watch(rt)()          // rt is an *effect.Runtime
//	http.Handle("/metrics", promhttp.Handler())
//
// For OpenTelemetry (OTLP to a collector, stdout, or any exporter of the
// SDK), use an [OTel] on a MeterProvider:
//
//	m, err := metrics.NewOTel(mp, metrics.Options{}) // nil mp: the global one
//	defer m.Watch(rt)()
//
// Both count the same events, from one recorder with two sinks, so their
// figures agree. Both observe primitives the same way: ObservePool,
// ObserveSemaphore, ObserveQueue, ObserveLimiter and ObserveBreaker
// register a primitive under a name and return the function that
// unregisters it; each collection (a scrape, a reader's Collect) reads
// every registered primitive once. No goroutine runs in between.
// BreakerStateChanged, set as a breaker's OnStateChange, counts its state
// changes as they happen.
//
// # Why client_golang for Prometheus, and OpenTelemetry for the rest
//
// The Prometheus side is built on prometheus/client_golang rather than on
// the OpenTelemetry SDK with its Prometheus exporter: a scrape endpoint is
// what most Go services expose, client_golang is exactly that (registry,
// exposition, testutil) and is already in most of them, and its names and
// types are Prometheus's own (fibers_ended_total, a histogram in seconds)
// rather than a translation of OTel's. The OpenTelemetry side uses only the
// metric API (go.opentelemetry.io/otel/metric), so the program chooses the
// SDK, its readers, views and exporters; the library writes no exposition
// format, registry or exporter of its own. A program that wants one
// pipeline for everything can give NewOTel a MeterProvider with the OTel
// Prometheus exporter (go.opentelemetry.io/otel/exporters/prometheus) as
// its reader instead of using a Collector. For JSON, [TakeSnapshot] reads a
// Prometheus gatherer and [SnapshotOf] what an OTel reader collected, both
// into a [Snapshot] with the p50, p90, p95 and p99 of every histogram.
//
// # Names, attributes and cardinality
//
// The OpenTelemetry instruments follow its naming conventions: a
// namespace ("gogoscope", or Options.Namespace), dotted names in the
// singular, durations in seconds as histograms ("s"), counts with a
// {unit}. Counts of things that go up and down (live fibers, open scopes,
// a pool's resources) are UpDownCounters, synchronous or observable, as
// OpenTelemetry's semantic conventions have them for additive values
// (db.client.connection.count), so that a sum over pools or breakers means
// something; a breaker's state is one point per state, 1 for its own.
//
//	gogoscope.fiber.started, .fiber.ended     {fiber}  gogoscope.fiber.name, gogoscope.outcome
//	gogoscope.fiber.live                      {fiber}
//	gogoscope.fiber.duration                  s        gogoscope.fiber.name, gogoscope.outcome
//	gogoscope.effect.duration                 s        gogoscope.effect.name, gogoscope.outcome
//	gogoscope.scope.open                      {scope}
//	gogoscope.finalizer.duration              s        gogoscope.outcome
//	gogoscope.retry.decision                  {decision} gogoscope.fiber.name, gogoscope.retry.kind, gogoscope.retry.action
//	gogoscope.interrupt.request               {request}  gogoscope.interrupt.reason
//	gogoscope.wait.duration                   s        gogoscope.wait.kind, gogoscope.wait.resource
//	gogoscope.breaker.state_change            {change} gogoscope.breaker.name, gogoscope.breaker.from, gogoscope.breaker.to
//	gogoscope.pool.usage                      {resource} gogoscope.pool.name, gogoscope.state (idle, in_use)
//	gogoscope.pool.waiting                    {fiber}  gogoscope.pool.name
//	gogoscope.semaphore.size, .available      {permit} gogoscope.semaphore.name
//	gogoscope.semaphore.waiting               {fiber}  gogoscope.semaphore.name
//	gogoscope.queue.length, .capacity         {item}   gogoscope.queue.name
//	gogoscope.limiter.capacity, .available    {cost}   gogoscope.limiter.name
//	gogoscope.limiter.waiting                 {fiber}  gogoscope.limiter.name
//	gogoscope.breaker.state                   {breaker} gogoscope.breaker.name, gogoscope.state
//
// A wait's count is its histogram's count. The Prometheus names are in
// docs/observability.md; their labels are the same, shorter (name,
// outcome, kind, resource, state...).
//
// Values: a fiber's name is the first [effect.Named] name it entered,
// else the name it inherited from the forking fiber ("" for none), and a
// Named effect's is its own; the outcome is success, failure, defect or
// interrupted ([Outcome] classifies errors the same way for metrics of
// your own); a wait's resource is the primitive's name (a fiber being
// joined is not labelled by its ID).
//
// Names are user text, and each distinct one is a new series in every
// metric it labels. The contract: keep them few and stable ("fetch user",
// not "fetch user 42"), and the metrics stay bounded by
// [Options.MaxNames] (1000 by default) distinct names in all — fiber and
// effect names, primitives and breakers — beyond which names are counted
// under [OtherName]. Every other attribute takes a fixed, small set of
// values. The OpenTelemetry SDK has its own limit of data points per
// instrument (2000 by default; sdk/metric's WithCardinalityLimit), beyond
// which it merges points into one marked otel.metric.overflow: the cap on
// names keeps these metrics below it, where the merge would lose which
// outcome a fiber had.
//
// Use metrics for rates, totals and latency distributions over time; use
// package tracing to follow one request, and the runtime's dumps
// ([effect.Runtime.Dump]) and profiler ([effect.Profiler]) for what one
// program is doing now.
//
// Cost: the hooks run on the fiber at each event (a fiber's start and end,
// a wait, a retry, a finalizer); each is a look-up of the name in the cap,
// then, for Prometheus, a label look-up and an atomic add, and for
// OpenTelemetry, a look-up of the attribute set (made once per set of
// values) and the SDK's own recording, allocating nothing. A runtime not
// watched pays a nil check per event. Reading a primitive at collection
// takes its lock for a moment; a breaker's state is read from its store.
package metrics
