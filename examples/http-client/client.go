package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// StatusError is the failure of a request that the server answered with a
// status other than 200.
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string { return fmt.Sprintf("quotes: HTTP %d: %s", e.Code, e.Body) }

// Retryable reports whether a failed attempt may succeed if tried again: a
// 5xx or a 429, a timeout, a connection error. A 4xx will not change, and
// a refusal of the open breaker means "not now" for longer than a retry
// waits.
func Retryable(err error) bool {
	var se *StatusError
	switch {
	case errors.Is(err, resource.ErrBreakerOpen):
		return false
	case errors.As(err, &se):
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests
	default:
		return true
	}
}

// CountsAgainstService tells the breaker which failures say the service is
// unwell: not a 4xx, which is an answer about the request.
func CountsAgainstService(err error) bool {
	var se *StatusError
	return !errors.As(err, &se) || se.Code >= 500 || se.Code == http.StatusTooManyRequests
}

// Quotes is a client of the quote service with its policies. Build one
// with NewQuotes in the scope that owns its breaker.
type Quotes struct {
	client  *http.Client
	base    string
	breaker *resource.CircuitBreaker
	// Attempt bounds each attempt; Policy decides the retries.
	Attempt time.Duration
	Policy  schedule.Schedule[time.Duration]
}

// Get returns an effect that fetches the quote of sym: each attempt with
// a timeout, seen by the breaker, retried while Retryable says so:
// Retry(Breaker(Timeout(attempt))).
func (q *Quotes) Get(sym string) eff.Effect[string] {
	attempt := eff.Try(func(ctx context.Context) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, q.base+"/quote/"+sym, nil)
		if err != nil {
			return "", err
		}
		resp, err := q.client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", &StatusError{Code: resp.StatusCode, Body: string(body)}
		}
		return string(body), nil
	})
	return q.breaker.Execute(attempt.Timeout(q.Attempt)).Retry(q.Policy)
}

// NewQuotes returns an effect that makes a client of the service at base,
// its breaker owned by the current scope. Its idle connections are closed
// when the scope closes. log receives the breaker's changes of state and
// the retries.
func NewQuotes(base string, resetTimeout time.Duration, log func(string, ...any)) eff.Effect[*Quotes] {
	transport := eff.Acquire(func(context.Context) (*http.Transport, error) { return &http.Transport{}, nil },
		func(_ context.Context, t *http.Transport) error { t.CloseIdleConnections(); return nil })
	return transport.FlatMap(func(t *http.Transport) eff.Effect[*Quotes] {
		return resource.NewCircuitBreaker[any, error](resource.BreakerOptions{
			Name:             "quotes",
			FailureThreshold: 3,
			ResetTimeout:     resetTimeout,
			IsFailure:        CountsAgainstService,
			OnStateChange: func(name string, from, to resource.BreakerState) {
				log("  breaker %s: %s -> %s", name, from, to)
			},
		}).Map(func(cb *resource.CircuitBreaker) *Quotes {
			return &Quotes{
				client:  &http.Client{Transport: t},
				base:    base,
				breaker: cb,
				Attempt: 200 * time.Millisecond,
				Policy: schedule.Exponential(20 * time.Millisecond).
					Capped(time.Second).
					Intersect(schedule.Recurs(4)).
					WhileInput(Retryable).
					Tap(func(d schedule.Decision[time.Duration]) {
						if d.Continue {
							log("  client: attempt %d failed (%v), retrying", d.Attempt, d.Input)
						}
					}),
			}
		})
	})
}
