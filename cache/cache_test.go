package cache_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

func TestConcurrentGetsShareOneLookup(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(10 * time.Millisecond)
		c, closeScope := openCache(t, rt, src, cache.Options{})
		defer closeScope()
		start := time.Now()
		keys := []string{"a", "a", "b", "a", "b"}
		vals, err := rt.Run(context.Background(), effect.ForEachPar(keys, c.Get, effect.Par{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a#1", "a#1", "b#1", "a#1", "b#1"}; !slices.Equal(vals, want) {
			t.Errorf("got %v, want %v", vals, want)
		}
		if d := time.Since(start); d != 10*time.Millisecond {
			t.Errorf("took %v, want 10ms (one lookup of each key, concurrently)", d)
		}
		if src.count("a") != 1 || src.count("b") != 1 {
			t.Errorf("lookups: a %d, b %d; want 1 each", src.count("a"), src.count("b"))
		}
		assertStats(t, c, cache.Stats{Misses: 5, Shared: 3, Loads: 2, Entries: 2})
		v, err := rt.Run(context.Background(), c.Get("a"), nil)
		if v != "a#1" || err != nil {
			t.Errorf("second Get: %q, %v; want a#1 from the cache", v, err)
		}
		assertStats(t, c, cache.Stats{Hits: 1, Misses: 5, Shared: 3, Loads: 2, Entries: 2})
	})
}

func TestTTLExpiresValuesExactly(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(time.Millisecond)
		c, closeScope := openCache(t, rt, src, cache.Options{TTL: time.Second})
		defer closeScope()
		get := func() string {
			v, err := rt.Run(context.Background(), c.Get("k"), nil)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := get(); v != "k#1" { // stored at 1ms, fresh until 1001ms
			t.Fatalf("first Get: %q", v)
		}
		time.Sleep(time.Second - time.Nanosecond)
		if v := get(); v != "k#1" {
			t.Errorf("1ns before expiry: %q, want k#1", v)
		}
		if _, ok := c.Peek("k"); !ok {
			t.Error("Peek before expiry: not found")
		}
		time.Sleep(time.Nanosecond)
		if _, ok := c.Peek("k"); ok {
			t.Error("Peek at expiry: found")
		}
		if v := get(); v != "k#2" {
			t.Errorf("at expiry: %q, want a new lookup k#2", v)
		}
		assertStats(t, c, cache.Stats{Hits: 1, Misses: 2, Loads: 2, Expirations: 1, Entries: 1})
	})
}

func TestNewWithTTLChoosesPerEntry(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(0)
		ttl := func(k, v string) time.Duration {
			switch k {
			case "short":
				return time.Second
			case "never":
				return -1
			}
			return 0
		}
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		c, err := rt.Run(context.Background(), effect.Extend(scope, cache.NewWithTTL(src.lookup, ttl, cache.Options{TTL: time.Hour})), nil)
		if err != nil {
			t.Fatal(err)
		}
		keys := []string{"short", "forever", "never"}
		get := func() []string {
			vals, err := rt.Run(context.Background(), effect.ForEach(keys, c.Get), nil)
			if err != nil {
				t.Fatal(err)
			}
			return vals
		}
		if v := get(); !slices.Equal(v, []string{"short#1", "forever#1", "never#1"}) {
			t.Fatalf("first: %v", v)
		}
		time.Sleep(2 * time.Second)
		if v := get(); !slices.Equal(v, []string{"short#2", "forever#1", "never#2"}) {
			t.Errorf("after 2s: %v; want short looked up again, forever kept, never not stored", v)
		}
		if n := c.Len(); n != 2 {
			t.Errorf("Len = %d, want 2", n)
		}
	})
}

