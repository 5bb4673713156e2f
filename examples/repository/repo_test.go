package main

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/ratelimit"
)

// feeds returns an effect that builds n feed pages at once, as n handlers
// would, straight on the repository.
func feeds(repo *Repo, n, pages, size int) Eff[[][]Byline] {
	return eff.ForEachPar(ints(n), func(i int) Eff[[]Byline] {
		return repo.Page(i%pages, size).FlatMap(func(posts []Post) Eff[[]Byline] {
			return eff.ForEachPar(posts, func(p Post) Eff[Byline] {
				return repo.Author(p.AuthorID).Map(func(a Author) Byline { return Byline{p.Title, a.Name} })
			}, eff.Par{})
		})
	}, eff.Par{})
}

// The queries keep to the token bucket's law over every interval, in
// virtual time: at most Burst + Rate·d/Per start within any d.
func TestQueriesKeepToTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, err := OpenDB(60, 2000)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		seeded := len(db.Starts())
		rt := effect.NewRuntime()
		defer rt.Shutdown(context.Background())
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		cfg := DefaultConfig.Repo
		cfg.QueryRate = ratelimit.TokenBucket{Rate: 100, Per: time.Second, Burst: 10}
		repo, err := rt.Run(context.Background(), effect.Extend(scope, NewRepo(db, cfg)), nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		pages, err := rt.Run(context.Background(), feeds(repo, 60, 100, 20), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range pages {
			for _, b := range page {
				if !rightAuthor(b, 60) {
					t.Fatalf("wrong byline %+v", b)
				}
			}
		}
		starts := db.Starts()[seeded:]
		rate := cfg.QueryRate
		for i := range starts {
			for j := i; j < len(starts); j++ {
				d := starts[j].Sub(starts[i])
				if n := int64(j - i + 1); n > rate.Burst+rate.Rate*int64(d)/int64(rate.Per) {
					t.Fatalf("%d queries started within %v: more than %d + %d/%v", n, d, rate.Burst, rate.Rate, rate.Per)
				}
			}
		}
		// 60 page queries and the author batches, 10 at once and then 100 a
		// second: at least half a second.
		if took, least := time.Since(start), time.Duration(len(starts)-10)*10*time.Millisecond; took < least {
			t.Errorf("%d queries took %v, less than the rate allows (%v)", len(starts), took, least)
		}
		s := repo.Stats()
		if s.Queries-int64(seeded) != int64(len(starts)) || int64(len(starts)) != 60+int64(s.Batch.Batches) {
			t.Errorf("%d queries, %d batches", len(starts), s.Batch.Batches)
		}
		t.Logf("%d queries in %v of virtual time, %d author batches", len(starts), time.Since(start), s.Batch.Batches)
	})
}
