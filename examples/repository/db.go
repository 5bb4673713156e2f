package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gogoscope/gogoscope/eff"
)

// Post is a row of the posts table.
type Post struct {
	ID       int64
	AuthorID int64
	Title    string
}

// Author is a row of the authors table.
type Author struct {
	ID   int64
	Name string
}

// DB is the blog's database, an in-memory SQLite, with a count of the
// queries run against it.
type DB struct {
	sql     *sql.DB
	queries atomic.Int64

	mu                    sync.Mutex
	inFlight, maxInFlight int64
	starts                []time.Time // when each query started
}

var dbSeq atomic.Int64

// OpenDB opens a fresh in-memory database with authors authors and posts
// posts, post i written by author (i*7)%authors+1. The caller closes it.
func OpenDB(authors, posts int) (*DB, error) {
	db, err := sql.Open("sqlite", fmt.Sprintf("file:repository%d?mode=memory&cache=shared", dbSeq.Add(1)))
	if err != nil {
		return nil, err
	}
	stmts := []string{
		"CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
		"CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id), title TEXT NOT NULL)",
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			db.Close()
			return nil, err
		}
	}
	for i := 1; i <= authors; i++ {
		if _, err := db.Exec("INSERT INTO authors (id, name) VALUES (?, ?)", i, fmt.Sprintf("author-%03d", i)); err != nil {
			db.Close()
			return nil, err
		}
	}
	for i := 1; i <= posts; i++ {
		if _, err := db.Exec("INSERT INTO posts (id, author_id, title) VALUES (?, ?, ?)", i, (i*7)%authors+1, fmt.Sprintf("post-%04d", i)); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &DB{sql: db}, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Queries returns the number of queries run so far.
func (db *DB) Queries() int64 { return db.queries.Load() }

// MaxInFlight returns the most queries that ran at once so far.
func (db *DB) MaxInFlight() int64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.maxInFlight
}

// Starts returns when each query started, in order.
func (db *DB) Starts() []time.Time {
	db.mu.Lock()
	defer db.mu.Unlock()
	return slices.Clone(db.starts)
}

// begin counts a query that starts and returns the function that counts
// its end.
func (db *DB) begin() func() {
	db.queries.Add(1)
	db.mu.Lock()
	db.inFlight++
	db.maxInFlight = max(db.maxInFlight, db.inFlight)
	db.starts = append(db.starts, time.Now())
	db.mu.Unlock()
	return func() {
		db.mu.Lock()
		db.inFlight--
		db.mu.Unlock()
	}
}

// PostsPage returns the posts of page (from 0), size of them, in order of
// ID: one query.
func (db *DB) PostsPage(page, size int) Eff[[]Post] {
	return eff.Try(func(ctx context.Context) ([]Post, error) {
		defer db.begin()()
		rows, err := db.sql.QueryContext(ctx, "SELECT id, author_id, title FROM posts ORDER BY id LIMIT ? OFFSET ?", size, page*size)
		if err != nil {
			return nil, fmt.Errorf("posts page %d: %w", page, err)
		}
		defer rows.Close()
		var ps []Post
		for rows.Next() {
			var p Post
			if err := rows.Scan(&p.ID, &p.AuthorID, &p.Title); err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		return ps, rows.Err()
	})
}

// AuthorsByID returns the authors of ids that exist: one query, whatever
// the number of ids. The ids are parameters, never SQL text.
func (db *DB) AuthorsByID(ids []int64) Eff[map[int64]Author] {
	return eff.Try(func(ctx context.Context) (map[int64]Author, error) {
		defer db.begin()()
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		q := "SELECT id, name FROM authors WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
		rows, err := db.sql.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("authors by id: %w", err)
		}
		defer rows.Close()
		m := make(map[int64]Author, len(ids))
		for rows.Next() {
			var a Author
			if err := rows.Scan(&a.ID, &a.Name); err != nil {
				return nil, err
			}
			m[a.ID] = a
		}
		return m, rows.Err()
	})
}
