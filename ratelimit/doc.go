// Package ratelimit has rate limiters owned by a scope: how many requests
// (or how much weight: bytes, tokens, rows) may go per unit of time, with the
// others waiting their turn.
//
// A [Limiter] is made by [New] with an [Algorithm] and belongs to the
// current scope (see [effect.Scoped]); when the scope closes, its waiters
// are woken with an interruption whose reason is [ErrClosed]. Requests go
// through it as effects — [Limiter.Limit] wraps an effect, [Limiter.WithCost]
// gives it a weight, [Limiter.Acquire] just waits for an admission — or from
// plain Go with [Limiter.TryAcquire], which never waits.
//
//	makeLimiter := ratelimit.New[Env, error](ratelimit.TokenBucket{Rate: 100, Per: time.Second, Burst: 20})
//	prog := effect.Scoped(effect.FlatMap(makeLimiter, func(lim *ratelimit.Limiter) Eff[Resp] {
//		return lim.Limit(callAPI(req)) // waits its turn, then calls
//	}))
//
// A [Keyed] set holds one limiter per key (a client, a user, an IP address),
// made on first use and forgotten once at rest, for per-client quotas:
//
//	makeClients := ratelimit.NewKeyed[Env, error, string](ratelimit.GCRA{Rate: 10, Per: time.Second})
//	// in a handler, with clients the *ratelimit.Keyed[string] it made:
//	if !clients.TryAcquire(ip, 1) { return tooManyRequests() }
//
// Waiting is first-in, first-out and interruptible: a heavy request at the
// head of the queue is not overtaken, an interrupted waiter leaves the queue
// having consumed nothing, and a request that could never be admitted (a
// cost above the limiter's capacity) fails at once with a [*CostError]. The
// limiter starts no goroutine: the fiber at the head of the queue sleeps on
// a timer of the time package until its turn, so a testing/synctest bubble
// runs it all in virtual time.
//
// # Which algorithm
//
//   - [TokenBucket]: a steady rate with bursts from idle (API clients, per-
//     user quotas). Over any interval d it admits at most Burst + Rate·d/Per.
//   - [GCRA]: the same law as one timestamp of state; choose it where the
//     state must be small or stored elsewhere, or for its exact "retry
//     after" arithmetic.
//   - [FixedWindow]: at most Limit per calendar-like window (per minute, per
//     day quotas that reset); cheapest, but up to twice the limit can pass
//     around a boundary.
//   - [SlidingWindow]: at most Limit in any window of the given length,
//     wherever it starts: the strictest, with memory that grows with Limit.
//
// Use a [resource.Semaphore] instead when the limit is on how many run at
// once, not how many start per unit of time; resource.Throttle and
// resource.Debounce when calls should be coalesced rather than queued.
// docs/rate-limiting.md compares them all, beside Effect's RateLimiter.
package ratelimit
