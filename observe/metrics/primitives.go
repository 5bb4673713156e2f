package metrics

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/gogoscope/gogoscope/resource"
)

// PoolStatser is what [Collector.ObservePool] reads: a *[resource.Pool] of
// any resource type.
type PoolStatser interface {
	Stats() resource.PoolStats
}

// SemaphoreState is what [Collector.ObserveSemaphore] reads: a
// *[resource.Semaphore].
type SemaphoreState interface {
	Size() int64
	Available() int64
	Waiting() int
}

// QueueState is what [Collector.ObserveQueue] reads: a stream.Queue, a
// stream.Channel or a stream.Subscription. A negative Cap (an unbounded
// queue) reports no capacity.
type QueueState interface {
	Len() int
	Cap() int
}

// LimiterState is what [Collector.ObserveLimiter] reads: a
// *ratelimit.Limiter.
type LimiterState interface {
	Capacity() int64
	Available() int64
	Waiting() int
}

// gauge identifies one metric read at collection time.
type gauge int

const (
	poolUsage gauge = iota
	poolWaiting
	semSize
	semAvailable
	semWaiting
	queueLength
	queueCapacity
	limCapacity
	limAvailable
	limWaiting
	breakerState
	numGauges
)

// gaugeDesc describes a gauge for both sinks: its OTel name (after the
// namespace) and unit, its Prometheus name (after the namespace), help,
// the primitive kind whose name labels it, and its extra label, if any.
type gaugeDesc struct {
	otel, unit, prom, help, kind, extra string
}

var gauges = [numGauges]gaugeDesc{
	poolUsage:     {"pool.usage", "{resource}", "pool_resources", "Resources of a pool, by state (idle, in_use).", "pool", "state"},
	poolWaiting:   {"pool.waiting", "{fiber}", "pool_waiters", "Fibers waiting for a resource of a pool.", "pool", ""},
	semSize:       {"semaphore.size", "{permit}", "semaphore_permits", "Permits of a semaphore.", "semaphore", ""},
	semAvailable:  {"semaphore.available", "{permit}", "semaphore_available_permits", "Permits of a semaphore not held.", "semaphore", ""},
	semWaiting:    {"semaphore.waiting", "{fiber}", "semaphore_waiters", "Fibers waiting for permits of a semaphore.", "semaphore", ""},
	queueLength:   {"queue.length", "{item}", "queue_length", "Items in a queue or channel.", "queue", ""},
	queueCapacity: {"queue.capacity", "{item}", "queue_capacity", "Capacity of a bounded queue or channel.", "queue", ""},
	limCapacity:   {"limiter.capacity", "{cost}", "limiter_capacity", "The most one request may cost at a rate limiter (its burst or window).", "limiter", ""},
	limAvailable:  {"limiter.available", "{cost}", "limiter_available", "Cost a rate limiter would admit now.", "limiter", ""},
	limWaiting:    {"limiter.waiting", "{fiber}", "limiter_waiters", "Fibers waiting at a rate limiter.", "limiter", ""},
	breakerState:  {"breaker.state", "{breaker}", "breaker_state", "State of a circuit breaker: 1 for its state (closed, open, half-open), 0 for the others.", "breaker", "state"},
}

// breakerStates are the values of a breaker_state point's state label.
var breakerStates = [...]resource.BreakerState{resource.BreakerClosed, resource.BreakerOpen, resource.BreakerHalfOpen}

// reading is one value of a gauge: extra is the extra label's value.
type reading struct {
	g     gauge
	extra string
	v     int64
}

// observedItem is a registered primitive.
type observedItem struct {
	kind, name string
	read       func(ctx context.Context, emit func(reading))
}

// add registers it and returns the function that unregisters it. It
// panics if a primitive of the same kind and name is observed already.
func (c *core) add(method, kind, name string, nilArg bool, read func(ctx context.Context, emit func(reading))) (unregister func()) {
	if nilArg {
		panic(fmt.Sprintf("%s.%s: the %s must not be nil", c.who, method, kind))
	}
	it := &observedItem{kind: kind, name: c.names.admit(name), read: read}
	key := [2]string{kind, it.name}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.items[key]; dup {
		panic(fmt.Sprintf("%s.%s: a %s named %q is observed already", c.who, method, kind, it.name))
	}
	c.items[key] = it
	c.order = append(c.order, it)
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			delete(c.items, key)
			for i, x := range c.order {
				if x == it {
					c.order = append(c.order[:i:i], c.order[i+1:]...)
					break
				}
			}
		})
	}
}

