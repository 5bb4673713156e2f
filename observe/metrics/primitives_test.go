package metrics_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/metrics"
	"github.com/gogoscope/gogoscope/ratelimit"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/stream"
)

// observer is what Collector and OTel share for primitives.
type observer interface {
	ObservePool(name string, p metrics.PoolStatser) func()
	ObserveSemaphore(name string, s metrics.SemaphoreState) func()
	ObserveQueue(name string, q metrics.QueueState) func()
	ObserveLimiter(name string, l metrics.LimiterState) func()
	ObserveBreaker(cb *resource.CircuitBreaker) func()
	BreakerStateChanged() func(name string, from, to resource.BreakerState)
}

// withPrimitives builds a pool of 3 with 2 borrowed, a semaphore of 5
// with 4 permits taken and a fiber waiting for 2, a queue of 4 holding 3,
// an unbounded queue holding 1, a token bucket of 10 with 4 taken and a
// breaker tripped by one failure; registers them all with every observer;
// and calls check while they are in that state. It returns the function
// that unregisters the pool from every observer.
func withPrimitives(t *testing.T, check func(unregisterPool func()), obs ...observer) {
	synctest.Test(t, func(t *testing.T) {
		sem := resource.Concurrency(5)
		jobs := stream.NewQueue[int](4, stream.BackPressure)
		events := stream.NewUnboundedQueue[string]()
		cb := resource.Breaker(resource.BreakerOptions{Name: "payments", FailureThreshold: 1,
			OnStateChange: func(name string, from, to resource.BreakerState) {
				for _, o := range obs {
					o.BreakerStateChanged()(name, from, to)
				}
			}})
		pool := resource.NewPool[any, error](resource.PoolOptions[int]{Min: 3, Max: 3, Create: eff.Succeed(7)})
		lim := ratelimit.New[any, error](ratelimit.TokenBucket{Rate: 1, Per: time.Hour, Burst: 10})
		var later []func() // unregistered after the run
		defer func() {
			for _, u := range later {
				u()
			}
		}()
		prog := pool.FlatMap(func(p *resource.Pool[int]) eff.Effect[struct{}] {
			return lim.FlatMap(func(l *ratelimit.Limiter) eff.Effect[struct{}] {
				var unregs []func()
				for _, o := range obs {
					unregs = append(unregs, o.ObservePool("db", p))
					later = append(later, o.ObserveSemaphore("db-conns", sem), o.ObserveQueue("jobs", jobs),
						o.ObserveQueue("events", events), o.ObserveLimiter("api", l), o.ObserveBreaker(cb))
				}
				if !sem.TryAcquire(4) || !l.TryAcquire(4) {
					t.Fatal("could not take permits or tokens")
				}
				for i := range 3 {
					jobs.TryOffer(i)
				}
				events.TryOffer("started")
				borrow := effect.AndThen(p.AcquireScoped[any, error](), p.AcquireScoped[any, error]())
				trip := cb.Execute(eff.Fail[int](errBoom)).OrElse(eff.Succeed(0))
				waiter := eff.Fork(sem.Acquire[any, error](2))
				return effect.AndThen(borrow, effect.AndThen(trip, effect.AndThen(waiter,
					effect.AndThen(eff.Sleep(time.Millisecond), eff.Sync(func() struct{} {
						check(func() {
							for _, u := range unregs {
								u()
								u() // twice is harmless
							}
						})
						return struct{}{}
					})))))
			})
		})
		if _, err := eff.Run(context.Background(), eff.Scoped(prog)); err != nil {
			t.Fatal(err)
		}
	})
}

