// Package resource has the managed things that a scope owns: semaphores,
// circuit breakers, resource pools, and the rate limiters debounce,
// throttle and poll.
//
// Each is made by an effect ([NewSemaphore], [NewCircuitBreaker],
// [NewPool], [Debounce], [Throttle], [Poll]) that registers its cleanup in the current scope (see
// [effect.Scoped]). When that scope closes, the thing stops: fibers waiting
// on it are woken with an interruption whose reason is [ErrClosed] (never
// left hanging), what it holds is released (a pool destroys its
// resources, after waiting up to a deadline for the borrowed ones), and
// later calls fail with the same interruption. A long-lived one is made in
// an application scope, typically by a layer; a short-lived one in an
// [effect.Scoped] region.
//
// # Interruption safety
//
// Every blocking step (waiting for permits, for a pooled resource, for a
// health check) is interruptible — a pool's creation is an acquire step,
// which ends before an interruption takes effect — and no interruption
// point leaks: a waiter that is interrupted leaves the queue, and gives back what
// reached it at that same moment. [Semaphore.WithPermits], [Use] and
// [CircuitBreaker.Execute] hold what they take exactly for the length of an
// effect, whatever its outcome. The tests prove it by interrupting these
// operations at every step of their fiber in turn (the runtime's step hook)
// and checking that permits, pool places and breaker counts come back
// exactly.
//
// # Failure types
//
// Operations are generic in the environment R and the failure type E of the
// effects they are used in. Those that fail with errors of their own (a
// pool's creation error or acquire timeout, an open breaker) need an E that
// can hold an error: error, the common case, or any; they panic at
// construction otherwise, naming the alternative ([CircuitBreaker.ExecuteOr]
// for a breaker). A closed resource fails with an interruption, which every
// E carries.
//
// # Which to use
//
//   - Use effect.Par's Limit ([effect.ForEachPar]) when the work is a list
//     of items to process at most N at a time: it runs N workers, with no
//     semaphore needed.
//   - Use a [Semaphore] when unrelated fibers must share a limit: at most N
//     requests to a service, at most N MB of buffers in flight (weighted
//     permits), a critical section (one permit).
//   - Use a [Pool] when the limited thing is an object that is costly to
//     make and can be reused: database or network connections, browser
//     instances, worker processes. It adds creation on demand, health
//     checks, invalidation of broken resources and eviction of idle ones.
//   - Use a [CircuitBreaker] around calls to a dependency that may be down,
//     so that callers fail fast instead of piling up, and the dependency
//     gets time to recover. Put an [effect.Timeout] inside it and an
//     [effect.Retry] outside it; docs/resilience.md explains the order.
//   - Use [Debounce] to run once after a burst of calls has stopped (a
//     search box, a config reload after a flurry of file events); every
//     caller of the burst gets the result of that one run.
//   - Use [Throttle] to run at most once per interval (refreshing a cache,
//     sending progress), on the leading or trailing edge or both.
//   - Use [Poll] to run an effect on a schedule and hand each value to a
//     callback, with a controller to stop and restart it;
//     docs/rate-limiting.md compares the three.
package resource

import "errors"

// ErrClosed is the reason of the interruption of an operation on a resource
// whose scope has closed: waiters woken by the close and calls made after it
// fail with an interruption (matching [context.Canceled]) whose reason is
// ErrClosed, so errors.Is(err, ErrClosed) tells them apart.
var ErrClosed = errors.New("resource: closed")
