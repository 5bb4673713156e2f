package ratelimit

import (
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Keyed is a set of rate limiters, one per key — a client, a user, an IP
// address, a tenant — each running the same [Algorithm], owned by a scope as
// a [Limiter] is. A key's limiter is made on its first use and forgotten
// again once it is at rest: nobody waits on it and it is back to its initial
// state (a full bucket, an empty window). Forgetting a limiter at rest
// changes nothing, since a new one would decide the same, so the set stays
// as small as the keys in use without any timer or goroutine; windows of all
// keys are aligned on the moment the set was made.
//
// Each key's limiter has the [Limiter]'s guarantees: fair FIFO waiting
// among the requests of that key, interruptible waits that consume nothing
// unless admitted, failures at once for costs above the capacity. Keys do
// not wait for each other. When the set's scope closes, every waiter of
// every key is woken with an interruption whose reason is [ErrClosed].
type Keyed[K comparable] struct {
	name    string
	alg     Algorithm
	capa    int64
	start   time.Time
	mu      sync.Mutex
	m       map[K]*Limiter
	sweepAt int // forget the limiters at rest when the set reaches this size
	closed  bool
}

const keyedSweepMin = 64

// NewKeyed returns an effect that makes a set of limiters running alg, one
// per key, owned by the current scope. It panics if alg's parameters are
// invalid, as [New] does. Options name its limiters ([WithName]).
func NewKeyed[R, E any, K comparable](alg Algorithm, opts ...Option) effect.Effect[R, E, *Keyed[K]] {
	if alg == nil {
		panic("ratelimit.NewKeyed: alg must not be nil")
	}
	capa := alg.policy("ratelimit.NewKeyed").capacity()
	name := configure("ratelimit.NewKeyed", opts).name
	return effect.AcquireRelease(
		effect.Sync[R, E](func() *Keyed[K] {
			return &Keyed[K]{name: name, alg: alg, capa: capa, start: time.Now(), m: map[K]*Limiter{}, sweepAt: keyedSweepMin}
		}),
		func(k *Keyed[K]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { k.close(); return struct{}{} })
		})
}

// Capacity returns the most that one request may cost, for any key.
func (k *Keyed[K]) Capacity() int64 { return k.capa }

// Len returns the number of keys whose limiters the set holds right now:
// those in use, and those at rest not yet forgotten.
func (k *Keyed[K]) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// Available returns how much cost key could be admitted right now if none
// of its requests waited: the capacity for a key not in use.
func (k *Keyed[K]) Available(key K) int64 {
	k.mu.Lock()
	l := k.m[key]
	k.mu.Unlock()
	if l == nil {
		return k.capa
	}
	return l.Available() // a limiter retired meanwhile was at rest: the same answer
}

// Waiting returns the number of fibers waiting on key right now.
func (k *Keyed[K]) Waiting(key K) int {
	k.mu.Lock()
	l := k.m[key]
	k.mu.Unlock()
	if l == nil {
		return 0
	}
	return l.Waiting()
}

// get returns key's limiter, making it if needed, or nil if the set is
// closed.
func (k *Keyed[K]) get(key K) *Limiter {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	if l := k.m[key]; l != nil {
		return l
	}
	if len(k.m) >= k.sweepAt {
		k.sweepLocked()
	}
	l := &Limiter{name: k.name, pol: k.alg.policy("ratelimit.NewKeyed"), start: k.start}
	k.m[key] = l
	return l
}

// sweepLocked forgets the limiters at rest. Sweeping when the set has
// doubled since the last sweep keeps its cost constant per new key.
func (k *Keyed[K]) sweepLocked() {
	for key, l := range k.m {
		l.mu.Lock()
		if l.queue.Len() == 0 && l.pol.available(l.now()) == k.capa {
			l.retired = true
			delete(k.m, key)
		}
		l.mu.Unlock()
	}
	k.sweepAt = max(2*len(k.m), keyedSweepMin)
}

func (k *Keyed[K]) close() {
	k.mu.Lock()
	k.closed = true
	ls := k.m
	k.m = nil
	k.mu.Unlock()
	for _, l := range ls {
		l.close()
	}
}

// TryAcquire admits a request of cost for key and reports true if it can
// go now and no request of that key waits before it; otherwise, or if the
// set is closed, or the cost exceeds the capacity, it admits nothing and
// reports false. It never blocks. It panics if cost is negative.
func (k *Keyed[K]) TryAcquire(key K, cost int64) bool {
	if cost < 0 {
		panic("ratelimit.Keyed.TryAcquire: cost must be >= 0")
	}
	if cost > k.capa {
		return false
	}
	for {
		l := k.get(key)
		if l == nil {
			return false
		}
		if st := l.tryAdmit(cost); st != tryRetired {
			return st == tryAdmitted
		}
	}
}

// Acquire returns an effect that admits a request of cost for key, waiting
// behind the earlier requests of that key as [Limiter.Acquire] does, with
// the same failures.
func (k *Keyed[K]) Acquire[R, E any](key K, cost int64) effect.Effect[R, E, struct{}] {
	if cost < 0 {
		panic("ratelimit.Keyed.Acquire: cost must be >= 0")
	}
	if cost == 0 {
		return effect.Unit[R, E]()
	}
	if cost > k.capa {
		return costFailure[R, E, struct{}](&CostError{Cost: cost, Capacity: k.capa})
	}
	var again effect.Effect[R, E, struct{}]
	again = effect.Suspend(func() effect.Effect[R, E, struct{}] {
		for {
			l := k.get(key)
			if l == nil {
				return closedEffect[R, E, struct{}]()
			}
			switch l.tryAdmit(cost) {
			case tryRetired:
				continue
			case tryClosed:
				return closedEffect[R, E, struct{}]()
			case tryAdmitted:
				return effect.Effect[R, E, struct{}]{}
			}
			return l.wait[R, E](cost, closedEffect[R, E, struct{}](), again)
		}
	})
	return again
}

// Limit returns an effect that runs e once key's limiter admits it at a
// cost of 1.
func (k *Keyed[K]) Limit[R, E, A any](key K, e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	return effect.AndThen(k.Acquire[R, E](key, 1), e)
}

// WithCost returns an effect that runs e once key's limiter admits a
// request of cost.
func (k *Keyed[K]) WithCost[R, E, A any](key K, cost int64, e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	return effect.AndThen(k.Acquire[R, E](key, cost), e)
}
