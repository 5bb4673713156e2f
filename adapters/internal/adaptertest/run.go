package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
)

// Server is the table's routes mounted by a harness and served on
// loopback by scopehttp.Serve.
type Server struct {
	URL    string
	App    *appscope.App[Env]
	Events *Events
	Logs   *LogBuffer
	Client *http.Client

	stop    context.CancelFunc
	served  chan error
	stopped bool
}

// Start builds the App from AppLayer, mounts the routes with h and serves
// them on 127.0.0.1 with the given grace period. The server is stopped at
// the end of the test if the test did not stop it.
func Start(t testing.TB, h Harness, grace time.Duration) *Server {
	t.Helper()
	ev := NewEvents()
	app, err := appscope.Build(context.Background(), AppLayer(ev), appscope.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	ad := scopehttp.New(app, scopehttp.Options{Status: Status, Logger: logs.Logger()})
	handler := h.Mount(ad, Routes())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		URL: "http://" + ln.Addr().String(), App: app, Events: ev, Logs: logs,
		Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		stop:   cancel, served: make(chan error, 1),
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { s.served <- scopehttp.Serve(ctx, srv, ln, app, scopehttp.ServeOptions{Grace: grace}) }()
	t.Cleanup(func() {
		if !s.stopped {
			if err := s.Stop(); err != nil {
				t.Errorf("stopping the server: %v", err)
			}
		}
	})
	return s
}

// Stop cancels Serve's context, waits for Serve to return and returns its
// error.
func (s *Server) Stop() error {
	s.stopped = true
	s.stop()
	err := <-s.served
	s.Client.CloseIdleConnections()
	return err
}

// Get sends a request with the test id tid and returns the status, the
// headers and the body.
func (s *Server) Get(ctx context.Context, method, path, tid string) (int, http.Header, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, nil)
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("X-Test-ID", tid)
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b), err
}

// Run runs the whole table against h.
func Run(t *testing.T, h Harness) {
	RunRequests(t, h)
	t.Run("graceful shutdown", func(t *testing.T) { testShutdown(t, h) })
	t.Run("refused while stopping", func(t *testing.T) { testRefused(t, h) })
	t.Run("1000 concurrent requests", func(t *testing.T) { testConcurrent(t, h) })
}

// RunRequests runs the part of the table about single requests: status
// mapping, request scopes, client disconnects.
func RunRequests(t *testing.T, h Harness) {
	t.Run("status", func(t *testing.T) { testStatus(t, h) })
	t.Run("request scope", func(t *testing.T) { testRequestScope(t, h) })
	t.Run("client disconnect", func(t *testing.T) { testDisconnect(t, h) })
}

func testStatus(t *testing.T, h Harness) {
	s := Start(t, h, time.Second)
	tests := []struct {
		method, path string
		status       int
		body         string // a part of the body, if not empty
		header       string // a header that must be set
	}{
		{"GET", "/ok", 200, "hello", ""},
		{"GET", "/users/42", 200, "user 42", ""},
		{"POST", "/json", 201, `{"n":1}`, "X-Made"},
		{"GET", "/typed", 404, "", ""},
		{"GET", "/status", 409, "version conflict", ""},
		{"GET", "/timeout", 503, "", ""},
		{"GET", "/upstream", 504, "", ""},
		{"GET", "/defect", 500, "", ""},
		{"GET", "/builder-panic", 500, "", ""},
		{"GET", "/breaker", 503, "", "Retry-After"},
		{"GET", "/badjson", 500, "", ""},
		{"GET", "/nil", 500, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			status, hdr, body, err := s.Get(testCtx(t), tt.method, tt.path, "status")
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.status {
				t.Errorf("status: got %d, want %d (body %q)", status, tt.status, body)
			}
			if tt.body != "" && !strings.Contains(body, tt.body) {
				t.Errorf("body: got %q, want it to contain %q", body, tt.body)
			}
			if tt.header != "" && hdr.Get(tt.header) == "" {
				t.Errorf("header %s missing: %v", tt.header, hdr)
			}
			if strings.Contains(body, secret) || strings.Contains(body, "goroutine") {
				t.Errorf("the body leaks the failure: %q", body)
			}
		})
	}
	if !s.Logs.Contains("defect in request", secret, ".go:") {
		t.Errorf("the defect and its stack were not logged:\n%s", s.Logs)
	}
}

