package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/adapters/internal/policy"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// Options configure a [Transport]. The zero value retries idempotent
// requests with the default schedule and has no time limit, no breaker
// and no limit.
type Options struct {
	// Base sends each attempt; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Retry is the schedule of retries; its input is the failed attempt's
	// error (a *StatusError for a failure status). Zero means exponential
	// backoff from 100 ms, capped at 2 s, with full jitter, at most 3
	// retries; schedule.Delays(schedule.Recurs(0)) retries nothing.
	Retry schedule.Schedule[time.Duration]
	// Idempotent tells whether a request may be sent again. Nil means the
	// idempotent methods of RFC 9110 (GET, HEAD, OPTIONS, TRACE, PUT,
	// DELETE), and any request with an Idempotency-Key or
	// X-Idempotency-Key header (as net/http's own Transport decides). A
	// request with a body is retried only if it has GetBody (http.NewRequest
	// sets it for in-memory bodies).
	Idempotent func(*http.Request) bool
	// FailureStatus tells which status codes mean that the server failed:
	// such an attempt fails (a *StatusError), the breaker counts it, and a
	// retry may follow. Nil means 429 and 5xx.
	FailureStatus func(code int) bool
	// RetryStatus tells after which failure statuses an idempotent request
	// is retried. Nil means 429, 502, 503 and 504.
	RetryStatus func(code int) bool
	// MaxRetryAfter is the longest Retry-After the Transport waits: an
	// answer asking for more is returned to the caller as it is. Zero means
	// one minute.
	MaxRetryAfter time.Duration
	// AttemptTimeout bounds each attempt from sending the request to
	// receiving the response's headers; reading the body is bounded by the
	// request's context only. An attempt past it fails with an error that
	// matches *effect.TimeoutError and is retried like a network error.
	// Zero means no bound but the request's context.
	AttemptTimeout time.Duration
	// Breaker, if set, sees every attempt: it counts network errors and
	// failure statuses, and while it is open requests fail at once with
	// its *resource.BreakerOpenError, without reaching the network. Make
	// it in the application scope (see the package doc).
	Breaker *resource.CircuitBreaker
	// Limit, if set, bounds the requests in flight: an attempt holds one
	// permit from sending the request until its response's body is closed.
	// Waiting for a permit is interruptible by the request's context.
	Limit *resource.Semaphore
	// DrainLimit is how many bytes of a discarded response's body are read
	// before it is closed, so that its connection can be reused. Zero means
	// 64 KiB.
	DrainLimit int64
	// OnRetry, if set, is called before each wait between attempts, with
	// the request, the number of the attempt that failed (1 for the
	// first), its error and the delay.
	OnRetry func(req *http.Request, attempt int, err error, delay time.Duration)
	// Runtime runs the policies' effects; nil means a runtime of the
	// Transport's own. The effects run on the caller's goroutine and start
	// no goroutine of their own.
	Runtime *effect.Runtime
}

// Transport is an http.RoundTripper that sends each request as an effect
// with policies, from the inside out: a time limit per attempt, a
// concurrency limit, a circuit breaker, and the retry of idempotent
// requests with a schedule that honours Retry-After (see
// docs/resilience.md for why this order). Between attempts, the body of a
// discarded response is drained and closed; when RoundTrip returns, every
// response but the one it returns has been closed, and so has the
// request's body. A Transport is safe for concurrent use and holds no
// goroutine.
type Transport struct {
	opts  Options
	base  http.RoundTripper
	rt    *effect.Runtime
	retry schedule.Schedule[time.Duration]
}

