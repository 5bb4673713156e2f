// Command repository runs a small blog service on a loopback port and a
// crowd of clients against it. The service's handler, GET /feed?page=N,
// lists a page of posts and asks for each post's author on its own — the
// N+1 pattern — yet the database sees few queries: the repository keeps
// authors in a cache.Cache, whose misses go through a batch.Loader that
// gathers them into one query per window, and every query waits for its
// turn under the database's rate limit (a ratelimit.Limiter, token bucket)
// and then for one of its few connections (a resource.Semaphore).
//
// The program opens an in-memory SQLite database, builds the repository in
// a scope of its own, serves on 127.0.0.1 from a fiber of another scope,
// runs the clients, and prints what the database saw beside what one query
// per author would have cost. It shuts down in order: the server first
// (waiting for requests in flight), then the repository (its lookups and
// batches), then the runtime. Interrupt it (Ctrl-C) and it shuts down the
// same way.
//
//	go run ./examples/repository -clients 16 -requests 50
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/ratelimit"
)

// Eff is the program's name for the effects it writes: they need no
// environment and fail with an error (eff.Effect[A] is
// effect.Effect[any, error, A]).
type Eff[A any] = eff.Effect[A]

// Config holds the program's settings.
type Config struct {
	Authors, Posts int // rows in the database
	PageSize       int // posts per feed page
	Clients        int // clients at once
	Requests       int // feed requests per client
	Repo           RepoConfig
}

// DefaultConfig is the configuration of a plain run.
var DefaultConfig = Config{
	Authors: 60, Posts: 2000, PageSize: 20, Clients: 8, Requests: 25,
	Repo: RepoConfig{
		CacheTTL: time.Minute, Capacity: 1000, Window: 2 * time.Millisecond, MaxBatch: 100,
		DBLimit: 4, QueryRate: ratelimit.TokenBucket{Rate: 2000, Per: time.Second, Burst: 100},
	},
}

func main() {
	cfg := DefaultConfig
	flag.IntVar(&cfg.Clients, "clients", cfg.Clients, "clients at once")
	flag.IntVar(&cfg.Requests, "requests", cfg.Requests, "feed requests per client")
	flag.IntVar(&cfg.Repo.MaxBatch, "max-batch", cfg.Repo.MaxBatch, "most authors per query")
	flag.DurationVar(&cfg.Repo.Window, "window", cfg.Repo.Window, "how long author lookups are gathered")
	flag.Int64Var(&cfg.Repo.QueryRate.Rate, "query-rate", cfg.Repo.QueryRate.Rate, "queries per second the database allows")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "repository:", err)
		os.Exit(1)
	}
}

// run serves the blog, runs the clients against it, prints the summary to
// out and shuts everything down.
func run(ctx context.Context, out io.Writer, cfg Config) error {
	sum, err := serveCrowd(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "served %d feeds (%d bylines) to %d clients in %v; %d wrong bylines\n",
		sum.Feeds, sum.Bylines, cfg.Clients, sum.Took.Round(time.Millisecond), sum.Wrong)
	fmt.Fprintf(out, "database: %d queries — %d pages and %d author batches; one query per byline would have been %d\n",
		sum.Queries, sum.Feeds, sum.Batch.Batches, sum.Feeds+sum.Bylines)
	fmt.Fprintf(out, "author cache: %d hits, %d misses (%d shared), %d authors looked up\n",
		sum.Cache.Hits, sum.Cache.Misses, sum.Cache.Shared, sum.Cache.Loads)
	fmt.Fprintf(out, "database limits: at most %d queries at once (%d allowed), at most %d per %v after a burst of %d\n",
		sum.MaxInFlight, cfg.Repo.DBLimit, cfg.Repo.QueryRate.Rate, cfg.Repo.QueryRate.Per, cfg.Repo.QueryRate.Burst)
	return nil
}

// Summary is what a run saw: the clients' report and the repository's
// counters.
type Summary struct {
	Report
	Stats
	Took time.Duration
}

// serveCrowd serves the blog, runs the clients against it, and shuts
// everything down in order: the server (after the requests in flight), the
// repository (its lookups and batches), the runtime.
func serveCrowd(ctx context.Context, cfg Config) (sum Summary, err error) {
	db, err := OpenDB(cfg.Authors, cfg.Posts)
	if err != nil {
		return sum, err
	}
	defer db.Close()
	seeded := db.Queries()

	rt := effect.NewRuntime()
	defer func() { err = errors.Join(err, rt.Shutdown(context.Background())) }()

	// The repository lives in a scope of its own, closed after the server.
	repoScope := rt.NewScope()
	defer func() { err = errors.Join(err, repoScope.Close(context.Background())) }()
	repo, err := rt.Run(ctx, effect.Extend(repoScope, NewRepo(db, cfg.Repo)), nil)
	if err != nil {
		return sum, err
	}

	srv, err := Serve(rt, repo, cfg.PageSize)
	if err != nil {
		return sum, err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	start := time.Now()
	report, err := rt.Run(ctx, Crowd(client, srv.URL, cfg), nil)
	if err != nil {
		return sum, err
	}
	sum = Summary{Report: report, Stats: repo.Stats(), Took: time.Since(start)}
	sum.Queries -= seeded
	return sum, nil
}
