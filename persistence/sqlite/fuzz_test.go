package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/sqlite"
)

// FuzzKey: any key is a lock of its own — taken, inspected and released
// intact — or refused as invalid before reaching the database.
func FuzzKey(f *testing.F) {
	for _, k := range persistencetest.HostileKeys {
		f.Add(k)
	}
	f.Add("")
	s, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, key string) {
		ctx := context.Background()
		l, err := s.TryAcquire(ctx, key, persistence.NewOwner(), time.Minute)
		if persistence.CheckKey("x", key) != nil {
			if !errors.Is(err, persistence.ErrInvalid) {
				t.Fatalf("invalid key %q: err = %v, want ErrInvalid", key, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("TryAcquire(%q): %v", key, err)
		}
		if info, err := s.Inspect(ctx, key); err != nil || !info.Held || info.Token != l.Token {
			t.Fatalf("Inspect(%q) = %+v, %v", key, info, err)
		}
		if err := s.Release(ctx, l); err != nil {
			t.Fatalf("Release(%q): %v", key, err)
		}
	})
}
