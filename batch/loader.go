package batch

import (
	"fmt"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// Options configures a [Loader]. The zero Options batches the keys asked
// before the batching fiber next runs, with no size limit and no cache.
type Options struct {
	// Window is how long a batch gathers keys after its first one before
	// it is sent to the resolver. Zero sends it as soon as its fiber runs
	// again, after letting the other goroutines run once: best effort,
	// since a caller that is not scheduled by then lands in the next
	// batch. A millisecond gathers the keys of a ForEachPar dependably.
	Window time.Duration
	// MaxSize is the most keys in one call of the resolver: a batch that
	// reaches it is sent at once, and later keys start the next batch.
	// Zero means no limit.
	MaxSize int
	// Cache keeps every value the loader loaded (not failures) until its
	// scope closes, so that a key is loaded at most once: a Get of a key
	// in the cache succeeds at once. See [Loader.Prime] and [Loader.Clear].
	Cache bool
}

// Stats are a loader's counters since it was made, and its state now.
type Stats struct {
	// Requests counts the Gets (each key of a GetAll is one).
	Requests uint64
	// Shared counts the requests that joined their key already pending
	// or in flight, instead of adding it to a batch.
	Shared uint64
	// CacheHits counts the requests served from the cache.
	CacheHits uint64
	// Batches counts the calls of the resolver.
	Batches uint64
	// Keys counts the keys sent to the resolver.
	Keys uint64
	// Missing counts the keys the resolver's answer did not hold.
	Missing uint64
	// Dropped counts the keys taken out of a batch before it was sent,
	// because every caller of the key had left.
	Dropped uint64
	// Abandoned counts the resolver calls interrupted because every caller
	// of the batch had left.
	Abandoned uint64
	// Pending is the number of keys gathered in the batch not yet sent.
	Pending int
	// InFlight is the number of keys in resolver calls in progress.
	InFlight int
	// Waiting is the number of callers waiting for an answer.
	Waiting int
}

// Loader gathers single-key requests into batches for a resolver; see the
// package documentation. Its plain-Go methods are safe for concurrent use;
// [Loader.Get] and [Loader.GetAll] are effects.
type Loader[K comparable, V, R, E any] struct {
	resolve func([]K) effect.Effect[R, E, answer[K, V, E]]
	missing func(K) effect.Cause[E]
	opts    Options
	env     R
	scope   *effect.Scope

	mu      sync.Mutex
	closed  bool
	open    *batch[K, V, E]              // the batch gathering keys, if any
	pending map[K]*request[K, V, E]      // keys gathered or in flight
	batches map[*batch[K, V, E]]struct{} // batches whose callers a close must wake
	dying   map[K]*batch[K, V, E]        // abandoned calls still stopping, by key
	cache   map[K]V
	waiting int
	stats   Stats
	stops   []*effect.Fiber[E, struct{}]
	launch  launcher[R, E]
}

// answer is the resolver's answer, whatever its shape: the exit of key k,
// and whether the answer holds k.
type answer[K comparable, V, E any] func(k K) (effect.Exit[E, V], bool)

// request is one key asked, and the callers waiting for its answer.
type request[K comparable, V, E any] struct {
	key     K
	done    *effect.Deferred[E, V]
	waiters int
	b       *batch[K, V, E]
	dropped bool // taken out of its batch before it was sent
}

// batch is the keys sent, or to be sent, in one call of the resolver.
type batch[K comparable, V, E any] struct {
	reqs      []*request[K, V, E] // in order of arrival; dropped ones stay, marked
	live      int                 // requests not dropped
	waiters   int                 // callers of its requests
	sent      bool
	byTimer   bool                       // resolved on its window's fiber
	abandoned bool                       // every caller left: cancelled or interrupted
	ended     bool                       // answered (or the loader closed)
	timer     *effect.Fiber[E, struct{}] // the fiber that sends it after the window
	fb        *effect.Fiber[E, struct{}] // the fiber that resolves it, once sent
}

// New returns an effect that makes a [Loader] in the current scope, whose
// batches resolve calls with the keys of one batch, each key once, in the
// order they were first asked. The resolver answers with a map; a key it
// leaves out fails with a [*MissingError], and keys it adds are ignored.
// A failure of the resolver is the failure of every Get of the batch.
// The resolver runs on a fiber of the loader's scope, in the environment
// New ran in. It panics if resolve is nil or an option is out of range.
func New[K comparable, V, R, E any](resolve func(keys []K) effect.Effect[R, E, map[K]V], opts Options) effect.Effect[R, E, *Loader[K, V, R, E]] {
	check("New", resolve != nil, "resolve must not be nil")
	return newLoader("New", func(keys []K) effect.Effect[R, E, answer[K, V, E]] {
		return effect.Map(resolve(keys), func(m map[K]V) answer[K, V, E] {
			return func(k K) (effect.Exit[E, V], bool) {
				v, ok := m[k]
				return effect.Succeeded[E](v), ok
			}
		})
	}, opts)
}

// NewExits is [New] with a resolver that answers each key with an exit of
// its own, so that one key can fail (not found, forbidden) while the others
// succeed: the failure reaches only that key's callers.
func NewExits[K comparable, V, R, E any](resolve func(keys []K) effect.Effect[R, E, map[K]effect.Exit[E, V]], opts Options) effect.Effect[R, E, *Loader[K, V, R, E]] {
	check("NewExits", resolve != nil, "resolve must not be nil")
	return newLoader("NewExits", func(keys []K) effect.Effect[R, E, answer[K, V, E]] {
		return effect.Map(resolve(keys), func(m map[K]effect.Exit[E, V]) answer[K, V, E] {
			return func(k K) (effect.Exit[E, V], bool) {
				x, ok := m[k]
				return x, ok
			}
		})
	}, opts)
}

func newLoader[K comparable, V, R, E any](fn string, resolve func([]K) effect.Effect[R, E, answer[K, V, E]], opts Options) effect.Effect[R, E, *Loader[K, V, R, E]] {
	check(fn, opts.Window >= 0, fmt.Sprintf("Options.Window must be >= 0, got %v", opts.Window))
	check(fn, opts.MaxSize >= 0, fmt.Sprintf("Options.MaxSize must be >= 0, got %d", opts.MaxSize))
	acquire := effect.AccessEffect(func(env R) effect.Effect[R, E, *Loader[K, V, R, E]] {
		return effect.FlatMap(effect.CurrentScope[R, E](), func(s *effect.Scope) effect.Effect[R, E, *Loader[K, V, R, E]] {
			l := &Loader[K, V, R, E]{
				resolve: resolve, missing: missingCause[K, E], opts: opts, env: env, scope: s,
				pending: map[K]*request[K, V, E]{},
				batches: map[*batch[K, V, E]]struct{}{},
				dying:   map[K]*batch[K, V, E]{},
				launch:  launcher[R, E]{q: stream.NewUnboundedQueue[effect.Effect[R, E, struct{}]]()},
			}
			if opts.Cache {
				l.cache = map[K]V{}
			}
			return effect.As(effect.ForkIn(s, l.launchLoop()), l)
		})
	})
	return effect.AcquireRelease(acquire, func(l *Loader[K, V, R, E]) effect.Effect[R, E, struct{}] {
		return effect.Sync[R, E](func() struct{} { l.close(); return struct{}{} })
	})
}

// check panics with a message naming the function and the rule when ok is
// false.
func check(fn string, ok bool, rule string) {
	if !ok {
		panic("batch." + fn + ": " + rule)
	}
}

// missingCause returns the cause of a key missing from an answer: an
// expected failure when E can hold a *MissingError, a defect otherwise.
func missingCause[K comparable, E any](k K) effect.Cause[E] {
	err := &MissingError{Key: k}
	if e, ok := any(err).(E); ok {
		return effect.CauseFail(e)
	}
	return effect.CauseDie[E](err)
}

// Get returns an effect that succeeds with the value of key k, asked in a
// batch with the keys other callers ask meanwhile, or fails with the
// resolver's failure, k's own failure ([NewExits]), or a [*MissingError]
// if the answer did not hold k. With [Options.Cache], a key already loaded
// is not asked again.
//
// The wait is interruptible: an interrupted caller stops waiting, and the
// others still get their answers. A key whose callers have all left
// before its batch is sent is taken out of it; a batch whose callers have
// all left while it is resolved is interrupted, and the last caller's
// interruption completes once it has stopped. On a closed loader the
// effect fails with an interruption whose reason is [ErrClosed].
func (l *Loader[K, V, R, E]) Get(k K) effect.Effect[R, E, V] {
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, V] {
		return effect.Suspend(func() effect.Effect[R, E, V] {
			l.mu.Lock()
			if l.closed {
				l.mu.Unlock()
				return closedEffect[R, E, V]()
			}
			l.stats.Requests++
			if v, ok := l.cache[k]; ok {
				l.stats.CacheHits++
				l.mu.Unlock()
				return effect.Succeed[R, E](v)
			}
			r := l.askLocked(k)
			l.mu.Unlock()
			wait := effect.MatchCauseEffect(restore.Apply(r.done.Await[R]()),
				func(c effect.Cause[E]) effect.Effect[R, E, V] {
					return effect.AndThen(l.leave([]*request[K, V, E]{r}), effect.FailCause[R, V](c))
				},
				func(v V) effect.Effect[R, E, V] {
					return effect.AndThen(l.leave([]*request[K, V, E]{r}), effect.Succeed[R, E](v))
				})
			return wait
		})
	})
}

