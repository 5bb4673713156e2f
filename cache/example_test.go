package cache_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

func ExampleCached() {
	// A token that costs a round trip to get: fetched once, then shared by
	// every caller for a minute.
	var fetches atomic.Int32
	fetchToken := eff.Sync(func() string {
		return fmt.Sprintf("token-%d", fetches.Add(1))
	})
	prog := effect.FlatMap(cache.Cached(fetchToken, time.Minute), func(token eff.Effect[string]) eff.Effect[[]string] {
		return eff.All(token, token, token)
	})
	tokens, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Println(tokens, err, "fetches:", fetches.Load())
	// Output: [token-1 token-1 token-1] <nil> fetches: 1
}

func ExampleNewMemo() {
	var loads atomic.Int32
	loadConfig := eff.Sync(func() int32 { return loads.Add(1) })
	prog := effect.FlatMap(cache.NewMemo(loadConfig, time.Hour), func(config *cache.Memo[any, error, int32]) eff.Effect[[]int32] {
		return eff.ForEach([]int{1, 2, 3, 4}, func(i int) eff.Effect[int32] {
			switch i {
			case 3:
				config.Invalidate() // the file changed: load it again on the next Get
			case 4:
				return config.Refresh() // load it again now
			}
			return config.Get()
		})
	})
	versions, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Println(versions, err)
	// Output: [1 1 2 3] <nil>
}

// user is what the examples' lookups return.
type user struct {
	ID   int
	Name string
}

func ExampleNew() {
	// A cache of users by ID, in front of a slow service: concurrent Gets
	// of one ID share one lookup.
	var calls atomic.Int32
	fetchUser := func(id int) eff.Effect[user] {
		return effect.AndThen(eff.Sleep(10*time.Millisecond), eff.Sync(func() user {
			calls.Add(1)
			return user{ID: id, Name: fmt.Sprintf("user%d", id)}
		}))
	}
	prog := effect.FlatMap(cache.New(fetchUser, cache.Options{Capacity: 10_000, TTL: 5 * time.Minute}),
		func(users *cache.Cache[int, user, any, error]) eff.Effect[[]user] {
			return eff.ForEachPar([]int{1, 2, 1, 1, 2}, users.Get, eff.Par{})
		})
	us, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Println(us, err, "lookups:", calls.Load())
	// Output: [{1 user1} {2 user2} {1 user1} {1 user1} {2 user2}] <nil> lookups: 2
}

func ExampleNewWithTTL() {
	// Tokens that say how long they are valid: each is kept for its own
	// lifetime, minus a margin.
	type token struct {
		Value     string
		ExpiresIn time.Duration
	}
	issue := func(scope string) eff.Effect[token] {
		return eff.Succeed(token{Value: "t-" + scope, ExpiresIn: time.Hour})
	}
	ttl := func(_ string, t token) time.Duration { return t.ExpiresIn - time.Minute }
	prog := effect.FlatMap(cache.NewWithTTL(issue, ttl, cache.Options{}), func(tokens *cache.Cache[string, token, any, error]) eff.Effect[token] {
		return tokens.Get("read")
	})
	t, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Println(t.Value, err)
	// Output: t-read <nil>
}

func ExampleCache_Get() {
	// The caller that started a lookup gives up (its request timed out):
	// the lookup goes on, and the other caller gets its result.
	lookup := func(k string) eff.Effect[string] {
		return effect.AndThen(eff.Sleep(50*time.Millisecond), eff.Succeed(strings.ToUpper(k)))
	}
	prog := effect.FlatMap(cache.New(lookup, cache.Options{}), func(c *cache.Cache[string, string, any, error]) eff.Effect[[]string] {
		impatient := c.Get("page").Timeout(10 * time.Millisecond).Catch(func(err error) eff.Effect[string] {
			return eff.Succeed("gave up: " + err.Error())
		})
		patient := effect.AndThen(eff.Sleep(5*time.Millisecond), c.Get("page"))
		both := eff.All(impatient, patient)
		return effect.Map(both, func(r []string) []string { return append(r, fmt.Sprint("lookups: ", c.Stats().Loads)) })
	})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output: [gave up: effect: timeout after 10ms PAGE lookups: 1] <nil>
}

func ExampleCache_Refresh() {
	var version atomic.Int32
	lookup := func(string) eff.Effect[int32] {
		return eff.Sync(func() int32 { return version.Add(1) })
	}
	prog := effect.FlatMap(cache.New(lookup, cache.Options{}), func(c *cache.Cache[string, int32, any, error]) eff.Effect[[]int32] {
		return eff.ForEach([]bool{false, true, false}, func(refresh bool) eff.Effect[int32] {
			if refresh {
				return c.Refresh("prices")
			}
			return c.Get("prices")
		})
	})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output: [1 2 2] <nil>
}

