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
	ctx := context.Background()
	for _, d := range []string{"u:" + secret + "@tcp(127.0.0.1:3306", "u:" + secret + "@tcp(127.0.0.1:3306)/db?parseTime=maybe", "u:" + secret + "@tcp(127.0.0.1:3306)/db?timeout=notaduration"} {
		_, err := mysql.Open(ctx, d, mysql.Options{})
		if !errors.Is(err, persistence.ErrInvalid) || strings.Contains(err.Error(), secret) {
			t.Errorf("Open(malformed): err = %v, want ErrInvalid without the password", err)
		}
	}
	port := servertest.FreePort(t)
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := mysql.Open(cctx, "user:"+secret+"@tcp(127.0.0.1:"+port+")/db", mysql.Options{})
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
	bad := "gogoscope:" + secret + d[strings.Index(d, "@"):]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := mysql.Open(ctx, bad, mysql.Options{})
	if !errors.Is(err, persistence.ErrUnavailable) {
		t.Fatalf("Open with a wrong password: err = %v, want ErrUnavailable", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), secret) {
			t.Fatalf("the error shows the password: %v", e)
		}
	}
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