// each calls f with each registered primitive's readings, in registration
// order. The registry is not locked while the primitives are read.
func (c *core) each(ctx context.Context, f func(it *observedItem, r reading)) {
	c.mu.Lock()
	items := append([]*observedItem(nil), c.order...)
	c.mu.Unlock()
	for _, it := range items {
		it.read(ctx, func(r reading) { f(it, r) })
	}
}

// ObservePool makes the pool's counts (idle and in-use resources, waiting
// fibers) part of every collection, under name, until the returned
// function is called (more than once is harmless; a collection already
// under way when it is called may still read the pool once). It panics if p is nil
// or a pool of that name is observed already. Reading a pool takes its
// lock for a moment (see [resource.Pool.Stats]).
func (c *core) ObservePool(name string, p PoolStatser) (unregister func()) {
	return c.add("ObservePool", "pool", name, isNil(p), func(_ context.Context, emit func(reading)) {
		st := p.Stats()
		emit(reading{poolUsage, "idle", int64(st.Idle)})
		emit(reading{poolUsage, "in_use", int64(st.InUse)})
		emit(reading{g: poolWaiting, v: int64(st.Waiters)})
	})
}

// ObserveSemaphore makes the semaphore's size, available permits and
// waiting fibers part of every collection, under name, until the returned
// function is called. It panics if s is nil or a semaphore of that name is
// observed already.
func (c *core) ObserveSemaphore(name string, s SemaphoreState) (unregister func()) {
	return c.add("ObserveSemaphore", "semaphore", name, isNil(s), func(_ context.Context, emit func(reading)) {
		emit(reading{g: semSize, v: s.Size()})
		emit(reading{g: semAvailable, v: s.Available()})
		emit(reading{g: semWaiting, v: int64(s.Waiting())})
	})
}

// ObserveQueue makes the length and capacity of a queue or channel part
// of every collection, under name, until the returned function is called;
// an unbounded queue (a negative Cap) has no capacity point. It panics if
// q is nil or a queue of that name is observed already.
func (c *core) ObserveQueue(name string, q QueueState) (unregister func()) {
	return c.add("ObserveQueue", "queue", name, isNil(q), func(_ context.Context, emit func(reading)) {
		emit(reading{g: queueLength, v: int64(q.Len())})
		if c := q.Cap(); c >= 0 {
			emit(reading{g: queueCapacity, v: int64(c)})
		}
	})
}

// ObserveLimiter makes a rate limiter's capacity, available cost and
// waiting fibers part of every collection, under name, until the returned
// function is called. It panics if l is nil or a limiter of that name is
// observed already.
func (c *core) ObserveLimiter(name string, l LimiterState) (unregister func()) {
	return c.add("ObserveLimiter", "limiter", name, isNil(l), func(_ context.Context, emit func(reading)) {
		emit(reading{g: limCapacity, v: l.Capacity()})
		emit(reading{g: limAvailable, v: l.Available()})
		emit(reading{g: limWaiting, v: int64(l.Waiting())})
	})
}

// ObserveBreaker makes a circuit breaker's state part of every collection,
// under its name ([resource.CircuitBreaker.Name]), until the returned
// function is called: one point per state, 1 for the breaker's and 0 for
// the others, so that a sum over breakers counts them by state. Each
// collection reads the breaker's store ([resource.CircuitBreaker.Snapshot]):
// with a remote store, a network call per collection; a store that fails
// leaves the breaker out of that collection. It panics if cb is nil or a
// breaker of that name is observed already.
//
// State changes are counted as they happen by the function that
// BreakerStateChanged returns, set as the breaker's
// [resource.BreakerOptions.OnStateChange].
func (c *core) ObserveBreaker(cb *resource.CircuitBreaker) (unregister func()) {
	name := ""
	if cb != nil {
		name = cb.Name()
	}
	return c.add("ObserveBreaker", "breaker", name, cb == nil, func(ctx context.Context, emit func(reading)) {
		rec, err := cb.Snapshot(ctx)
		if err != nil {
			return
		}
		for _, s := range breakerStates {
			v := int64(0)
			if s == rec.State {
				v = 1
			}
			emit(reading{breakerState, s.String(), v})
		}
	})
}

// isNil reports whether v is nil or a nil pointer in an interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
