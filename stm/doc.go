// Package stm is software transactional memory for effects: transactional
// references ([TRef]) that transactions read and write, and [Atomically],
// which turns a transaction into an effect that commits all its writes at
// once or none of them. It is ZIO's and Effect's STM, in the shape Go reads
// best: a transaction is a plain function of a [*Tx].
//
//	transfer := stm.Atomically[Env](func(tx *stm.Tx) struct{} {
//		bal := from.Get(tx)
//		tx.Check(bal >= n) // wait until the funds are there
//		from.Set(tx, bal-n)
//		to.Update(tx, func(b int) int { return b + n })
//		return struct{}{}
//	})
//
// A transaction composes: any function of a *Tx can call another, and
// [OrElse] runs alternatives, moving to the next when one retries.
// [Tx.Retry] (and [Tx.Check]) block the fiber until a TRef that the
// transaction read changes; the wait is interruptible and leaves nothing
// behind. [Tx.Fail] abandons the transaction with an error. A panic abandons
// it too, as a defect. In every case where a transaction does not commit,
// none of its writes is seen by anyone.
//
// # Isolation
//
// Transactions are serializable and see consistent snapshots: each
// committed transaction behaves as if it had run alone at the instant of its
// commit, and no attempt, even one later abandoned, sees half of another's
// writes. Reads take no lock: each TRef holds an immutable, versioned value,
// and a transaction checks at its commit, under one commit lock, that every
// value it read is still current; if not, it runs again. A read-only
// transaction commits without the lock. A transaction that keeps conflicting
// runs its next attempt holding the commit lock, so it always ends.
// docs/stm.md and docs/architecture.md say more, with the measurements.
//
// # Built on TRefs
//
// [TQueue] is a bounded queue whose offer waits for room and whose take
// waits for an item, inside transactions; [TMap] is a hash map. Both are
// ordinary code over TRefs and compose with everything else in a
// transaction: move an item from a queue into a map, atomically.
//
// # Which to use
//
//   - Use [effect.Ref] for one value updated by one function at a time: it
//     is a mutex and costs tens of nanoseconds.
//   - Use stm when an update spans several values that must change together
//     (accounts, a queue and its index), or when a fiber must wait for a
//     condition over several values (Retry replaces hand-written condition
//     variables and lost-wakeup bugs).
//   - Use a stream.Queue for plain producer/consumer pipelines; a [TQueue]
//     when the queue operation must be part of a larger atomic change, or
//     a choice between several queues ([OrElse]).
//   - Use a resource.Semaphore or a ratelimit.Limiter for admission control;
//     an STM counter can do it, but they wait in fair FIFO order.
//
// A transaction function may run several times (after a conflict, after a
// Retry), so it must only compute over TRefs: no I/O, no locks, no effects,
// and nothing that cannot be repeated. Values stored in TRefs must be treated
// as immutable: copy a slice or map before changing it.
package stm
