package cache

import (
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Cached returns an effect that makes, in the current scope, a memoized
// form of e: an effect that runs e the first time it is run, and then,
// for ttl, succeeds with that same value without running e again; after
// ttl it runs e again. Callers that come while e runs wait for that run
// instead of starting another. A ttl of zero keeps the value for the life
// of the scope (Effect-TS's Effect.cached); Effect.cachedWithTTL and ZIO's
// cached are the same with a positive ttl.
//
// A failure of e is not kept: each failure reaches the callers that waited
// for that run, and the next caller runs e again. The run belongs to the
// memo, not to its caller: it runs on a fiber of the current scope, in the
// environment Cached ran in, an interrupted caller leaves it to the others,
// and it is interrupted once every caller has left (see [Cache.Get]). When
// the scope closes, the memoized effect fails with an interruption whose
// reason is [ErrClosed]. It panics if ttl is negative. Use [NewMemo] to
// invalidate the value by hand.
func Cached[R, E, A any](e effect.Effect[R, E, A], ttl time.Duration) effect.Effect[R, E, effect.Effect[R, E, A]] {
	if ttl < 0 {
		panic(fmt.Sprintf("cache.Cached: ttl must be >= 0, got %v", ttl))
	}
	return effect.Map(NewMemo(e, ttl), func(m *Memo[R, E, A]) effect.Effect[R, E, A] { return m.Get() })
}

// Memo is the result of one effect, kept for a while and shared between
// callers: the handle that [NewMemo] returns. It is a [Cache] of one key.
type Memo[R, E, A any] struct {
	c *Cache[struct{}, A, R, E]
}

// NewMemo returns an effect that makes a [Memo] of e in the current scope,
// keeping e's value for ttl (zero: for the life of the scope), with the
// contract of [Cached]. It is ZIO's cachedInvalidate. It panics if ttl is
// negative.
func NewMemo[R, E, A any](e effect.Effect[R, E, A], ttl time.Duration) effect.Effect[R, E, *Memo[R, E, A]] {
	if ttl < 0 {
		panic(fmt.Sprintf("cache.NewMemo: ttl must be >= 0, got %v", ttl))
	}
	lookup := func(struct{}) effect.Effect[R, E, A] { return e }
	return effect.Map(New(lookup, Options{Capacity: 1, TTL: ttl}), func(c *Cache[struct{}, A, R, E]) *Memo[R, E, A] {
		return &Memo[R, E, A]{c: c}
	})
}

// Get returns an effect that succeeds with the kept value if it is fresh,
// or else runs the memoized effect (or joins the run in flight) and
// succeeds with its value; see [Cache.Get].
func (m *Memo[R, E, A]) Get() effect.Effect[R, E, A] { return m.c.Get(struct{}{}) }

// Refresh returns an effect that runs the memoized effect again and keeps
// its value; callers meanwhile still get the old value. See
// [Cache.Refresh].
func (m *Memo[R, E, A]) Refresh() effect.Effect[R, E, A] { return m.c.Refresh(struct{}{}) }

// Invalidate forgets the kept value: the next Get runs the effect again.
// A run in flight still answers the callers waiting for it.
func (m *Memo[R, E, A]) Invalidate() { m.c.Invalidate(struct{}{}) }

// Stats returns the memo's counters: hits, misses, runs (Loads)...
func (m *Memo[R, E, A]) Stats() Stats { return m.c.Stats() }
