package httpclient_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tracking is a base transport that counts the response bodies it hands
// out and those closed.
type tracking struct {
	base           http.RoundTripper
	opened, closed atomic.Int64
}

func (tr *tracking) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	tr.opened.Add(1)
	resp.Body = &countedBody{ReadCloser: resp.Body, closed: &tr.closed}
	return resp, nil
}

func (tr *tracking) CloseIdleConnections() {
	if c, ok := tr.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// checkAllClosed fails t unless every body handed out was closed.
func (tr *tracking) checkAllClosed(t *testing.T) {
	t.Helper()
	if o, c := tr.opened.Load(), tr.closed.Load(); o != c {
		t.Errorf("response bodies: %d opened, %d closed", o, c)
	}
}

type countedBody struct {
	io.ReadCloser
	once   sync.Once
	closed *atomic.Int64
}

func (b *countedBody) Close() error {
	b.once.Do(func() { b.closed.Add(1) })
	return b.ReadCloser.Close()
}

// server is a loopback server whose handlers count their calls.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
	bodies []string
}

func (s *server) count(r *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[r.Method+" "+r.URL.Path]++
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		s.bodies = append(s.bodies, string(b))
	}
	return s.counts[r.Method+" "+r.URL.Path]
}

func (s *server) calls(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[key]
}

func newServer(t *testing.T) *server {
	s := &server{counts: map[string]int{}}
	mux := http.NewServeMux()
	// flaky answers 503 with Retry-After: 1 once, then 200.
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if s.count(r) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	})
	// quickflaky answers 503 once, then 200.
	mux.HandleFunc("/quickflaky", func(w http.ResponseWriter, r *http.Request) {
		if s.count(r) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/always503", func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		w.Header().Set("Retry-After", "0")
		http.Error(w, strings.Repeat("busy", 100), http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/wait503", func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		io.WriteString(w, "ok")
	})
	// stall hangs on its first call until the client gives up.
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		if s.count(r) == 1 {
			<-r.Context().Done()
			s.mu.Lock()
			s.counts["stall cancelled"]++
			s.mu.Unlock()
			return
		}
		io.WriteString(w, "ok")
	})
	// slowbody sends its headers at once and its body after 400 ms.
	mux.HandleFunc("/slowbody", func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "first ")
		w.(http.Flusher).Flush()
		select {
		case <-time.After(400 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "second")
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// trackedBody is a request body that records its closing.
type trackedBody struct {
	*strings.Reader
	closed *atomic.Int64
}

func (b trackedBody) Close() error { b.closed.Add(1); return nil }

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
