// Package metrics counts what the fibers of a runtime do, as Prometheus
// metrics: fibers started and ended by outcome, live fibers, fiber and
// Named-effect durations, open scopes, finalizer durations, retries,
// interruptions by reason, and waits on sleeps, joins and the library's
// primitives (semaphores, pools, queues...) with their durations.
//
//	m := metrics.New(metrics.Options{})
//	prometheus.MustRegister(m)   // or a registry of your own
//	defer m.Watch(rt)()          // rt is an *effect.Runtime
//	http.Handle("/metrics", promhttp.Handler())
//
// The collector is built on prometheus/client_golang rather than on the
// OpenTelemetry metric SDK and its Prometheus exporter: client_golang is
// what a Prometheus scrape endpoint needs and nothing more (its registry,
// exposition format and testutil), while the OTel route adds the SDK, an
// exporter and a translation layer to reach the same text. Programs that
// export metrics through OpenTelemetry can bridge the registry
// (go.opentelemetry.io/contrib/bridges/prometheus).
//
// Labels: a fiber's "name" is the first [effect.Named] name it entered,
// else the name it inherited from the forking fiber ("" for none), and a
// Named effect's is its own: keep names few and stable, as their doc says;
// "outcome" is success, failure, defect or interrupted; a wait's
// "resource" is the primitive's name (a fiber being joined is not
// labelled by its ID). Use [Outcome] to classify errors the same way in
// metrics of your own.
//
// Use metrics for rates, totals and latency distributions over time; use
// package tracing to follow one request, and the runtime's dumps
// ([effect.Runtime.Dump]) and profiler ([effect.Profiler]) for what one
// program is doing now.
//
// Cost: the hooks run on the fiber at each event (a fiber's start and end,
// a wait, a retry, a finalizer); each is a label lookup and an atomic add.
// A runtime not watched pays a nil check per event.
package metrics