func TestFailuresAreKeptOnlyWhenAsked(t *testing.T) {
	boom := errors.New("boom")
	t.Run("not kept by default", func(t *testing.T) {
		effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
			src := newSource(time.Millisecond)
			src.fail("k", boom)
			c, closeScope := openCache(t, rt, src, cache.Options{})
			defer closeScope()
			for i := range 2 {
				if _, err := rt.Run(context.Background(), c.Get("k"), nil); !errors.Is(err, boom) {
					t.Fatalf("Get %d: %v, want boom", i, err)
				}
			}
			if src.count("k") != 2 {
				t.Errorf("lookups: %d, want 2 (failures not kept)", src.count("k"))
			}
			assertStats(t, c, cache.Stats{Misses: 2, Loads: 2, Failures: 2})
		})
	})
	t.Run("kept for FailureTTL", func(t *testing.T) {
		effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
			src := newSource(time.Millisecond)
			src.fail("k", boom)
			c, closeScope := openCache(t, rt, src, cache.Options{TTL: time.Hour, FailureTTL: time.Second})
			defer closeScope()
			for i := range 3 {
				if _, err := rt.Run(context.Background(), c.Get("k"), nil); !errors.Is(err, boom) {
					t.Fatalf("Get %d: %v, want boom", i, err)
				}
			}
			if src.count("k") != 1 {
				t.Errorf("lookups: %d, want 1 (failure kept)", src.count("k"))
			}
			if _, ok := c.Peek("k"); ok {
				t.Error("Peek found a value for a kept failure")
			}
			src.fail("k", nil)
			time.Sleep(time.Second)
			if v, err := rt.Run(context.Background(), c.Get("k"), nil); v != "k#2" || err != nil {
				t.Errorf("after FailureTTL: %q, %v; want k#2", v, err)
			}
			assertStats(t, c, cache.Stats{Hits: 2, Misses: 2, Loads: 2, Failures: 1, Expirations: 1, Entries: 1})
		})
	})
	t.Run("defects never kept", func(t *testing.T) {
		effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
			calls := 0
			lookup := func(k string) eff.Effect[string] {
				return effect.Sync[any, error](func() string {
					calls++
					panic("lookup bug")
				})
			}
			scope := rt.NewScope()
			defer scope.Close(context.Background())
			c, err := rt.Run(context.Background(), effect.Extend(scope, cache.New(lookup, cache.Options{FailureTTL: time.Hour})), nil)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				x := rt.RunExit(context.Background(), c.Get("k"), nil)
				effecttest.AssertDefect(t, x, "lookup bug")
			}
			if calls != 2 {
				t.Errorf("lookups: %d, want 2", calls)
			}
		})
	})
}

func TestCapacityEvictsLeastRecentlyUsed(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(0)
		c, closeScope := openCache(t, rt, src, cache.Options{Capacity: 2})
		defer closeScope()
		// a, b stored; a used again; c evicts b, the least recently used.
		vals, err := rt.Run(context.Background(), effect.ForEach([]string{"a", "b", "a", "c", "a", "b"}, c.Get), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a#1", "b#1", "a#1", "c#1", "a#1", "b#2"}; !slices.Equal(vals, want) {
			t.Errorf("got %v, want %v", vals, want)
		}
		if _, ok := c.Peek("c"); ok {
			t.Error("c still stored: b's second lookup should have evicted it")
		}
		assertStats(t, c, cache.Stats{Hits: 2, Misses: 4, Loads: 4, Evictions: 2, Entries: 2})
	})
}

func TestSetPeekInvalidate(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(0)
		c, closeScope := openCache(t, rt, src, cache.Options{TTL: time.Minute})
		defer closeScope()
		c.Set("a", "set")
		c.Set("b", "set")
		c.Set("c", "other")
		if v, ok := c.Peek("a"); v != "set" || !ok {
			t.Errorf("Peek(a) = %q, %v", v, ok)
		}
		if v, err := rt.Run(context.Background(), c.Get("a"), nil); v != "set" || err != nil {
			t.Errorf("Get(a) = %q, %v; want the value Set", v, err)
		}
		c.Invalidate("a")
		if _, ok := c.Peek("a"); ok {
			t.Error("a still there after Invalidate")
		}
		c.InvalidateIf(func(k, v string) bool { return v == "set" })
		if _, ok := c.Peek("b"); ok {
			t.Error("b still there after InvalidateIf")
		}
		if _, ok := c.Peek("c"); !ok {
			t.Error("c removed by InvalidateIf although its value does not match")
		}
		c.InvalidateAll()
		if n := c.Len(); n != 0 {
			t.Errorf("Len after InvalidateAll = %d", n)
		}
		time.Sleep(time.Minute)
		c.Set("x", "1")
		time.Sleep(time.Second)
		c.Set("y", "2")
		time.Sleep(time.Minute - time.Second)
		if n := c.RemoveExpired(); n != 1 {
			t.Errorf("RemoveExpired removed %d, want 1 (x)", n)
		}
		if _, ok := c.Peek("y"); !ok {
			t.Error("y removed although fresh")
		}
		if src.count("a") != 0 {
			t.Error("Get of a value Set looked it up")
		}
	})
}

