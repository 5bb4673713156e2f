package httpclient_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"

	"github.com/gogoscope/gogoscope/adapters/httpclient"
	"github.com/gogoscope/gogoscope/resource"
)

// newTransport returns a Transport over a tracking base, whose bodies are
// all checked closed at the end of the test.
func newTransport(t *testing.T, opts httpclient.Options) (*httpclient.Transport, *tracking) {
	base := &tracking{base: &http.Transport{}}
	opts.Base = base
	tr := httpclient.New(opts)
	t.Cleanup(func() {
		base.checkAllClosed(t)
		tr.CloseIdleConnections()
	})
	return tr, base
}

func get(t *testing.T, tr http.RoundTripper, ctx context.Context, method, url string, body io.Reader) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return tr.RoundTrip(req)
}

func TestRetriesA503WithRetryAfter(t *testing.T) {
	s := newServer(t)
	var delays []time.Duration
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(3),
		OnRetry: func(_ *http.Request, _ int, _ error, d time.Duration) { delays = append(delays, d) }})
	start := time.Now()
	resp, err := get(t, tr, testCtx(t), "GET", s.URL+"/flaky", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || read(t, resp) != "ok" {
		t.Errorf("got %d, want the retry's 200", resp.StatusCode)
	}
	if n := s.calls("GET /flaky"); n != 2 {
		t.Errorf("server calls: %d, want 2", n)
	}
	if len(delays) != 1 || delays[0] != time.Second {
		t.Errorf("delays: got %v, want the server's Retry-After of 1s", delays)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("retried after %v, before the server's Retry-After of 1s", elapsed)
	}
}

func TestNeverRetriesAPostByDefault(t *testing.T) {
	s := newServer(t)
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(3)})
	resp, err := get(t, tr, testCtx(t), "POST", s.URL+"/quickflaky", strings.NewReader("order"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || !strings.Contains(read(t, resp), "busy") {
		t.Errorf("got %d, want the 503 itself", resp.StatusCode)
	}
	if n := s.calls("POST /quickflaky"); n != 1 {
		t.Errorf("a POST was sent %d times", n)
	}
}

func TestRetriesAPostWithAnIdempotencyKey(t *testing.T) {
	s := newServer(t)
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(3)})
	req, _ := http.NewRequestWithContext(testCtx(t), "POST", s.URL+"/quickflaky", strings.NewReader("order"))
	req.Header.Set("Idempotency-Key", "k1")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || read(t, resp) != "ok" {
		t.Errorf("got %d", resp.StatusCode)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bodies) != 2 || s.bodies[0] != "order" || s.bodies[1] != "order" {
		t.Errorf("bodies received: %q, want the same body twice", s.bodies)
	}
}

func TestABodyIsSentAgainAndEveryCopyClosed(t *testing.T) {
	s := newServer(t)
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(3)})
	var closed, made atomic.Int64
	body := func() io.ReadCloser { made.Add(1); return trackedBody{strings.NewReader("payload"), &closed} }
	req, _ := http.NewRequestWithContext(testCtx(t), "PUT", s.URL+"/quickflaky", body())
	req.GetBody = func() (io.ReadCloser, error) { return body(), nil }
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	read(t, resp)
	if made.Load() != 2 || closed.Load() != made.Load() {
		t.Errorf("request bodies: %d made, %d closed; want 2 and 2", made.Load(), closed.Load())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bodies) != 2 || s.bodies[1] != "payload" {
		t.Errorf("bodies received: %q", s.bodies)
	}
}

func TestABodyThatCannotBeSentAgainIsNotRetried(t *testing.T) {
	s := newServer(t)
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(3)})
	var closed atomic.Int64
	req, _ := http.NewRequestWithContext(testCtx(t), "PUT", s.URL+"/quickflaky", nil)
	req.Body = trackedBody{strings.NewReader("payload"), &closed}
	req.ContentLength = 7
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 {
		t.Errorf("got %d, want the 503", resp.StatusCode)
	}
	read(t, resp)
	if n := s.calls("PUT /quickflaky"); n != 1 || closed.Load() != 1 {
		t.Errorf("sent %d times, body closed %d times; want 1 and 1", n, closed.Load())
	}
}

func TestAttemptTimeout(t *testing.T) {
	s := newServer(t)
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(3), AttemptTimeout: 200 * time.Millisecond})
	resp, err := get(t, tr, testCtx(t), "GET", s.URL+"/stall", nil)
	if err != nil {
		t.Fatal(err)
	}
	if read(t, resp) != "ok" || s.calls("GET /stall") != 2 {
		t.Errorf("want the second attempt's answer")
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.calls("stall cancelled") != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if s.calls("stall cancelled") != 1 {
		t.Errorf("the server never saw the timed-out attempt cancelled")
	}
}

