package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/sqlite"
)

func TestOpenBadInput(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		path string
		opts sqlite.Options
		want error
	}{
		{"empty path", "", sqlite.Options{}, persistence.ErrInvalid},
		{"in memory", ":memory:", sqlite.Options{}, persistence.ErrInvalid},
		{"in memory URI", "file:x?mode=memory&cache=shared", sqlite.Options{}, persistence.ErrInvalid},
		{"bad table", filepath.Join(t.TempDir(), "x.db"), sqlite.Options{Table: "x; DROP TABLE y"}, persistence.ErrInvalid},
		{"negative busy timeout", filepath.Join(t.TempDir(), "x.db"), sqlite.Options{BusyTimeout: -1}, persistence.ErrInvalid},
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), sqlite.Options{}, persistence.ErrUnavailable},
	}
	for _, c := range cases {
		s, err := sqlite.Open(ctx, c.path, c.opts)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		if s != nil {
			s.Close()
		}
	}
}

// TestSchemaIdempotent opens one file from many stores at once: the tables
// are created once, and every store works.
func TestSchemaIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			s, err := sqlite.Open(context.Background(), path, sqlite.Options{Table: "idem"})
			if err == nil {
				_, err = s.Inspect(context.Background(), "k")
				s.Close()
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
