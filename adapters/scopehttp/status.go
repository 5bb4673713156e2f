package scopehttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// StatusError is a failure that says its own status code and the message
// to send to the client. Fail an effect with it (built by [NewError]) for
// the expected failures of a handler: 404 for a missing record, 409 for a
// conflict. Err, if set, is the underlying error: logged for a 5xx,
// never sent.
type StatusError struct {
	Code    int
	Message string
	Err     error
}

// NewError returns a *StatusError with code and message. The message is
// sent to the client as it is (escaped by whoever renders it): put no
// secret in it. It panics if code is not a 4xx or 5xx status.
func NewError(code int, message string) *StatusError {
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("scopehttp.NewError: code must be a 4xx or 5xx status, got %d", code))
	}
	return &StatusError{Code: code, Message: message}
}

// Error returns "scopehttp: <code> <message>" and the underlying error.
func (e *StatusError) Error() string {
	msg := "scopehttp: " + strconv.Itoa(e.Code) + " " + e.Message
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns Err.
func (e *StatusError) Unwrap() error { return e.Err }

// Outcome is how a failed request is answered, as [Adapter.Outcome]
// decides it.
type Outcome struct {
	// Status is the status code to answer with; 0 when no answer is to be
	// written (the client has gone).
	Status int
	// Message is what to send as the body: the message of a
	// [*StatusError], else the status text. Never the error itself.
	Message string
	// Header holds the headers to add: Retry-After for an open breaker,
	// Connection: close during a shutdown.
	Header http.Header
	// Err is the failure, as [appscope.App.Run] returned it.
	Err error
	// Defect is the first defect of the failure, if any: its stack is
	// logged, never sent.
	Defect *effect.Defect
}

// outcome classifies err, the failure of the request r whose client
// context was clientCtx. The order of the rules is the documented one
// (see the package doc).
func outcome(clientCtx context.Context, err error, custom func(error) int) Outcome {
	o := Outcome{Err: err}
	var d *effect.Defect
	if errors.As(err, &d) {
		o.Defect = d
	}
	interrupted := errors.Is(err, effect.ErrInterrupted)
	switch {
	case interrupted && clientCtx.Err() != nil && !errors.Is(err, appscope.ErrShutdown) && !errors.Is(err, appscope.ErrCanceled):
		// The client went away: there is no one to answer.
		return o
	case custom != nil && o.Defect == nil:
		if code := custom(err); code != 0 {
			o.Status = code
		}
	}
	var se *StatusError
	var be *resource.BreakerOpenError
	var te *effect.TimeoutError
	if o.Status == 0 {
		switch {
		case o.Defect != nil:
			o.Status = http.StatusInternalServerError
		case errors.As(err, &se):
			o.Status, o.Message = se.Code, se.Message
		case errors.Is(err, appscope.ErrShutdown):
			o.Status = http.StatusServiceUnavailable
			o.Header = http.Header{"Connection": {"close"}}
		case errors.As(err, &be):
			o.Status = http.StatusServiceUnavailable
			if !be.RetryAt.IsZero() {
				secs := int(time.Until(be.RetryAt).Round(time.Second) / time.Second)
				o.Header = http.Header{"Retry-After": {strconv.Itoa(max(secs, 1))}}
			}
		case errors.As(err, &te), interrupted:
			// The handler's own time limit (as http.TimeoutHandler), an
			// operator's cancel, or an interruption from elsewhere.
			o.Status = http.StatusServiceUnavailable
		case errors.Is(err, context.DeadlineExceeded):
			// A deadline of a call the handler made upstream.
			o.Status = http.StatusGatewayTimeout
		default:
			o.Status = http.StatusInternalServerError
		}
	}
	if o.Message == "" {
		o.Message = http.StatusText(o.Status)
	}
	return o
}
