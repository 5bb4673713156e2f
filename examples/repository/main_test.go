package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/effect"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// authorsOf returns the distinct authors of the pages the crowd of cfg
// asks for.
func authorsOf(cfg Config) map[int64]bool {
	pages := (cfg.Posts + cfg.PageSize - 1) / cfg.PageSize
	seen := map[int64]bool{}
	for c := range cfg.Clients {
		for i := range cfg.Requests {
			p := PageOf(c, i, pages)
			for post := p*cfg.PageSize + 1; post <= min((p+1)*cfg.PageSize, cfg.Posts); post++ {
				seen[int64((post*7)%cfg.Authors+1)] = true
			}
		}
	}
	return seen
}

func TestFeedsAreRightAndTheDatabaseSeesFewQueries(t *testing.T) {
	for _, maxBatch := range []int{100, 7} {
		cfg := DefaultConfig
		cfg.Repo.MaxBatch = maxBatch
		sum, err := serveCrowd(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if want := cfg.Clients * cfg.Requests; sum.Feeds != want || sum.Bylines != want*cfg.PageSize || sum.Wrong != 0 {
			t.Fatalf("max batch %d: %+v; want %d feeds of %d right bylines", maxBatch, sum.Report, want, cfg.PageSize)
		}
		// Every author is looked up once (the cache's TTL outlives the run),
		// each lookup is one key of a batch, and the database saw the pages
		// and the batches, nothing else.
		authors := int64(len(authorsOf(cfg)))
		if sum.Cache.Loads != uint64(authors) || sum.Batch.Keys != uint64(authors) {
			t.Errorf("max batch %d: %d cache lookups, %d keys sent; want %d, the distinct authors", maxBatch, sum.Cache.Loads, sum.Batch.Keys, authors)
		}
		if sum.Queries != int64(sum.Feeds)+int64(sum.Batch.Batches) {
			t.Errorf("max batch %d: %d queries, want %d pages + %d batches", maxBatch, sum.Queries, sum.Feeds, sum.Batch.Batches)
		}
		if minBatches := (authors + int64(maxBatch) - 1) / int64(maxBatch); int64(sum.Batch.Batches) < minBatches || sum.Batch.Batches > sum.Batch.Keys {
			t.Errorf("max batch %d: %d batches for %d keys", maxBatch, sum.Batch.Batches, sum.Batch.Keys)
		}
		if sum.Cache.Hits+sum.Cache.Misses != uint64(sum.Bylines) {
			t.Errorf("max batch %d: %d hits + %d misses, want one per byline (%d)", maxBatch, sum.Cache.Hits, sum.Cache.Misses, sum.Bylines)
		}
		if sum.MaxInFlight > cfg.Repo.DBLimit || sum.MaxInFlight < 1 {
			t.Errorf("max batch %d: %d queries at once, limit %d", maxBatch, sum.MaxInFlight, cfg.Repo.DBLimit)
		}
	}
}

func TestRunPrintsTheSummary(t *testing.T) {
	cfg := DefaultConfig
	cfg.Clients, cfg.Requests = 2, 3
	var out bytes.Buffer
	if err := run(context.Background(), &out, cfg); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"served 6 feeds (120 bylines) to 2 clients", "; 0 wrong bylines", "database: ", "one query per byline would have been 126", "author cache: ", "(4 allowed)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCancellingTheRunShutsEverythingDown(t *testing.T) {
	cfg := DefaultConfig
	cfg.Requests = 1_000_000
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := serveCrowd(ctx, cfg)
	if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the run interrupted", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("shutting down took %v", d)
	}
	// goleak (TestMain) checks that no goroutine is left: server, clients,
	// lookups and batches all ended.
}

func TestFeedHandler(t *testing.T) {
	db, err := OpenDB(5, 30)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	scope := rt.NewScope()
	defer scope.Close(context.Background())
	repo, err := rt.Run(context.Background(), effect.Extend(scope, NewRepo(db, DefaultConfig.Repo)), nil)
	if err != nil {
		t.Fatal(err)
	}
	h := FeedHandler(rt, repo, 10)
	cases := []struct {
		url    string
		status int
		body   string
	}{
		{"/feed?page=0", http.StatusOK, `{"post":"post-0001","author":"author-003"}`},
		{"/feed?page=2", http.StatusOK, `{"post":"post-0030","author":"author-001"}]`},
		{"/feed?page=9", http.StatusOK, "[]"},
		{"/feed?page=-1", http.StatusBadRequest, "page must be a number >= 0"},
		{"/feed?page=x", http.StatusBadRequest, "page must be a number >= 0"},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.url, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: %d %q; want %d containing %q", tc.url, rec.Code, rec.Body.String(), tc.status, tc.body)
		}
	}
	// Three pages of ten posts by five authors: every author once, in one
	// or few batches; the pages are one query each.
	if s := repo.Stats(); s.Cache.Loads != 5 || s.Queries != 3+int64(s.Batch.Batches) {
		t.Errorf("stats %+v", s)
	}
}

func TestFeedHandlerAnswersAnInterruptedRequestWithNothing(t *testing.T) {
	db, err := OpenDB(5, 30)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	scope := rt.NewScope()
	defer scope.Close(context.Background())
	repo, err := rt.Run(context.Background(), effect.Extend(scope, NewRepo(db, DefaultConfig.Repo)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client has gone
	rec := httptest.NewRecorder()
	FeedHandler(rt, repo, 10).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/feed?page=0", nil).WithContext(ctx))
	if rec.Body.Len() != 0 {
		t.Errorf("wrote %q to a client that has gone", rec.Body.String())
	}
	if s := repo.Stats(); s.Cache.Waiting != 0 || s.Batch.Waiting != 0 {
		t.Errorf("left waiting: %+v", s)
	}
}