func testRequestScope(t *testing.T, h Harness) {
	s := Start(t, h, time.Second)
	_, _, body, err := s.Get(testCtx(t), "GET", "/scope", "scope")
	if err != nil {
		t.Fatal(err)
	}
	var reqScope, parent uint64
	if _, err := fmt.Sscan(body, &reqScope, &parent); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if got, want := parent, uint64(s.App.Scope().ID()); got != want {
		t.Errorf("the request scope's parent: got scope #%d, want the application scope #%d", got, want)
	}
	if reqScope == parent {
		t.Errorf("the effect ran in the application scope, not in a request scope")
	}

	// A fiber forked by a request that has answered ends with the request.
	status, _, _, err := s.Get(testCtx(t), "GET", "/fork", "f1")
	if err != nil || status != 200 {
		t.Fatalf("GET /fork: %d %v", status, err)
	}
	s.Events.WaitFor(t, "fork finalizer f1")
	if n := s.Events.Count("fork finalizer f1"); n != 1 {
		t.Errorf("the forked fiber's finalizer ran %d times, want 1", n)
	}
}

func testDisconnect(t *testing.T, h Harness) {
	s := Start(t, h, time.Second)
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() {
		_, _, _, err := s.Get(ctx, "GET", "/hang", "d1")
		done <- err
	}()
	s.Events.WaitFor(t, "hang started d1")

	// The request is listed while in flight, with its fiber and scope.
	var found bool
	for _, r := range s.App.Requests() {
		if r.Label == "GET /hang" {
			found = true
			if r.Fiber == 0 || r.Scope == 0 {
				t.Errorf("request info without fiber or scope: %+v", r)
			}
		}
	}
	if !found {
		t.Errorf("GET /hang not among the requests in flight: %+v", s.App.Requests())
	}

	cancel() // the client goes away
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("client error: got %v, want context.Canceled", err)
	}
	s.Events.WaitFor(t, "hang finalizer d1")
	s.Events.WaitFor(t, "hang child finalizer d1")
	for _, ev := range []string{"hang finalizer d1", "hang child finalizer d1"} {
		if n := s.Events.Count(ev); n != 1 {
			t.Errorf("%s: ran %d times, want 1", ev, n)
		}
	}
}

func testShutdown(t *testing.T, h Harness) {
	const grace = 700 * time.Millisecond
	s := Start(t, h, grace)
	type result struct {
		status int
		body   string
		err    error
	}
	get := func(tid string) chan result {
		ch := make(chan result, 1)
		go func() {
			status, _, body, err := s.Get(testCtx(t), "GET", "/slow", tid)
			ch <- result{status, body, err}
		}()
		return ch
	}
	fast, stuck := get("fast"), get("stuck")
	s.Events.WaitFor(t, "slow started fast")
	s.Events.WaitFor(t, "slow started stuck")

	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop() }()
	// Within the grace period, a request that finishes answers normally.
	s.Events.Add("release fast")
	if r := <-fast; r.err != nil || r.status != 200 || r.body != "slow done fast" {
		t.Errorf("request finished within the grace period: got %d %q %v, want 200", r.status, r.body, r.err)
	}
	// After it, the stuck one is interrupted and answered 503.
	if r := <-stuck; r.err != nil || r.status != 503 {
		t.Errorf("request still running after the grace period: got %d %q %v, want 503", r.status, r.body, r.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if elapsed := time.Since(start); elapsed < grace {
		t.Errorf("the stuck request was interrupted after %v, before the grace period of %v", elapsed, grace)
	}
	// The stuck request's finalizer ran, then the layers were released in
	// reverse order.
	fin, cache, db := s.Events.Index("slow finalizer stuck"), s.Events.Index("close cache"), s.Events.Index("close db")
	if fin < 0 || cache < 0 || db < 0 || fin >= cache || cache >= db {
		t.Errorf("shutdown order: got %q, want the stuck request's finalizer, then close cache, then close db", s.Events.List())
	}
	if s.App.InFlight() != 0 {
		t.Errorf("requests in flight after the shutdown: %d", s.App.InFlight())
	}
}

func testRefused(t *testing.T, h Harness) {
	ev := NewEvents()
	app, err := appscope.Build(context.Background(), AppLayer(ev), appscope.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ad := scopehttp.New(app, scopehttp.Options{Logger: (&LogBuffer{}).Logger()})
	handler := h.Mount(ad, Routes())
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/ok", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Connection") != "close" {
		t.Errorf("request after the shutdown: got %d %v, want 503 with Connection: close", rec.Code, rec.Header())
	}
}

func testConcurrent(t *testing.T, h Harness) {
	const n = 1000
	s := Start(t, h, time.Second)
	s.Client.Transport.(*http.Transport).MaxIdleConnsPerHost = n
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			tid := "c" + strconv.Itoa(i)
			status, _, body, err := s.Get(testCtx(t), "GET", "/fork", tid)
			if err == nil && (status != 200 || body != "forked") {
				err = fmt.Errorf("request %s: got %d %q", tid, status, body)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range n {
		s.Events.WaitFor(t, "fork finalizer c"+strconv.Itoa(i))
	}
	// A connection the client dialed but never used (a dial that lost the
	// race to an idle connection) is new to the server, which Shutdown
	// waits 5 s for: close the client's idle connections first, as a
	// client that is done would.
	s.Client.CloseIdleConnections()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t)
}