// GetAll returns an effect that asks every key of keys, as Get does, all at
// once (so that they go in as few batches as the size limit allows), and
// succeeds with their values in the order of keys. It fails with the
// failure of the first key, in the order of keys, that failed; it then
// stops waiting for the others, as an interrupted caller does. It is
// cheaper than a ForEachPar of Gets: no fiber per key.
func (l *Loader[K, V, R, E]) GetAll(keys []K) effect.Effect[R, E, []V] {
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, []V] {
		return effect.Suspend(func() effect.Effect[R, E, []V] {
			vals := make([]V, len(keys))
			waits := make([]*request[K, V, E], len(keys))
			var reqs []*request[K, V, E]
			l.mu.Lock()
			if l.closed {
				l.mu.Unlock()
				return closedEffect[R, E, []V]()
			}
			for i, k := range keys {
				l.stats.Requests++
				if v, ok := l.cache[k]; ok {
					l.stats.CacheHits++
					vals[i] = v
					continue
				}
				r := l.askLocked(k)
				waits[i] = r
				reqs = append(reqs, r)
			}
			l.mu.Unlock()
			await := effect.ForEach(waits, func(r *request[K, V, E]) effect.Effect[R, E, struct{}] {
				if r == nil {
					return effect.Unit[R, E]()
				}
				return effect.Void(r.done.Await[R]())
			})
			collect := func() []V {
				for i, r := range waits {
					if r != nil {
						x, _ := r.done.Poll()
						vals[i], _ = x.Value()
					}
				}
				return vals
			}
			wait := effect.MatchCauseEffect(restore.Apply(await),
				func(c effect.Cause[E]) effect.Effect[R, E, []V] {
					return effect.AndThen(l.leave(reqs), effect.FailCause[R, []V](c))
				},
				func([]struct{}) effect.Effect[R, E, []V] {
					return effect.AndThen(l.leave(reqs), effect.Sync[R, E](collect))
				})
			return wait
		})
	})
}