func TestRefreshServesTheOldValueMeanwhile(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(10 * time.Millisecond)
		c, closeScope := openCache(t, rt, src, cache.Options{})
		defer closeScope()
		if v, _ := rt.Run(context.Background(), c.Get("k"), nil); v != "k#1" {
			t.Fatalf("first Get: %q", v)
		}
		refresh := rt.Start(context.Background(), c.Refresh("k"), nil)
		effecttest.WaitIdle()
		if v, _ := rt.Run(context.Background(), c.Get("k"), nil); v != "k#1" {
			t.Errorf("during the refresh: %q, want the old k#1", v)
		}
		// A second Refresh joins the one in flight.
		if v, _ := rt.Run(context.Background(), c.Refresh("k"), nil); v != "k#2" {
			t.Errorf("joined refresh: %q, want k#2", v)
		}
		if x, _ := refresh.Wait(context.Background()); got(x) != "k#2" {
			t.Errorf("refresh: %v", x)
		}
		if v, _ := rt.Run(context.Background(), c.Get("k"), nil); v != "k#2" {
			t.Errorf("after the refresh: %q, want k#2", v)
		}
		src.fail("k", errNotFound)
		if _, err := rt.Run(context.Background(), c.Refresh("k"), nil); !errors.Is(err, errNotFound) {
			t.Errorf("failed refresh: %v", err)
		}
		if v, _ := c.Peek("k"); v != "k#2" {
			t.Errorf("after a failed refresh: %q, want the old k#2 kept", v)
		}
		if src.count("k") != 3 {
			t.Errorf("lookups: %d, want 3", src.count("k"))
		}
	})
}

func TestRefreshAhead(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(time.Second)
		c, closeScope := openCache(t, rt, src, cache.Options{TTL: 10 * time.Second, RefreshAhead: 3 * time.Second})
		defer closeScope()
		get := func() string {
			v, err := rt.Run(context.Background(), c.Get("k"), nil)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		get() // k#1 stored at 1s, expires at 11s, due for refresh from 8s
		time.Sleep(6 * time.Second)
		if v := get(); v != "k#1" || src.count("k") != 1 {
			t.Fatalf("at 7s: %q with %d lookups; want k#1, no refresh yet", v, src.count("k"))
		}
		time.Sleep(time.Second)
		if v := get(); v != "k#1" {
			t.Errorf("at 8s: %q, want k#1 served while the refresh starts", v)
		}
		effecttest.WaitIdle()
		if v := get(); v != "k#1" || src.count("k") != 2 {
			t.Errorf("during the refresh: %q with %d lookups; want k#1 and one refresh", v, src.count("k"))
		}
		time.Sleep(time.Second)
		effecttest.WaitIdle()
		if v := get(); v != "k#2" {
			t.Errorf("after the refresh: %q, want k#2", v)
		}
		assertStats(t, c, cache.Stats{Hits: 4, Misses: 1, Loads: 2, Entries: 1})
	})
}

func TestRefreshAheadJoinedAfterExpiry(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(5 * time.Second)
		c, closeScope := openCache(t, rt, src, cache.Options{TTL: 10 * time.Second, RefreshAhead: 3 * time.Second})
		defer closeScope()
		rt.Run(context.Background(), c.Get("k"), nil) // k#1 stored at 5s, expires at 15s, due at 12s
		time.Sleep(7 * time.Second)
		// 12s: served k#1 at once; the refresh runs until 17s.
		if v, _ := rt.Run(context.Background(), c.Get("k"), nil); v != "k#1" {
			t.Errorf("at 12s: %q, want k#1", v)
		}
		time.Sleep(3 * time.Second)
		// 15s: k#1 has expired; the Get joins the refresh in flight.
		start := time.Now()
		v, _ := rt.Run(context.Background(), c.Get("k"), nil)
		if v != "k#2" || time.Since(start) != 2*time.Second {
			t.Errorf("at 15s: %q after %v; want k#2 after 2s", v, time.Since(start))
		}
		assertStats(t, c, cache.Stats{Hits: 1, Misses: 2, Shared: 1, Loads: 2, Expirations: 1, Entries: 1})
	})
}

