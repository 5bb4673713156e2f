//go:build unix

package mysql_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/servertest"
	"github.com/gogoscope/gogoscope/persistence/mysql"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
)

// TestFaults kills a private MariaDB with SIGKILL under the fault suite.
func TestFaults(t *testing.T) {
	dsn(t) // the servers are expected where MYSQL_DSN is set
	srv := servertest.MariaDB(t)
	b := persistencetest.Backend{Name: "mysql", New: func(t testing.TB) persistencetest.Store {
		s, err := mysql.Open(context.Background(), srv.DSN, mysql.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}
	persistencetest.RunFaults(t, b, srv, true)
}

func TestOpenBadInput(t *testing.T) {
	const secret = "s3cr3t-pa55word"
	d := dsn(t)
	persistencetest.CheckOpen(t, persistencetest.OpenChecks{
		Open: func(ctx context.Context, dsn string) error {
			s, err := mysql.Open(ctx, dsn, mysql.Options{})
			if err == nil {
				s.Close()
			}
			return err
		},
		Secret: secret,
		Malformed: []string{"u:" + secret + "@tcp(127.0.0.1:3306", "u:" + secret + "@tcp(127.0.0.1:3306)/db?parseTime=maybe",
			"u:" + secret + "@tcp(127.0.0.1:3306)/db?timeout=notaduration"},
		Unreachable:   "user:" + secret + "@tcp(127.0.0.1:" + servertest.FreePort(t) + ")/db",
		WrongPassword: "gogoscope:" + secret + d[strings.Index(d, "@"):],
	})
}

// TestTLSPassesThrough: tls=true in the DSN reaches the driver, which then
// refuses the test server that offers no TLS.
func TestTLSPassesThrough(t *testing.T) {
	d := dsn(t)
	sep := "?"
	if strings.Contains(d, "?") {
		sep = "&"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := mysql.Open(ctx, d+sep+"tls=true", mysql.Options{Table: "gogoscope_test"})
	if err == nil {
		// The server offers TLS: the session must use it.
		defer s.Close()
		var cipher, name string
		if err := s.DB().QueryRowContext(ctx, `SHOW SESSION STATUS LIKE 'Ssl_cipher'`).Scan(&name, &cipher); err != nil || cipher == "" {
			t.Fatalf("tls=true: session cipher %q, %v; want TLS", cipher, err)
		}
		return
	}
	if !errors.Is(err, persistence.ErrUnavailable) || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("tls=true to a server without TLS: err = %v, want the driver's TLS refusal", err)
	}
}
