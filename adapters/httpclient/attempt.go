package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gogoscope/gogoscope/adapters/internal/policy"
	"github.com/gogoscope/gogoscope/effect"
)

// attempt returns the effect of one attempt at req: it sends a copy of req
// (with a fresh body from GetBody after the first) through the base
// transport, within the attempt's time limit and holding a permit of the
// limit, and succeeds with the response or fails with a network error or
// a *StatusError.
func (t *Transport) attempt(req *http.Request, tr *tracker) effect.Effect[any, error, *http.Response] {
	n := 0
	d := t.opts.AttemptTimeout
	send := func(release func()) effect.Effect[any, error, *http.Response] {
		return effect.Try[any](func(tryCtx context.Context) (*http.Response, error) {
			n++
			// The attempt's context is a child of the request's, not of
			// tryCtx: tryCtx ends when this function returns, and the body
			// is read after that.
			ctx, cancel := context.WithCancelCause(req.Context())
			stop := context.AfterFunc(tryCtx, func() { cancel(context.Cause(tryCtx)) })
			var timer *time.Timer
			if d > 0 {
				timer = time.AfterFunc(d, func() { cancel(&effect.TimeoutError{After: d}) })
			}
			r := req.WithContext(ctx)
			if n > 1 && req.Body != nil && req.Body != http.NoBody {
				b, err := req.GetBody()
				if err != nil {
					stop()
					cancel(nil)
					release()
					return nil, fmt.Errorf("httpclient: GetBody for attempt %d: %w", n, err)
				}
				r = req.Clone(ctx)
				r.Body = b
			}
			tr.mu.Lock()
			tr.sent = true
			tr.mu.Unlock()
			resp, err := t.base.RoundTrip(r)
			stop()
			fired := timer != nil && !timer.Stop()
			if err == nil && fired {
				// The headers came as the time ran out: the context is
				// cancelled, so the body cannot be read. Count it as late.
				resp.Body.Close()
				err = context.Canceled
			}
			if err != nil {
				cancel(nil)
				release()
				var te *effect.TimeoutError
				if errors.As(context.Cause(ctx), &te) && req.Context().Err() == nil {
					return nil, &attemptTimeout{after: d, err: err}
				}
				return nil, err
			}
			resp.Body = &body{ReadCloser: resp.Body, cancel: cancel, release: release}
			tr.add(resp)
			if t.failure(resp.StatusCode) {
				return nil, &StatusError{Response: resp}
			}
			return resp, nil
		})
	}
	sem := t.opts.Limit
	if sem == nil {
		return send(func() {})
	}
	// Taking the permit and handing it on (to the response's body, or back
	// to the semaphore) is uninterruptible; only the wait and the send
	// are interruptible. An attempt interrupted before it sent anything
	// gives the permit back on its way out.
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[any, error, *http.Response] {
		return effect.AndThen(restore.Apply(sem.Acquire[any, error](1)),
			effect.Suspend(func() effect.Effect[any, error, *http.Response] {
				var once sync.Once
				release := func() { once.Do(func() { sem.Release(1) }) }
				return effect.OnError(restore.Apply(send(release)), func(c effect.Cause[error]) effect.Effect[any, error, struct{}] {
					var se *StatusError
					if !errors.As(c, &se) { // a failure status's body holds the permit
						release()
					}
					return effect.Unit[any, error]()
				})
			}))
	})
}

// attemptTimeout is the failure of an attempt that ran past
// Options.AttemptTimeout. It matches *effect.TimeoutError,
// effect.ErrTimeout and context.DeadlineExceeded.
type attemptTimeout struct {
	after time.Duration
	err   error
}

func (e *attemptTimeout) Error() string {
	return fmt.Sprintf("httpclient: attempt timed out after %v: %v", e.after, e.err)
}

func (e *attemptTimeout) Unwrap() []error {
	return []error{&effect.TimeoutError{After: e.after}, e.err}
}

// decide tells whether the failed attempt may be retried, and what the
// server asked to wait.
func (t *Transport) decide(req *http.Request) policy.Decide {
	return func(err error) (bool, time.Duration) {
		if req.Context().Err() != nil {
			return false, 0
		}
		var se *StatusError
		if errors.As(err, &se) {
			code := se.Response.StatusCode
			retry := code == http.StatusTooManyRequests || code == http.StatusBadGateway ||
				code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
			if t.opts.RetryStatus != nil {
				retry = t.opts.RetryStatus(code)
			}
			if !retry {
				return false, 0
			}
			after, ok := RetryAfter(se.Response.Header, time.Now())
			if !ok || after > t.opts.MaxRetryAfter {
				return false, 0
			}
			return true, after
		}
		return Retryable(err), 0
	}
}

// RetryAfter returns the delay that a Retry-After header asks for, in
// seconds or as an HTTP date (a date in the past asks for none), and true;
// or 0 and true when there is no header; or 0 and false when the header is
// malformed (the answer is then not retried).
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, true
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(time.Duration(1<<63-1)/time.Second) {
			return time.Duration(1<<63 - 1), true
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}

// Retryable reports whether err, a network error of an attempt, is worth
// another attempt: a refused, reset or broken connection, an unexpected
// end of the response, an attempt or dial timeout. Errors of certificates
// are not, nor anything that an attempt again would meet again.
func Retryable(err error) bool {
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	switch {
	case errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &hne), errors.As(err, &cie):
		return false
	case errors.Is(err, effect.ErrTimeout), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}