// Prime stores v for k in the cache, so that Gets of k succeed with it
// without asking the resolver; it does nothing without [Options.Cache],
// on a closed loader, or when k is already cached (clear it first to
// replace it), as a dataloader's prime does.
func (l *Loader[K, V, R, E]) Prime(k K, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cache == nil || l.closed {
		return
	}
	if _, ok := l.cache[k]; !ok {
		l.cache[k] = v
	}
}

// Clear removes k from the cache, so that the next Get of k asks the
// resolver again.
func (l *Loader[K, V, R, E]) Clear(k K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.cache, k)
}

// ClearAll empties the cache.
func (l *Loader[K, V, R, E]) ClearAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.cache)
}

// Stats returns the loader's counters and its state now.
func (l *Loader[K, V, R, E]) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Waiting = l.waiting
	if l.open != nil {
		s.Pending = l.open.live
	}
	for b := range l.batches {
		if b.sent {
			s.InFlight += b.live
		}
	}
	return s
}

// closedCause is the cause of an operation stopped by the close of the
// loader.
func closedCause[E any]() effect.Cause[E] { return effect.CauseInterrupt[E](0, ErrClosed) }

func closedEffect[R, E, A any]() effect.Effect[R, E, A] {
	return effect.FailCause[R, A](closedCause[E]())
}