// New returns a Transport with opts. It panics if a duration or the drain
// limit is negative.
func New(opts Options) *Transport {
	if opts.AttemptTimeout < 0 || opts.MaxRetryAfter < 0 || opts.DrainLimit < 0 {
		panic(fmt.Sprintf("httpclient.New: AttemptTimeout, MaxRetryAfter and DrainLimit must be >= 0, got %v, %v and %d",
			opts.AttemptTimeout, opts.MaxRetryAfter, opts.DrainLimit))
	}
	t := &Transport{opts: opts, base: opts.Base, rt: opts.Runtime, retry: policy.OrDefault(opts.Retry)}
	if t.base == nil {
		t.base = http.DefaultTransport
	}
	if t.rt == nil {
		t.rt = effect.NewRuntime()
	}
	if t.opts.MaxRetryAfter == 0 {
		t.opts.MaxRetryAfter = time.Minute
	}
	if t.opts.DrainLimit == 0 {
		t.opts.DrainLimit = 64 << 10
	}
	return t
}

// Client returns an *http.Client that sends its requests through t.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// CloseIdleConnections closes the idle connections of the base transport,
// if it has such a method.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// StatusError is the failure of an attempt whose response had a failure
// status (see Options.FailureStatus): what the breaker and the retry
// schedule see. RoundTrip never returns it: after the last attempt, the
// response itself is returned.
type StatusError struct {
	Response *http.Response
}

// Error returns "httpclient: <status>".
func (e *StatusError) Error() string { return "httpclient: " + e.Response.Status }

// RoundTrip sends req through the policies and returns the last
// attempt's response, or an error: the last attempt's network error, the
// breaker's *resource.BreakerOpenError, or the request context's error
// when it ended first. A response with a failure status is a response,
// not an error. RoundTrip closes req's body, on every path.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr := &tracker{}
	e := t.attempt(req, tr)
	if t.opts.Breaker != nil {
		e = t.opts.Breaker.Execute(e)
	}
	if t.replayable(req) {
		var onRetry func(int, error, time.Duration)
		if t.opts.OnRetry != nil {
			onRetry = func(n int, err error, d time.Duration) { t.opts.OnRetry(req, n, err, d) }
		}
		deadline, _ := req.Context().Deadline()
		e = policy.Retry(e, t.retry, deadline, t.decide(req), t.discard, onRetry)
	}
	resp, err := t.rt.Run(req.Context(), e, nil)
	var se *StatusError
	if err != nil && errors.As(err, &se) {
		resp, err = se.Response, nil
	}
	tr.closeAllBut(resp)
	if !tr.sent && req.Body != nil {
		req.Body.Close()
	}
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil && errors.Is(err, effect.ErrInterrupted) {
			return nil, ctxErr
		}
		return nil, err
	}
	return resp, nil
}

// replayable reports whether req may be sent more than once.
func (t *Transport) replayable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	if t.opts.Idempotent != nil {
		return t.opts.Idempotent(req)
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

func (t *Transport) failure(code int) bool {
	if t.opts.FailureStatus != nil {
		return t.opts.FailureStatus(code)
	}
	return code == http.StatusTooManyRequests || code >= 500
}

// discard drains and closes the response of a failed attempt that is
// about to be retried.
func (t *Transport) discard(err error) {
	var se *StatusError
	if errors.As(err, &se) {
		_, _ = io.CopyN(io.Discard, se.Response.Body, t.opts.DrainLimit)
		se.Response.Body.Close()
	}
}

// tracker keeps every response the attempts of one RoundTrip produced, so
// that none is left open whatever path the effect took.
type tracker struct {
	mu    sync.Mutex
	resps []*http.Response
	sent  bool // the request's body was handed to the base transport
}

func (tr *tracker) add(resp *http.Response) {
	tr.mu.Lock()
	tr.resps = append(tr.resps, resp)
	tr.mu.Unlock()
}

func (tr *tracker) closeAllBut(keep *http.Response) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, r := range tr.resps {
		if r != keep {
			r.Body.Close() // closing twice is harmless
		}
	}
}

// body is a response body that ends its attempt's context, and gives back
// its permit, when closed.
type body struct {
	io.ReadCloser
	once    sync.Once
	cancel  context.CancelCauseFunc
	release func()
}

func (b *body) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() {
		b.cancel(nil)
		if b.release != nil {
			b.release()
		}
	})
	return err
}