func TestTheBodyOutlivesTheAttemptTimeout(t *testing.T) {
	s := newServer(t)
	tr, _ := newTransport(t, httpclient.Options{AttemptTimeout: 200 * time.Millisecond})
	resp, err := get(t, tr, testCtx(t), "GET", s.URL+"/slowbody", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, resp); got != "first second" {
		t.Errorf("body: got %q; the attempt's time limit cut the body short", got)
	}
}

func TestBreakerOpensAndRefuses(t *testing.T) {
	s := newServer(t)
	cb := adaptertest.Owned(t, resource.NewCircuitBreaker[any, error](resource.BreakerOptions{Name: "svc", FailureThreshold: 2, ResetTimeout: time.Hour}))
	tr, _ := newTransport(t, httpclient.Options{Breaker: cb})
	for range 2 {
		resp, err := get(t, tr, testCtx(t), "POST", s.URL+"/always503", nil)
		if err != nil || resp.StatusCode != 503 {
			t.Fatalf("got %v, %v", resp, err)
		}
		read(t, resp)
	}
	var closed atomic.Int64
	req, _ := http.NewRequestWithContext(testCtx(t), "POST", s.URL+"/always503", nil)
	req.Body = trackedBody{strings.NewReader("x"), &closed}
	_, err := tr.RoundTrip(req)
	var be *resource.BreakerOpenError
	if !errors.As(err, &be) || be.Name != "svc" {
		t.Errorf("got %v, want the breaker's refusal", err)
	}
	if n := s.calls("POST /always503"); n != 2 {
		t.Errorf("the open breaker let a request through: %d calls", n)
	}
	if closed.Load() != 1 {
		t.Errorf("the refused request's body was not closed")
	}
}

func TestLimitHoldsAPermitUntilTheBodyIsClosed(t *testing.T) {
	s := newServer(t)
	sem := adaptertest.Owned(t, resource.NewSemaphore[any, error](1))
	tr, _ := newTransport(t, httpclient.Options{Limit: sem})
	first, err := get(t, tr, testCtx(t), "GET", s.URL+"/ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sem.Available() != 0 {
		t.Fatalf("an open response holds no permit")
	}
	second := make(chan string, 1)
	go func() {
		resp, err := get(t, tr, testCtx(t), "GET", s.URL+"/ok", nil)
		if err != nil {
			second <- err.Error()
			return
		}
		second <- read(t, resp)
	}()
	select {
	case <-second:
		t.Fatal("a second request went out while the first held the only permit")
	case <-time.After(100 * time.Millisecond):
	}
	read(t, first)
	if got := <-second; got != "ok" {
		t.Errorf("second: %q", got)
	}
	if sem.Available() != 1 {
		t.Errorf("permits left: %d, want 1", sem.Available())
	}
}

func TestCancellingDuringTheRetryWaitClosesEverything(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(3),
		OnRetry: func(*http.Request, int, error, time.Duration) { cancel() }})
	_, err := get(t, tr, ctx, "GET", s.URL+"/wait503", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if n := s.calls("GET /wait503"); n != 1 {
		t.Errorf("calls: %d", n)
	}
}

func TestARefusedConnectionIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var retries int
	tr, _ := newTransport(t, httpclient.Options{Retry: adaptertest.Quick(2),
		OnRetry: func(*http.Request, int, error, time.Duration) { retries++ }})
	_, err = get(t, tr, testCtx(t), "GET", "http://"+addr+"/", nil)
	if err == nil || retries != 2 {
		t.Errorf("got %v after %d retries, want a refusal after 2", err, retries)
	}
}

func TestAnInterruptedWaitForAPermitGivesItBack(t *testing.T) {
	s := newServer(t)
	sem := adaptertest.Owned(t, resource.NewSemaphore[any, error](1))
	tr, _ := newTransport(t, httpclient.Options{Limit: sem})
	held, err := get(t, tr, testCtx(t), "GET", s.URL+"/ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	if _, err := get(t, tr, ctx, "GET", s.URL+"/ok", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the request's deadline", err)
	}
	read(t, held)
	if sem.Available() != 1 {
		t.Errorf("permits left: %d, want 1", sem.Available())
	}
}

func TestNewRejectsNegativeOptions(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); !strings.HasPrefix(r, "httpclient.New: AttemptTimeout") {
			t.Errorf("recovered %q", r)
		}
	}()
	httpclient.New(httpclient.Options{AttemptTimeout: -1})
}