const wantPrimitives = `
# HELP gogoscope_pool_resources Resources of a pool, by state (idle, in_use).
# TYPE gogoscope_pool_resources gauge
gogoscope_pool_resources{name="db",state="idle"} 1
gogoscope_pool_resources{name="db",state="in_use"} 2
# HELP gogoscope_pool_waiters Fibers waiting for a resource of a pool.
# TYPE gogoscope_pool_waiters gauge
gogoscope_pool_waiters{name="db"} 0
# HELP gogoscope_semaphore_permits Permits of a semaphore.
# TYPE gogoscope_semaphore_permits gauge
gogoscope_semaphore_permits{name="db-conns"} 5
# HELP gogoscope_semaphore_available_permits Permits of a semaphore not held.
# TYPE gogoscope_semaphore_available_permits gauge
gogoscope_semaphore_available_permits{name="db-conns"} 1
# HELP gogoscope_semaphore_waiters Fibers waiting for permits of a semaphore.
# TYPE gogoscope_semaphore_waiters gauge
gogoscope_semaphore_waiters{name="db-conns"} 1
# HELP gogoscope_queue_length Items in a queue or channel.
# TYPE gogoscope_queue_length gauge
gogoscope_queue_length{name="events"} 1
gogoscope_queue_length{name="jobs"} 3
# HELP gogoscope_queue_capacity Capacity of a bounded queue or channel.
# TYPE gogoscope_queue_capacity gauge
gogoscope_queue_capacity{name="jobs"} 4
# HELP gogoscope_limiter_capacity The most one request may cost at a rate limiter (its burst or window).
# TYPE gogoscope_limiter_capacity gauge
gogoscope_limiter_capacity{name="api"} 10
# HELP gogoscope_limiter_available Cost a rate limiter would admit now.
# TYPE gogoscope_limiter_available gauge
gogoscope_limiter_available{name="api"} 6
# HELP gogoscope_limiter_waiters Fibers waiting at a rate limiter.
# TYPE gogoscope_limiter_waiters gauge
gogoscope_limiter_waiters{name="api"} 0
# HELP gogoscope_breaker_state State of a circuit breaker: 1 for its state (closed, open, half-open), 0 for the others.
# TYPE gogoscope_breaker_state gauge
gogoscope_breaker_state{name="payments",state="closed"} 0
gogoscope_breaker_state{name="payments",state="half-open"} 0
gogoscope_breaker_state{name="payments",state="open"} 1
# HELP gogoscope_breaker_state_changes_total State changes of circuit breakers, by name, from and to (closed, open, half-open).
# TYPE gogoscope_breaker_state_changes_total counter
gogoscope_breaker_state_changes_total{from="closed",name="payments",to="open"} 1
`

var primitiveFamilies = []string{"gogoscope_pool_resources", "gogoscope_pool_waiters", "gogoscope_semaphore_permits",
	"gogoscope_semaphore_available_permits", "gogoscope_semaphore_waiters", "gogoscope_queue_length",
	"gogoscope_queue_capacity", "gogoscope_limiter_capacity", "gogoscope_limiter_available",
	"gogoscope_limiter_waiters", "gogoscope_breaker_state", "gogoscope_breaker_state_changes_total"}

