// Package httpclient is an http.RoundTripper with policies: each request
// runs as an effect with a time limit per attempt, a concurrency limit, a
// circuit breaker and the retry of idempotent requests, with a schedule
// that honours Retry-After.
//
//	cb, _ := app.Acquire(ctx, resource.NewCircuitBreaker[Env, error](resource.BreakerOptions{Name: "billing"}))
//	t := httpclient.New(httpclient.Options{AttemptTimeout: 2 * time.Second, Breaker: cb})
//	client := &http.Client{Transport: t}
//
// What it does, from the inside out (docs/resilience.md says why in this
// order):
//
//  1. Each attempt has a time limit (Options.AttemptTimeout) from sending
//     the request to receiving the response's headers; reading the body is
//     bounded by the request's context only, as with http.Client.
//  2. A semaphore (Options.Limit) bounds the requests in flight: an attempt
//     holds a permit until its response's body is closed.
//  3. A circuit breaker (Options.Breaker) counts network errors and failure
//     statuses (429 and 5xx by default) and, while open, refuses requests
//     at once with its *resource.BreakerOpenError.
//  4. An idempotent request (GET, HEAD, OPTIONS, TRACE, PUT, DELETE, or
//     any with an Idempotency-Key header) whose attempt failed with a
//     network error, a timeout, or 429, 502, 503 or 504 is sent again, after
//     the longer of the schedule's delay and the server's Retry-After (up
//     to Options.MaxRetryAfter), never past the request's deadline. A POST
//     is never retried by default. A body is sent again through GetBody.
//
// Between attempts, the discarded response's body is drained (up to
// Options.DrainLimit, so its connection can be reused) and closed. When
// RoundTrip returns, every response it does not return has been closed,
// whatever happened (an interruption in the middle of a retry included),
// and so has the request's body. A response with a failure status is
// returned as a response after the last attempt, not as an error, as
// net/http does.
//
// The Transport starts no goroutine: each request's effect runs on the
// caller's goroutine, in the Transport's runtime. Its breaker and
// semaphore are resources of a scope, made by the caller in the
// application scope (appscope.App.Acquire) or in a layer, so that they
// live as long as the client.
//
// # Which to use
//
//   - Use a Transport for calls to services that may fail or be slow:
//     give it a breaker per service, and a limit when the service must not
//     see more than N requests at once.
//   - Use Options.Idempotent to mark the POST endpoints that are safe to
//     retry (or send an Idempotency-Key), and Options.FailureStatus and
//     RetryStatus when a service says "try again" differently.
//   - Use plain effects (effect.Try with http.Client.Do, .Retry, .Timeout)
//     when the retry decision depends on the response's body.
package httpclient
