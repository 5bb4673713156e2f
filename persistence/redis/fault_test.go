//go:build unix

package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/internal/servertest"
	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/redis"
)

// TestFaults kills a private Redis (no persistence) with SIGKILL under the
// fault suite.
func TestFaults(t *testing.T) {
	url(t) // the servers are expected where REDIS_URL is set
	srv := servertest.Redis(t)
	b := persistencetest.Backend{Name: "redis", New: func(t testing.TB) persistencetest.Store {
		s, err := redis.Open(context.Background(), srv.DSN, redis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}
	persistencetest.RunFaults(t, b, srv, false)
}

func TestOpenBadInput(t *testing.T) {
	const secret = "s3cr3t-pa55word"
	u := url(t)
	persistencetest.CheckOpen(t, persistencetest.OpenChecks{
		Open: func(ctx context.Context, dsn string) error {
			s, err := redis.Open(ctx, dsn, redis.Options{})
			if err == nil {
				s.Close()
			}
			return err
		},
		Secret:        secret,
		Malformed:     []string{"", "http://x", "redis://:" + secret + "@127.0.0.1:6379/notanumber", "redis://u:" + secret + "@[::1"},
		Unreachable:   "redis://user:" + secret + "@127.0.0.1:" + servertest.FreePort(t) + "/0",
		WrongPassword: strings.Replace(u, "redis://", "redis://nobody:"+secret+"@", 1),
	})
}

// TestTLSPassesThrough: a rediss:// URL makes the client speak TLS, which
// the plain test server does not: the handshake fails, as it must.
func TestTLSPassesThrough(t *testing.T) {
	u := url(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	// go-redis dials in a goroutine of its own, which outlives Close
	// until its dial timeout: keep that short for goleak.
	tlsURL := strings.Replace(u, "redis://", "rediss://", 1) + "?dial_timeout=300ms"
	_, err := redis.Open(ctx, tlsURL, redis.Options{})
	if !errors.Is(err, persistence.ErrUnavailable) {
		t.Fatalf("rediss:// to a server without TLS: err = %v, want a failed handshake", err)
	}
}
