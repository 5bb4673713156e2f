package scopehttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Response is what a request effect produces: a value that writes itself
// to the response. The effect builds it; the adapter writes it after the
// effect has ended, on the handler's goroutine, so no fiber writes to the
// connection. [JSON], [Text], [Blob], [Empty] and [Redirect] make the
// common ones; [ResponseFunc] writes by hand (a stream, a file).
//
// WriteResponse returns an error if it could not write the response. If
// the error wraps [ErrNotWritten], nothing was written, and the adapter
// answers with a 500 instead; any other error is logged (the status line
// is gone already).
type Response interface {
	WriteResponse(w http.ResponseWriter, r *http.Request) error
}

// ErrNotWritten marks the error of a [Response] that failed before writing
// anything, such as a JSON value that cannot be encoded.
var ErrNotWritten = errors.New("scopehttp: response not written")

// Reply is a response held in memory: a status, headers and a body.
// The constructors fill it; [Reply.With] adds a header.
type Reply struct {
	Status int
	// ContentType is sent as the Content-Type header, if not empty.
	ContentType string
	// Header holds other headers to send.
	Header http.Header
	Body   []byte
	err    error
}

// WriteResponse writes the headers, the status and the body. A Reply made
// by [JSON] of a value that cannot be encoded writes nothing and returns
// an error wrapping [ErrNotWritten].
func (p Reply) WriteResponse(w http.ResponseWriter, _ *http.Request) error {
	if p.err != nil {
		return p.err
	}
	h := w.Header()
	for k, vs := range p.Header {
		h[k] = append(h[k][:0:0], vs...)
	}
	if p.ContentType != "" {
		h.Set("Content-Type", p.ContentType)
	}
	w.WriteHeader(p.Status)
	if len(p.Body) == 0 {
		return nil
	}
	_, err := w.Write(p.Body)
	return err
}

// With returns a copy of p with the header key set to value (replacing
// any value it had).
func (p Reply) With(key, value string) Reply {
	h := make(http.Header, len(p.Header)+1)
	for k, vs := range p.Header {
		h[k] = vs
	}
	h.Set(key, value)
	p.Header = h
	return p
}

func checkStatus(fn string, status int) {
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("scopehttp.%s: status must be a 3-digit HTTP status code, got %d", fn, status))
	}
}

// JSON returns a reply with status and v encoded as JSON (with
// Content-Type application/json). v is encoded at once, on the fiber that
// calls JSON; if it cannot be, the reply writes nothing and the adapter
// answers 500. It panics if status is not a 3-digit code.
func JSON(status int, v any) Reply {
	checkStatus("JSON", status)
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return Reply{err: fmt.Errorf("scopehttp: encode %T as JSON: %w (%w)", v, err, ErrNotWritten)}
	}
	return Reply{Status: status, ContentType: "application/json", Body: buf.Bytes()}
}

// Text returns a reply with status and s as a text/plain body in UTF-8. It
// panics if status is not a 3-digit code.
func Text(status int, s string) Reply {
	checkStatus("Text", status)
	return Reply{Status: status, ContentType: "text/plain; charset=utf-8", Body: []byte(s)}
}

// Blob returns a reply with status, the content type ct and the body b,
// which it does not copy. It panics if status is not a 3-digit code.
func Blob(status int, ct string, b []byte) Reply {
	checkStatus("Blob", status)
	return Reply{Status: status, ContentType: ct, Body: b}
}

// Empty returns a reply with status and no body, such as 204 No Content.
// It panics if status is not a 3-digit code.
func Empty(status int) Reply {
	checkStatus("Empty", status)
	return Reply{Status: status}
}

// Redirect returns a reply that redirects to url with status, which must
// be a 3xx code (it panics otherwise). url is sent as the Location header
// as it is: build it from trusted parts.
func Redirect(status int, url string) Reply {
	if status < 300 || status > 399 {
		panic(fmt.Sprintf("scopehttp.Redirect: status must be a 3xx code, got %d", status))
	}
	return Reply{Status: status, Header: http.Header{"Location": {url}}}
}

// ResponseFunc is a [Response] written by a function: for bodies that are
// streamed, files, or anything a [Reply] cannot hold. It runs on the
// handler's goroutine after the effect has ended, so it may block on the
// connection; it should watch r.Context() if it writes for long.
type ResponseFunc func(w http.ResponseWriter, r *http.Request) error

// WriteResponse calls f.
func (f ResponseFunc) WriteResponse(w http.ResponseWriter, r *http.Request) error { return f(w, r) }