func ExampleCache_Set() {
	lookup := func(k string) eff.Effect[string] { return eff.Succeed("loaded " + k) }
	prog := effect.FlatMap(cache.New(lookup, cache.Options{}), func(c *cache.Cache[string, string, any, error]) eff.Effect[string] {
		c.Set("greeting", "hello") // write-through: the new value is stored as it is written
		v, ok := c.Peek("greeting")
		_, missing := c.Peek("other")
		fmt.Println(v, ok, missing)
		return c.Get("greeting")
	})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output:
	// hello true false
	// hello <nil>
}

func ExampleCache_Invalidate() {
	lookup := func(k string) eff.Effect[string] {
		return eff.Succeed(strings.ToUpper(k))
	}
	prog := effect.FlatMap(cache.New(lookup, cache.Options{}), func(c *cache.Cache[string, string, any, error]) eff.Effect[int] {
		return effect.Map(eff.ForEach([]string{"a", "b", "c", "d"}, c.Get), func([]string) int {
			c.Invalidate("a")
			fmt.Println("after Invalidate:", c.Len())
			c.InvalidateIf(func(k, v string) bool { return k == "b" || v == "C" })
			fmt.Println("after InvalidateIf:", c.Len())
			c.InvalidateAll()
			return c.Len()
		})
	})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output:
	// after Invalidate: 3
	// after InvalidateIf: 1
	// 0 <nil>
}

func ExampleCache_RemoveExpired() {
	lookup := func(k string) eff.Effect[string] { return eff.Succeed(k) }
	prog := effect.FlatMap(cache.New(lookup, cache.Options{TTL: 20 * time.Millisecond}), func(c *cache.Cache[string, string, any, error]) eff.Effect[int] {
		fill := eff.ForEach([]string{"a", "b", "c"}, c.Get)
		return effect.AndThen(fill, effect.AndThen(eff.Sleep(30*time.Millisecond), eff.Sync(c.RemoveExpired)))
	})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output: 3 <nil>
}

func ExampleOptions() {
	// Failures kept for a while (so that a missing row is not asked for on
	// every request), and a capacity of two entries.
	errMissing := errors.New("no such row")
	var lookups atomic.Int32
	lookup := func(id int) eff.Effect[string] {
		return eff.Suspend(func() eff.Effect[string] {
			lookups.Add(1)
			if id < 0 {
				return eff.Fail[string](errMissing)
			}
			return eff.Succeed(fmt.Sprint("row ", id))
		})
	}
	opts := cache.Options{Capacity: 2, TTL: time.Hour, FailureTTL: time.Minute}
	prog := effect.FlatMap(cache.New(lookup, opts), func(c *cache.Cache[int, string, any, error]) eff.Effect[cache.Stats] {
		gets := eff.ForEach([]int{-1, -1, 1, 2, 1}, func(id int) eff.Effect[string] {
			return c.Get(id).Catch(func(err error) eff.Effect[string] { return eff.Succeed(err.Error()) })
		})
		return effect.AndThen(gets, eff.Sync(c.Stats))
	})
	s, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Printf("lookups %d, hits %d, evictions %d, entries %d, %v\n", lookups.Load(), s.Hits, s.Evictions, s.Entries, err)
	// Output: lookups 3, hits 2, evictions 1, entries 2, <nil>
}

func ExampleErrClosed() {
	lookup := func(k string) eff.Effect[string] { return eff.Succeed(k) }
	// The cache lives in the Scoped region; using it afterwards fails.
	c, _ := eff.Run(context.Background(), eff.Scoped(cache.New(lookup, cache.Options{})))
	_, err := eff.Run(context.Background(), c.Get("k"))
	fmt.Println(errors.Is(err, cache.ErrClosed), errors.Is(err, context.Canceled))
	// Output: true true
}

func ExampleErrAbandoned() {
	// The only caller gives up: the lookup, which nobody waits for any
	// more, is interrupted, and its context says why.
	why := make(chan error, 1)
	slow := func(k string) eff.Effect[string] {
		return eff.Try(func(ctx context.Context) (string, error) {
			<-ctx.Done()
			why <- context.Cause(ctx)
			return "", ctx.Err()
		})
	}
	prog := effect.FlatMap(cache.New(slow, cache.Options{}), func(c *cache.Cache[string, string, any, error]) eff.Effect[string] {
		return c.Get("report").Timeout(10 * time.Millisecond)
	})
	_, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Println(errors.Is(err, effect.ErrTimeout), errors.Is(<-why, cache.ErrAbandoned))
	// Output: true true
}
