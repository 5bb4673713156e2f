package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
	ctx := context.Background()
	for _, d := range []string{"postgres://u:" + secret + "@127.0.0.1:notaport/db", "host=127.0.0.1 password=" + secret + " port=x", "postgres://u:" + secret + "@[::1/db"} {
		_, err := postgres.Open(ctx, d, postgres.Options{})
		if !errors.Is(err, persistence.ErrInvalid) || strings.Contains(err.Error(), secret) {
			t.Errorf("Open(malformed): err = %v, want ErrInvalid without the password", err)
		}
	}
	_, err := postgres.Open(ctx, "postgres://u@127.0.0.1:1/db", postgres.Options{Table: "no-dashes"})
	if !errors.Is(err, persistence.ErrInvalid) {
		t.Errorf("Open with a bad Table: err = %v, want ErrInvalid", err)
	}
	port := servertest.FreePort(t)
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = postgres.Open(cctx, "postgres://user:"+secret+"@127.0.0.1:"+port+"/db?sslmode=disable", postgres.Options{})
	if !errors.Is(err, persistence.ErrUnavailable) || strings.Contains(err.Error(), secret) {
		t.Fatalf("Open(unreachable): err = %v, want ErrUnavailable without the password", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("Open(unreachable) took %v, want within its 2s deadline", el)
	}
}

// TestPasswordNotInErrors tries a wrong password on the real server.
func TestPasswordNotInErrors(t *testing.T) {
	d := dsn(t)
	const secret = "wrong-pa55word-xyz"
	i := strings.Index(d, "@")
	j := strings.Index(d, "://")
	bad := d[:j+3] + "gogoscope:" + secret + d[i:]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := postgres.Open(ctx, bad, postgres.Options{})
	if !errors.Is(err, persistence.ErrUnavailable) {
		t.Fatalf("Open with a wrong password: err = %v, want ErrUnavailable", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), secret) {
			t.Fatalf("the error shows the password: %v", e)
		}
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