func TestPrimitivesPrometheusAndOTel(t *testing.T) {
	c := metrics.New(metrics.Options{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	o, collect := newOTel(t, metrics.Options{})
	withPrimitives(t, func(unregisterPool func()) {
		if err := testutil.GatherAndCompare(reg, strings.NewReader(wantPrimitives), primitiveFamilies...); err != nil {
			t.Error(err)
		}
		s := metrics.SnapshotOf(ptr(collect()))
		for _, w := range []struct {
			metric string
			labels []string
			v      float64
		}{
			{"gogoscope.pool.usage", []string{"gogoscope.pool.name", "db", "gogoscope.state", "idle"}, 1},
			{"gogoscope.pool.usage", []string{"gogoscope.pool.name", "db", "gogoscope.state", "in_use"}, 2},
			{"gogoscope.pool.waiting", []string{"gogoscope.pool.name", "db"}, 0},
			{"gogoscope.semaphore.size", []string{"gogoscope.semaphore.name", "db-conns"}, 5},
			{"gogoscope.semaphore.available", []string{"gogoscope.semaphore.name", "db-conns"}, 1},
			{"gogoscope.semaphore.waiting", []string{"gogoscope.semaphore.name", "db-conns"}, 1},
			{"gogoscope.queue.length", []string{"gogoscope.queue.name", "jobs"}, 3},
			{"gogoscope.queue.length", []string{"gogoscope.queue.name", "events"}, 1},
			{"gogoscope.queue.capacity", []string{"gogoscope.queue.name", "jobs"}, 4},
			{"gogoscope.limiter.capacity", []string{"gogoscope.limiter.name", "api"}, 10},
			{"gogoscope.limiter.available", []string{"gogoscope.limiter.name", "api"}, 6},
			{"gogoscope.limiter.waiting", []string{"gogoscope.limiter.name", "api"}, 0},
			{"gogoscope.breaker.state", []string{"gogoscope.breaker.name", "payments", "gogoscope.state", "open"}, 1},
			{"gogoscope.breaker.state", []string{"gogoscope.breaker.name", "payments", "gogoscope.state", "closed"}, 0},
			{"gogoscope.breaker.state_change", []string{"gogoscope.breaker.name", "payments", "gogoscope.breaker.from", "closed", "gogoscope.breaker.to", "open"}, 1},
		} {
			m, _ := s.Metric(w.metric)
			if p, ok := m.Point(w.labels...); !ok || p.Value != w.v {
				t.Errorf("%s %v: %+v (%v), want %v", w.metric, w.labels, p, ok, w.v)
			}
		}
		if m, _ := s.Metric("gogoscope.queue.capacity"); len(m.Points) != 1 {
			t.Errorf("an unbounded queue has a capacity: %+v", m.Points)
		}

		// Unregistered, the pool is no longer observed, by either side.
		unregisterPool()
		n, err := testutil.GatherAndCount(reg, "gogoscope_pool_resources", "gogoscope_pool_waiters")
		if n != 0 || err != nil {
			t.Errorf("pool series after unregistering: %d, %v", n, err)
		}
		s = metrics.SnapshotOf(ptr(collect()))
		if m, _ := s.Metric("gogoscope.pool.usage"); len(m.Points) != 0 {
			t.Errorf("pool points after unregistering: %+v", m.Points)
		}
		if m, _ := s.Metric("gogoscope.semaphore.size"); len(m.Points) != 1 {
			t.Errorf("semaphore points: %+v", m.Points)
		}
	}, c, o)
	// Observed until Close, then no more.
	defer o.ObserveSemaphore("late", resource.Concurrency(2))()
	points := func() int {
		m, _ := metrics.SnapshotOf(ptr(collect())).Metric("gogoscope.semaphore.size")
		return len(m.Points)
	}
	if n := points(); n != 1 {
		t.Fatalf("semaphore points before Close: %d", n)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if n := points(); n != 0 {
		t.Errorf("semaphore points after Close: %d", n)
	}
}

// A namespace that OpenTelemetry refuses as the start of an instrument's
// name is the meter's error, returned.
func TestNewOTelReportsTheMetersError(t *testing.T) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	m, err := metrics.NewOTel(mp, metrics.Options{Namespace: "9 lives"})
	if err == nil || !strings.Contains(err.Error(), "9 lives.fiber.started") || m == nil {
		t.Errorf("got %v, %v", m, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestObserveBadInput(t *testing.T) {
	c := metrics.New(metrics.Options{})
	sem := resource.Concurrency(1)
	defer c.ObserveSemaphore("s", sem)()
	o, _ := newOTel(t, metrics.Options{})
	for want, fn := range map[string]func(){
		`metrics.Collector.ObserveSemaphore: a semaphore named "s" is observed already`: func() { c.ObserveSemaphore("s", sem) },
		"metrics.Collector.ObservePool: the pool must not be nil":                       func() { c.ObservePool("p", (*resource.Pool[int])(nil)) },
		"metrics.OTel.ObserveQueue: the queue must not be nil":                          func() { o.ObserveQueue("q", nil) },
		"metrics.OTel.ObserveBreaker: the breaker must not be nil":                      func() { o.ObserveBreaker(nil) },
		"metrics.OTel.Watch: rt must not be nil":                                        func() { o.Watch(nil) },
		"metrics.NewOTel: Buckets must be strictly increasing":                          func() { _, _ = metrics.NewOTel(nil, metrics.Options{Buckets: []float64{2, 1}}) },
	} {
		func() {
			defer func() {
				if r := recover(); r != want {
					t.Errorf("panic %v, want %q", r, want)
				}
			}()
			fn()
		}()
	}
}
