package batch_test

import (
	"context"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// The benchmarks load the authors of a page of benchKeys posts from an
// in-memory SQLite database, the N+1 way (one query per key, from plain Go
// and from effects) and through a loader (one query for the page), so that
// one run prints the ratio. Each operation is a whole page, loader made
// afresh included: a loader per request.

const benchKeys = 100

func benchBlog(b *testing.B) (*blog, []int64) {
	bl := openBlog(b, benchKeys, 0)
	ids := make([]int64, benchKeys)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return bl, ids
}

func BenchmarkPage(b *testing.B) {
	ctx := context.Background()
	b.Run("baseline/query-per-key", func(b *testing.B) {
		bl, ids := benchBlog(b)
		b.ReportAllocs()
		for b.Loop() {
			for _, id := range ids {
				var name string
				if err := bl.db.QueryRowContext(ctx, "SELECT name FROM authors WHERE id = ?", id).Scan(&name); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("effect/query-per-key", func(b *testing.B) {
		bl, ids := benchBlog(b)
		rt := effect.NewRuntime()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rt.Run(ctx, effect.ForEachPar(ids, bl.author, effect.Par{Limit: 8}), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("effect/loader-Get", func(b *testing.B) {
		bl, ids := benchBlog(b)
		rt := effect.NewRuntime()
		opts := batch.Options{Window: time.Millisecond, MaxSize: benchKeys}
		b.ReportAllocs()
		for b.Loop() {
			page := effect.FlatMap(batch.New(bl.authors, opts), func(l *batch.Loader[int64, author, any, error]) eff.Effect[[]author] {
				return effect.ForEachPar(ids, l.Get, effect.Par{})
			})
			if _, err := rt.Run(ctx, effect.Scoped(page), nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(bl.queries.Load())/float64(b.N), "queries/op")
	})
	b.Run("effect/loader-GetAll", func(b *testing.B) {
		bl, ids := benchBlog(b)
		rt := effect.NewRuntime()
		b.ReportAllocs()
		for b.Loop() {
			page := effect.FlatMap(batch.New(bl.authors, batch.Options{}), func(l *batch.Loader[int64, author, any, error]) eff.Effect[[]author] {
				return l.GetAll(ids)
			})
			if _, err := rt.Run(ctx, effect.Scoped(page), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOverhead measures the loader's own cost per key, with a
// resolver that answers from memory: a page of benchKeys Gets against the
// same keys looked up in a map by plain Go.
func BenchmarkOverhead(b *testing.B) {
	ctx := context.Background()
	m := map[int64]author{}
	ids := make([]int64, benchKeys)
	for i := range ids {
		ids[i] = int64(i + 1)
		m[ids[i]] = author{ID: ids[i]}
	}
	resolve := func(keys []int64) eff.Effect[map[int64]author] { return effect.Succeed[any, error](m) }
	b.Run("baseline/map", func(b *testing.B) {
		b.ReportAllocs()
		out := make([]author, len(ids))
		for b.Loop() {
			for i, id := range ids {
				out[i] = m[id]
			}
		}
	})
	b.Run("effect/loader-GetAll", func(b *testing.B) {
		rt := effect.NewRuntime()
		b.ReportAllocs()
		for b.Loop() {
			page := effect.FlatMap(batch.New(resolve, batch.Options{}), func(l *batch.Loader[int64, author, any, error]) eff.Effect[[]author] {
				return l.GetAll(ids)
			})
			if _, err := rt.Run(ctx, effect.Scoped(page), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("effect/loader-Get", func(b *testing.B) {
		rt := effect.NewRuntime()
		opts := batch.Options{Window: time.Millisecond, MaxSize: benchKeys}
		b.ReportAllocs()
		for b.Loop() {
			page := effect.FlatMap(batch.New(resolve, opts), func(l *batch.Loader[int64, author, any, error]) eff.Effect[[]author] {
				return effect.ForEachPar(ids, l.Get, effect.Par{})
			})
			if _, err := rt.Run(ctx, effect.Scoped(page), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
