// Package batch serves many single-key requests with few calls of a batch
// resolver: the dataloader pattern, Effect-TS's Request and
// RequestResolver, ZIO Query's batching.
//
// A [Loader] is made with a resolver, a function that answers many keys in
// one call (one SQL query with WHERE id IN (...), one HTTP call to a bulk
// endpoint). Code that needs one value asks for it with [Loader.Get], from
// as many fibers as it likes — the items of a [effect.ForEachPar], the
// effects of an [effect.All], unrelated fibers. The keys asked within a
// window of time ([Options.Window]), or until a batch holds
// [Options.MaxSize] keys, go to the resolver in one call, and each caller
// gets its own key's value or error. A key asked while it is already
// pending or in flight is not asked twice: its callers share the answer.
// A key the resolver did not answer fails with a [*MissingError] — never a
// zero value. With [Options.Cache], the loader also keeps every value it
// loaded for its lifetime, so that a key is loaded at most once: the
// per-request cache of a dataloader when the loader lives in a request's
// scope.
//
// The N+1 pattern — a list of N items, then one query per item for a
// related row — becomes two queries: the per-item code stays written for
// one item, and the loader gathers the N lookups into one call.
//
// # Ownership and interruption
//
// [New] and [NewExits] are effects that make the loader in the current
// scope; the batches are resolved on fibers of that scope, in the
// environment the loader was made in. A caller that is interrupted stops
// waiting and the others still get their answers; a key whose callers have
// all left before its batch was sent is not sent; a batch whose callers
// have all left while it was being resolved is interrupted, and the last
// caller's interruption completes once it has stopped. When the scope
// closes, batches in progress are interrupted, their callers are woken
// with an interruption whose reason is [ErrClosed], and later Gets fail the
// same way.
//
// # Why "batch"
//
// The package is named for what it does to requests. "request" and
// "query" say too little (every call is a request; ZIO Query is a whole
// query language), and "dataloader" is one implementation's name.
//
// # Which to use
//
//   - Use a [Loader] when many fibers each need one value that the source
//     can fetch many at a time: rows by ID, users of a list of posts,
//     prices of a basket.
//   - Give it [Options.Cache] when it lives as long as one unit of work
//     (an HTTP request, a job): every key is loaded once within it.
//   - Put a cache.Cache in front of it (the loader's Get as the cache's
//     lookup) when values should be kept across units of work, with a
//     capacity and a time to live: hits skip the loader, misses are
//     batched.
//   - Use [effect.ForEachPar] alone when each key needs its own call
//     anyway; a loader adds a window of latency to gather keys.
//
// # Cost
//
// A Get costs one lock and one wait for the batch; a batch costs one fiber
// and one resolver call, shared by every key in it. The window adds up to
// [Options.Window] of latency to the first key of a batch. See
// BENCHMARKS.md for figures beside one query per key.
package batch

import (
	"errors"
	"fmt"

	"github.com/gogoscope/gogoscope/resource"
)

// ErrClosed is the reason of the interruption of a Get on a loader whose
// scope has closed: callers woken by the close and calls made after it
// fail with an interruption (matching [context.Canceled]) whose reason is
// ErrClosed, so errors.Is(err, ErrClosed) tells them apart. It is
// [resource.ErrClosed], shared by every thing a scope owns.
var ErrClosed = resource.ErrClosed

// ErrAbandoned is the reason of the interruption of a resolver call, or of
// a batch's window, that nobody waits for any more: every caller of the
// batch left. A resolver written with [effect.Try] finds it as the cause of
// its cancelled context ([context.Cause]); [effect.OnInterrupt] hands it to
// its finalizer.
var ErrAbandoned = errors.New("batch: call abandoned")

// ErrMissing is matched by every [MissingError] with errors.Is.
var ErrMissing = errors.New("batch: key missing from the resolver's answer")

// MissingError is the failure of a Get whose key the resolver's answer
// did not hold. It is an expected failure when the loader's failure type
// can hold it (error or any), and a defect otherwise, since the resolver
// broke its contract of answering every key.
type MissingError struct {
	// Key is the key that was not answered.
	Key any
}

// Error returns "batch: key <key> missing from the resolver's answer".
func (e *MissingError) Error() string {
	return fmt.Sprintf("batch: key %v missing from the resolver's answer", e.Key)
}

// Is reports whether target is ErrMissing.
func (e *MissingError) Is(target error) bool { return target == ErrMissing }
