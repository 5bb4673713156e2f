package httpclient_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/adapters/httpclient"
	"github.com/gogoscope/gogoscope/schedule"
)

func ExampleNew() {
	// A server that is busy once, then answers.
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready")
	}))
	defer srv.Close()

	t := httpclient.New(httpclient.Options{
		Retry:          schedule.Exponential(10 * time.Millisecond).Intersect(schedule.Recurs(3)),
		AttemptTimeout: 2 * time.Second,
	})
	defer t.CloseIdleConnections()
	resp, err := t.Client().Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(b), calls.Load())
	// Output: 200 ready 2
}

func ExampleTransport_Client() {
	t := httpclient.New(httpclient.Options{})
	client := t.Client()
	fmt.Println(client.Transport == http.RoundTripper(t))
	// Output: true
}

func ExampleRetryAfter() {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, v := range []string{"120", "Tue, 01 Dec 2026 12:00:30 GMT", "soon"} {
		d, ok := httpclient.RetryAfter(http.Header{"Retry-After": {v}}, now)
		fmt.Println(d, ok)
	}
	// Output:
	// 2m0s true
	// 30s true
	// 0s false
}

func ExampleRetryable() {
	_, err := http.Get("http://127.0.0.1:1/") // nothing listens there
	fmt.Println(httpclient.Retryable(err), httpclient.Retryable(errors.New("bad request")))
	// Output: true false
}
