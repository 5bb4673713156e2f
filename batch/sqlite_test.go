package batch_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// blog is a small SQLite database, in memory, of authors and their posts,
// whose queries are counted.
type blog struct {
	db      *sql.DB
	queries atomic.Int32
}

type post struct {
	ID       int64
	AuthorID int64
	Title    string
}

type author struct {
	ID   int64
	Name string
}

var blogSeq atomic.Int32

// openBlog opens a fresh in-memory database with authors authors and
// posts posts, post i written by author i%authors+1.
func openBlog(t testing.TB, authors, posts int) *blog {
	t.Helper()
	dsn := fmt.Sprintf("file:blog%d?mode=memory&cache=shared", blogSeq.Add(1))
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stmts := []string{
		"CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
		"CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id), title TEXT NOT NULL)",
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= authors; i++ {
		if _, err := db.Exec("INSERT INTO authors (id, name) VALUES (?, ?)", i, fmt.Sprintf("author %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= posts; i++ {
		if _, err := db.Exec("INSERT INTO posts (id, author_id, title) VALUES (?, ?, ?)", i, i%authors+1, fmt.Sprintf("post %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	return &blog{db: db}
}

// posts returns every post, in order.
func (b *blog) posts() eff.Effect[[]post] {
	return effect.Try[any](func(ctx context.Context) ([]post, error) {
		b.queries.Add(1)
		rows, err := b.db.QueryContext(ctx, "SELECT id, author_id, title FROM posts ORDER BY id")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ps []post
		for rows.Next() {
			var p post
			if err := rows.Scan(&p.ID, &p.AuthorID, &p.Title); err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		return ps, rows.Err()
	})
}

// author returns one author: the query the N+1 pattern runs per post.
func (b *blog) author(id int64) eff.Effect[author] {
	return effect.Try[any](func(ctx context.Context) (author, error) {
		b.queries.Add(1)
		a := author{ID: id}
		err := b.db.QueryRowContext(ctx, "SELECT name FROM authors WHERE id = ?", id).Scan(&a.Name)
		return a, err
	})
}

// authors is the batch resolver: every author of ids in one query.
func (b *blog) authors(ids []int64) eff.Effect[map[int64]author] {
	return effect.Try[any](func(ctx context.Context) (map[int64]author, error) {
		b.queries.Add(1)
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
		rows, err := b.db.QueryContext(ctx, "SELECT id, name FROM authors WHERE id IN ("+marks+")", args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		m := make(map[int64]author, len(ids))
		for rows.Next() {
			var a author
			if err := rows.Scan(&a.ID, &a.Name); err != nil {
				return nil, err
			}
			m[a.ID] = a
		}
		return m, rows.Err()
	})
}

// byline is a post with its author's name.
type byline struct {
	Title, Author string
}

// bylines lists the posts with their authors' names, asking for each
// post's author with authorOf: the code is written for one post.
func bylines(b *blog, authorOf func(int64) eff.Effect[author]) eff.Effect[[]byline] {
	return effect.FlatMap(b.posts(), func(ps []post) eff.Effect[[]byline] {
		return effect.ForEachPar(ps, func(p post) eff.Effect[byline] {
			return effect.Map(authorOf(p.AuthorID), func(a author) byline { return byline{p.Title, a.Name} })
		}, effect.Par{Limit: 8})
	})
}

func TestBatchingCutsNPlusOneToTwoQueries(t *testing.T) {
	ctx := context.Background()
	b := openBlog(t, 4, 25)
	naive, err := effect.Run(ctx, bylines(b, b.author), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.queries.Swap(0); n != 26 {
		t.Errorf("one query per post: %d queries, want 1 + 25", n)
	}
	// A loader per unit of work, with its cache: each author is loaded
	// once, whichever posts ask for it and whenever they do.
	opts := batch.Options{Window: 20 * time.Millisecond, Cache: true}
	prog := effect.FlatMap(batch.New(b.authors, opts), func(l *batch.Loader[int64, author, any, error]) eff.Effect[[]byline] {
		return bylines(b, l.Get)
	})
	batched, err := effect.Run(ctx, effect.Scoped(prog), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.queries.Load(); n != 2 {
		t.Errorf("batched: %d queries, want 2 (the posts, then their authors in one)", n)
	}
	if !reflect.DeepEqual(batched, naive) {
		t.Errorf("batched %v\nnaive   %v", batched, naive)
	}
	if batched[0] != (byline{"post 1", "author 2"}) {
		t.Errorf("first byline %+v", batched[0])
	}
}

func TestSQLiteMissingRowIsAMissingError(t *testing.T) {
	b := openBlog(t, 2, 0)
	prog := effect.FlatMap(batch.New(b.authors, batch.Options{Window: time.Millisecond}), func(l *batch.Loader[int64, author, any, error]) eff.Effect[[]author] {
		return l.GetAll([]int64{1, 2, 99})
	})
	_, err := effect.Run(context.Background(), effect.Scoped(prog), nil)
	var me *batch.MissingError
	if !errorsAs(err, &me) || me.Key != int64(99) {
		t.Errorf("got %v, want the missing author 99", err)
	}
}
