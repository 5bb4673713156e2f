//go:build unix

package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/servertest"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/postgres"
)

// TestFaults kills a private PostgreSQL cluster with SIGKILL under the
// fault suite.
func TestFaults(t *testing.T) {
	dsn(t) // the servers are expected where POSTGRES_DSN is set
	srv := servertest.Postgres(t)
	b := persistencetest.Backend{Name: "postgres", New: func(t testing.TB) persistencetest.Store {
		s, err := postgres.Open(context.Background(), srv.DSN, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}}
	persistencetest.RunFaults(t, b, srv, true)
}

func TestOpenBadInput(t *testing.T) {
	const secret = "s3cr3t-pa55word"
	d := dsn(t)
	wrong := d[:strings.Index(d, "://")+3] + "gogoscope:" + secret + d[strings.Index(d, "@"):]
	persistencetest.CheckOpen(t, persistencetest.OpenChecks{
		Open: func(ctx context.Context, dsn string) error {
			s, err := postgres.Open(ctx, dsn, postgres.Options{})
			if err == nil {
				s.Close()
			}
			return err
		},
		Secret: secret,
		Malformed: []string{"postgres://u:" + secret + "@127.0.0.1:notaport/db", "host=127.0.0.1 password=" + secret + " port=x",
			"postgres://u:" + secret + "@[::1/db"},
		Unreachable:   "postgres://user:" + secret + "@127.0.0.1:" + servertest.FreePort(t) + "/db?sslmode=disable",
		WrongPassword: wrong,
	})
	_, err := postgres.Open(context.Background(), "postgres://u@127.0.0.1:1/db", postgres.Options{Table: "no-dashes"})
	if !errors.Is(err, persistence.ErrInvalid) {
		t.Errorf("Open with a bad Table: err = %v, want ErrInvalid", err)
	}
}

// TestTLSPassesThrough: sslmode=require in the DSN reaches pgx: the session
// with the test server (Debian's cluster has TLS on) is encrypted.
func TestTLSPassesThrough(t *testing.T) {
	d := dsn(t)
	d = strings.Replace(d, "sslmode=disable", "sslmode=require", 1)
	s, err := postgres.Open(context.Background(), d, postgres.Options{Table: "gogoscope_test"})
	if err != nil {
		t.Skipf("the server does not offer TLS: %v", err)
	}
	defer s.Close()
	var ssl bool
	if err := s.Pool().QueryRow(context.Background(), `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil || !ssl {
		t.Fatalf("session over TLS = %v, %v; want true", ssl, err)
	}
}
