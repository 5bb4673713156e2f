package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/observe/metrics"
	"github.com/gogoscope/gogoscope/ratelimit"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/stream"
)

// printFamilies prints the samples of the named families of c.
func printFamilies(c prometheus.Collector, names ...string) {
	out, _ := testutil.CollectAndFormat(c, expfmt.TypeTextPlain, names...)
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "gogoscope_") {
			fmt.Println(line)
		}
	}
}

// A semaphore is read at each scrape: its size, the permits left and the
// fibers waiting.
func ExampleCollector_ObserveSemaphore() {
	m := metrics.New(metrics.Options{})
	sem := resource.Concurrency(4)
	defer m.ObserveSemaphore("db", sem)()
	sem.TryAcquire(3)
	printFamilies(m, "gogoscope_semaphore_available_permits", "gogoscope_semaphore_permits")
	// Output:
	// gogoscope_semaphore_available_permits{name="db"} 1
	// gogoscope_semaphore_permits{name="db"} 4
}

// A pool's resources by state, and its waiters.
func ExampleCollector_ObservePool() {
	m := metrics.New(metrics.Options{})
	prog := resource.NewPool[any, error](resource.PoolOptions[string]{Min: 2, Max: 4, Create: eff.Succeed("conn")}).
		FlatMap(func(p *resource.Pool[string]) eff.Effect[struct{}] {
			unregister := m.ObservePool("db", p)
			return p.AcquireScoped[any, error]().Map(func(resource.Lease[string]) struct{} {
				printFamilies(m, "gogoscope_pool_resources", "gogoscope_pool_waiters")
				unregister()
				return struct{}{}
			})
		})
	_, _ = eff.Run(context.Background(), eff.Scoped(prog))
	// Output:
	// gogoscope_pool_resources{name="db",state="idle"} 1
	// gogoscope_pool_resources{name="db",state="in_use"} 1
	// gogoscope_pool_waiters{name="db"} 0
}

// A queue's (or a channel's) length and capacity.
func ExampleCollector_ObserveQueue() {
	m := metrics.New(metrics.Options{})
	q := stream.NewQueue[string](8, stream.BackPressure)
	defer m.ObserveQueue("jobs", q)()
	q.TryOffer("a")
	q.TryOffer("b")
	printFamilies(m, "gogoscope_queue_length", "gogoscope_queue_capacity")
	// Output:
	// gogoscope_queue_capacity{name="jobs"} 8
	// gogoscope_queue_length{name="jobs"} 2
}

// A rate limiter's capacity, what it would admit now, and its waiters.
func ExampleCollector_ObserveLimiter() {
	m := metrics.New(metrics.Options{})
	prog := ratelimit.New[any, error](ratelimit.TokenBucket{Rate: 10, Per: time.Hour, Burst: 10}).
		Map(func(l *ratelimit.Limiter) struct{} {
			defer m.ObserveLimiter("api", l)()
			l.TryAcquire(3)
			printFamilies(m, "gogoscope_limiter_available", "gogoscope_limiter_capacity")
			return struct{}{}
		})
	_, _ = eff.Run(context.Background(), eff.Scoped(prog))
	// Output:
	// gogoscope_limiter_available{name="api"} 7
	// gogoscope_limiter_capacity{name="api"} 10
}

// A breaker's state is read at each scrape; BreakerStateChanged, set as
// its OnStateChange, counts its changes.
func ExampleCollector_ObserveBreaker() {
	m := metrics.New(metrics.Options{})
	cb := resource.Breaker(resource.BreakerOptions{Name: "payments", FailureThreshold: 1,
		OnStateChange: m.BreakerStateChanged()})
	defer m.ObserveBreaker(cb)()
	_, _ = eff.Run(context.Background(), cb.Execute(eff.Fail[int](errors.New("503"))))
	printFamilies(m, "gogoscope_breaker_state", "gogoscope_breaker_state_changes_total")
	// Output:
	// gogoscope_breaker_state{name="payments",state="closed"} 0
	// gogoscope_breaker_state{name="payments",state="half-open"} 0
	// gogoscope_breaker_state{name="payments",state="open"} 1
	// gogoscope_breaker_state_changes_total{from="closed",name="payments",to="open"} 1
}
