package batch_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// Example_nPlusOne lists posts with their authors' names. Written the
// obvious way — one query for the posts, then one per post for its author —
// it runs N+1 queries; with a loader in between, the per-post code stays
// the same and the authors come in one query.
func Example_nPlusOne() {
	db, _ := sql.Open("sqlite", "file:example-n-plus-one?mode=memory&cache=shared")
	defer db.Close()
	for _, s := range []string{
		"CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT)",
		"CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER, title TEXT)",
		"INSERT INTO authors VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Barbara')",
		"INSERT INTO posts VALUES (1, 1, 'Notes'), (2, 2, 'Compilers'), (3, 1, 'Engines'), (4, 3, 'Abstraction'), (5, 2, 'Nanoseconds')",
	} {
		if _, err := db.Exec(s); err != nil {
			fmt.Println(err)
			return
		}
	}
	var queries atomic.Int32

	type post struct {
		Title    string
		AuthorID int64
	}
	listPosts := eff.Try(func(ctx context.Context) ([]post, error) {
		queries.Add(1)
		rows, err := db.QueryContext(ctx, "SELECT title, author_id FROM posts ORDER BY id")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ps []post
		for rows.Next() {
			var p post
			if err := rows.Scan(&p.Title, &p.AuthorID); err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		return ps, rows.Err()
	})
	// One author: the query of the N+1 pattern.
	authorName := func(id int64) eff.Effect[string] {
		return eff.Try(func(ctx context.Context) (name string, err error) {
			queries.Add(1)
			err = db.QueryRowContext(ctx, "SELECT name FROM authors WHERE id = ?", id).Scan(&name)
			return name, err
		})
	}
	// Many authors in one query: the batch resolver. The ids go in as
	// parameters, never into the SQL text.
	authorNames := func(ids []int64) eff.Effect[map[int64]string] {
		return eff.Try(func(ctx context.Context) (map[int64]string, error) {
			queries.Add(1)
			args := make([]any, len(ids))
			for i, id := range ids {
				args[i] = id
			}
			q := "SELECT id, name FROM authors WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
			rows, err := db.QueryContext(ctx, q, args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			names := map[int64]string{}
			for rows.Next() {
				var id int64
				var name string
				if err := rows.Scan(&id, &name); err != nil {
					return nil, err
				}
				names[id] = name
			}
			return names, rows.Err()
		})
	}
	// The page: each post asks for its own author's name.
	page := func(nameOf func(int64) eff.Effect[string]) eff.Effect[[]string] {
		return effect.FlatMap(listPosts, func(ps []post) eff.Effect[[]string] {
			return eff.ForEachPar(ps, func(p post) eff.Effect[string] {
				return effect.Map(nameOf(p.AuthorID), func(name string) string { return p.Title + " by " + name })
			}, eff.Par{})
		})
	}

	lines, err := eff.Run(context.Background(), page(authorName))
	fmt.Println(lines, err, "queries:", queries.Swap(0))

	batched := effect.FlatMap(batch.New(authorNames, batch.Options{Window: 20 * time.Millisecond, Cache: true}),
		func(authors *batch.Loader[int64, string, any, error]) eff.Effect[[]string] {
			return page(authors.Get)
		})
	lines, err = eff.Run(context.Background(), eff.Scoped(batched))
	fmt.Println(lines, err, "queries:", queries.Load())
	// Output:
	// [Notes by Ada Compilers by Grace Engines by Ada Abstraction by Barbara Nanoseconds by Grace] <nil> queries: 6
	// [Notes by Ada Compilers by Grace Engines by Ada Abstraction by Barbara Nanoseconds by Grace] <nil> queries: 2
}
