package resource

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// BreakerState is the state of a [CircuitBreaker].
type BreakerState uint8

// The states of a circuit breaker.
const (
	// BreakerClosed lets every call through and counts the failures.
	BreakerClosed BreakerState = iota
	// BreakerOpen fails every call at once, until the reset timeout has
	// passed since it opened.
	BreakerOpen
	// BreakerHalfOpen lets a few trial calls through: enough successes
	// close the breaker, a failure opens it again.
	BreakerHalfOpen
)

// String returns "closed", "open" or "half-open".
func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return "BreakerState(" + strconv.Itoa(int(s)) + ")"
}

// BreakerRecord is the state of a circuit breaker as a [BreakerStore] keeps
// it: plain data, so that a store can save it anywhere (a map, a Redis hash,
// a database row). The zero BreakerRecord is a closed breaker with no
// history.
type BreakerRecord struct {
	// State is the breaker's state as last stored. An open breaker whose
	// reset timeout has passed is still stored as open until a call (or
	// [CircuitBreaker.Snapshot]) looks at it.
	State BreakerState
	// Generation counts the breaker's state changes. A call admitted in one
	// generation is not counted in another: the outcome of a call that
	// started before the breaker opened does not close it.
	Generation uint64
	// Failures is the number of consecutive counted failures while closed.
	Failures int
	// Window holds the outcomes of the most recent calls while closed,
	// oldest first, true for a failure; it is empty unless the breaker
	// watches a failure rate ([BreakerOptions.FailureRate]).
	Window []bool
	// OpenedAt is when the breaker last opened.
	OpenedAt time.Time
	// Trials is the number of half-open trial calls in progress.
	Trials int
	// Successes is the number of half-open trial calls that succeeded.
	Successes int
}

// BreakerStore keeps the records of circuit breakers, by breaker name. The
// default is a [MemoryBreakerStore] per breaker; a store shared by several
// processes (Redis, PostgreSQL, MySQL, SQLite) makes breakers of the same
// name share their state. Implementations must be safe for concurrent use.
type BreakerStore interface {
	// Load returns the record stored under name, or the zero record if
	// there is none.
	Load(ctx context.Context, name string) (BreakerRecord, error)
	// Update atomically replaces the record stored under name (the zero
	// record if there is none) with fn of it, and returns what it stored.
	// fn is pure, must not keep or modify its argument's Window, and may be
	// called more than once (a store with optimistic concurrency calls it
	// again after a conflict); the result of its last call is what counts.
	Update(ctx context.Context, name string, fn func(BreakerRecord) BreakerRecord) (BreakerRecord, error)
}

// MemoryBreakerStore is a [BreakerStore] in the process's memory. Breakers
// that share one share the state of the names they have in common. The zero
// value is ready to use.
type MemoryBreakerStore struct {
	mu sync.Mutex
	m  map[string]BreakerRecord
}

// NewMemoryBreakerStore returns an empty in-memory store.
func NewMemoryBreakerStore() *MemoryBreakerStore { return &MemoryBreakerStore{} }

// Load returns the record stored under name; it never fails.
func (s *MemoryBreakerStore) Load(_ context.Context, name string) (BreakerRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[name], nil
}

// Update applies fn to the record stored under name, under a lock, stores
// the result and returns it; it never fails.
func (s *MemoryBreakerStore) Update(_ context.Context, name string, fn func(BreakerRecord) BreakerRecord) (BreakerRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := fn(s.m[name])
	if s.m == nil {
		s.m = map[string]BreakerRecord{}
	}
	s.m[name] = r
	return r, nil
}
