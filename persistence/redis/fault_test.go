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
	ctx := context.Background()
	for _, u := range []string{"", "http://x", "redis://:" + secret + "@127.0.0.1:6379/notanumber", "redis://u:" + secret + "@[::1"} {
		_, err := redis.Open(ctx, u, redis.Options{})
		if !errors.Is(err, persistence.ErrInvalid) || strings.Contains(err.Error(), secret) {
			t.Errorf("Open(malformed): err = %v, want ErrInvalid without the password", err)
		}
	}
	// An unreachable server: a typed error within the deadline, without
	// the password.
	port := servertest.FreePort(t)
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := redis.Open(cctx, "redis://user:"+secret+"@127.0.0.1:"+port+"/0", redis.Options{})
	if !errors.Is(err, persistence.ErrUnavailable) || strings.Contains(err.Error(), secret) {
		t.Fatalf("Open(unreachable): err = %v, want ErrUnavailable without the password", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("Open(unreachable) took %v, want within its 2s deadline", el)
	}
}

// TestPasswordNotInErrors checks a wrong password against the real server:
// the server refuses it, and the error does not repeat it.
func TestPasswordNotInErrors(t *testing.T) {
	u := url(t)
	const secret = "wrong-pa55word-xyz"
	withPass := strings.Replace(u, "redis://", "redis://nobody:"+secret+"@", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := redis.Open(ctx, withPass, redis.Options{})
	if err == nil {
		t.Fatal("Open with a wrong user and password succeeded")
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(fmtAll(err), secret) {
		t.Fatalf("the error shows the password: %v", err)
	}
}

// fmtAll prints err the ways a log would.
func fmtAll(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		b.WriteString(e.Error())
	}
	return b.String()
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
