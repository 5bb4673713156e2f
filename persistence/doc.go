// Package persistence shares locks, limits and circuit-breaker state among
// processes, through a server they already run: distributed locks with
// fencing tokens, distributed semaphores, and breaker records that every
// replica's [resource.CircuitBreaker] reads and counts into.
//
// This package holds the interfaces and the effects; the backends live in
// subpackages, so that importing it pulls in no database driver:
//
//   - persistence/memory: one process (tests, a single replica);
//   - persistence/sqlite: processes of one machine sharing a file
//     (modernc.org/sqlite, no cgo; the embedded default);
//   - persistence/redis: go-redis v9, one Lua script per operation, pub/sub;
//   - persistence/postgres: pgx v5, lease rows, LISTEN/NOTIFY;
//   - persistence/mysql: MySQL and MariaDB, lease rows.
//
// Each backend's Store implements [Locker], [Semaphore], [ReleaseWatcher]
// and [BreakerWatcher], and passes the same conformance suite
// (persistence/persistencetest).
//
// # Locks as scoped resources
//
// [Lock] takes a lock as a resource of the current scope: it waits while
// another owner holds it (polling with a schedule, woken by release
// announcements), renews the lease on a fiber of the scope while the scope
// lives, and releases it when the scope closes. If the lock is lost
// meanwhile — the lease expired during a pause, someone force-released it,
// or the server stayed unreachable until the lease ran out — the fiber that
// took it is interrupted with a [*LockLostError], so the protected work
// stops instead of running on unprotected. [WithLock] brackets one effect.
// [Held.Token] is the lease's fencing token: give it to the resource the
// lock protects with each write.
//
// # Guarantees
//
// Expiry is decided by the server's clock, never the client's. Release and
// extend check the owner token (from crypto/rand, [NewOwner]) atomically
// on the server. Fencing tokens strictly increase per key across holders
// and server restarts. Locks are not re-entrant. docs/persistence.md says
// what these guarantees are worth under clock skew and process pauses, and
// why fencing tokens are the only protection against the latter.
//
// # Which to use
//
//   - Use [WithLock] (or [Lock] in a scope) for a critical section that
//     must run in one replica at a time: a migration, a scheduled job, a
//     leader's work. Use [TryLock] when the others should skip, not wait.
//   - Use [WithPermit] (or [Permit]) to cap how many replicas do something
//     at once: N exports, N calls to a rate-limited partner.
//   - Use [SharedBreaker] so that every replica's breaker opens when the
//     dependency fails, not each after its own run of failures.
//   - Use [Acquire], [AcquirePermit] and the [Locker] methods from plain Go,
//     or to build something else (leader election with your own renewal).
//   - Within one process, use resource.Semaphore and a sync.Mutex: a
//     distributed lock costs a network round trip at least.
package persistence