func TestInvalidateDuringLookup(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(10 * time.Millisecond)
		c, closeScope := openCache(t, rt, src, cache.Options{})
		defer closeScope()
		first := rt.Start(context.Background(), c.Get("k"), nil)
		time.Sleep(4 * time.Millisecond)
		c.Invalidate("k")
		// A Get after the invalidation does not join the lookup in flight,
		// and its own lookup waits for that one to end: never two at once.
		start := time.Now()
		v, err := rt.Run(context.Background(), c.Get("k"), nil)
		if v != "k#2" || err != nil {
			t.Errorf("Get after Invalidate: %q, %v; want a fresh k#2", v, err)
		}
		if d := time.Since(start); d != 16*time.Millisecond {
			t.Errorf("took %v, want 6ms (the first lookup's rest) + 10ms", d)
		}
		if x, _ := first.Wait(context.Background()); got(x) != "k#1" {
			t.Errorf("the first caller got %v, want k#1 (its lookup went on)", x)
		}
		if v, _ := c.Peek("k"); v != "k#2" {
			t.Errorf("stored %q, want k#2 (the invalidated lookup's value is not stored)", v)
		}
		if src.overlap() != 1 {
			t.Errorf("%d lookups of k ran at once", src.overlap())
		}
	})
}

func TestCachePanicsOnBadOptions(t *testing.T) {
	src := newSource(0)
	cases := []struct {
		name string
		mk   func()
		want string
	}{
		{"nil lookup", func() { cache.New[string, string, any, error](nil, cache.Options{}) }, "cache.NewWithTTL: lookup must not be nil"},
		{"capacity", func() { cache.New(src.lookup, cache.Options{Capacity: -1}) }, "cache.NewWithTTL: Options.Capacity must be >= 0, got -1"},
		{"ttl", func() { cache.New(src.lookup, cache.Options{TTL: -1}) }, "cache.NewWithTTL: Options.TTL must be >= 0, got -1ns"},
		{"failure ttl", func() { cache.New(src.lookup, cache.Options{FailureTTL: -1}) }, "cache.NewWithTTL: Options.FailureTTL must be >= 0, got -1ns"},
		{"refresh without ttl", func() { cache.New(src.lookup, cache.Options{RefreshAhead: time.Second}) },
			"cache.NewWithTTL: Options.RefreshAhead (1s) must be less than a positive Options.TTL (0s)"},
		{"refresh past ttl", func() { cache.New(src.lookup, cache.Options{TTL: time.Second, RefreshAhead: time.Second}) },
			"cache.NewWithTTL: Options.RefreshAhead (1s) must be less than a positive Options.TTL (1s)"},
		{"cached ttl", func() { cache.Cached(effect.Succeed[any, error](1), -time.Second) }, "cache.Cached: ttl must be >= 0, got -1s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.mk()
		})
	}
}

func TestLookupRunsInTheCachesEnvironment(t *testing.T) {
	type env struct{ prefix string }
	lookup := func(k string) effect.Effect[env, error, string] {
		return effect.Access[env, error](func(e env) string { return e.prefix + k })
	}
	prog := effect.FlatMap(cache.New(lookup, cache.Options{}), func(c *cache.Cache[string, string, env, error]) effect.Effect[env, error, string] {
		// The caller's own environment does not reach the shared lookup.
		return effect.Provide[env](c.Get("k"), env{prefix: "caller:"})
	})
	v, err := effect.Run(context.Background(), effect.Scoped(prog), env{prefix: "cache:"})
	if v != "cache:k" || err != nil {
		t.Errorf("got %q, %v; want cache:k", v, err)
	}
}
