package main

import (
	"time"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/ratelimit"
	"github.com/gogoscope/gogoscope/resource"
)

// RepoConfig sets how the repository reaches the database.
type RepoConfig struct {
	// CacheTTL is how long an author stays cached.
	CacheTTL time.Duration
	// Capacity is the most authors cached.
	Capacity int
	// Window is how long author lookups are gathered into one query.
	Window time.Duration
	// MaxBatch is the most authors asked in one query.
	MaxBatch int
	// DBLimit is the most queries the database may run at once (its
	// connections).
	DBLimit int64
	// QueryRate is the rate at which queries may start (the database's
	// quota): a token bucket.
	QueryRate ratelimit.TokenBucket
}

// Repo is the blog's repository: authors come from a cache, whose misses
// are gathered into batched queries; every query waits for its turn under
// the database's rate limit, then for a connection. It is made by NewRepo
// in a scope, which owns the cache, the loader and the limits.
type Repo struct {
	db      *DB
	rate    *ratelimit.Limiter
	limit   *resource.Semaphore
	authors *cache.Cache[int64, Author, any, error]
	loader  *batch.Loader[int64, Author, any, error]
}

// NewRepo returns an effect that makes the repository in the current scope.
func NewRepo(db *DB, cfg RepoConfig) Eff[*Repo] {
	r := &Repo{db: db}
	rate := ratelimit.New[any, error](cfg.QueryRate)
	return rate.FlatMap(func(lim *ratelimit.Limiter) Eff[*Repo] {
		r.rate = lim
		return resource.NewSemaphore[any, error](cfg.DBLimit).FlatMap(func(s *resource.Semaphore) Eff[*Repo] {
			r.limit = s
			byID := func(ids []int64) Eff[map[int64]Author] { return r.limited(db.AuthorsByID(ids)) }
			loader := batch.New(byID, batch.Options{Window: cfg.Window, MaxSize: cfg.MaxBatch})
			return loader.FlatMap(func(l *batch.Loader[int64, Author, any, error]) Eff[*Repo] {
				r.loader = l
				authors := cache.New(l.Get, cache.Options{Capacity: cfg.Capacity, TTL: cfg.CacheTTL})
				return authors.Map(func(c *cache.Cache[int64, Author, any, error]) *Repo { r.authors = c; return r })
			})
		})
	})
}

// limited returns q run under the database's limits: it waits for its turn
// at the query rate, then for a connection.
func (r *Repo) limited[A any](q Eff[A]) Eff[A] { return r.rate.Limit(r.limit.WithPermits(1, q)) }

// Page returns the posts of a page, one query under the limit.
func (r *Repo) Page(page, size int) Eff[[]Post] { return r.limited(r.db.PostsPage(page, size)) }

// Author returns an author: from the cache, or from a batched query shared
// with the other lookups of the moment.
func (r *Repo) Author(id int64) Eff[Author] { return r.authors.Get(id) }

// Stats are what the repository did.
type Stats struct {
	Queries     int64 // queries run
	MaxInFlight int64 // the most queries that ran at once
	Cache       cache.Stats
	Batch       batch.Stats
}

// Stats returns the repository's counters.
func (r *Repo) Stats() Stats {
	return Stats{Queries: r.db.Queries(), MaxInFlight: r.db.MaxInFlight(), Cache: r.authors.Stats(), Batch: r.loader.Stats()}
}
