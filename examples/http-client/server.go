package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

// A reply is what the flaky server does with one request: answer with a
// status and a body, or hang until the client goes away.
type reply struct {
	status int
	body   string
	hang   bool
}

// flaky is a quote server on loopback that answers each symbol from a
// script: the n-th request for a symbol gets the script's n-th reply, and
// its last reply once the script is used up.
type flaky struct {
	mu        sync.Mutex
	scripts   map[string][]reply
	seen      map[string]int
	abandoned int // hanging requests whose client went away
	log       func(format string, args ...any)
}

func newFlaky(log func(string, ...any)) *flaky {
	return &flaky{
		scripts: map[string][]reply{
			// Unavailable, then hangs, then answers.
			"ACME": {{status: 503, body: "overloaded"}, {hang: true}, {status: 200, body: "101.50"}},
			// Not a symbol: a client error, never worth a retry.
			"NOPE": {{status: 404, body: "no such symbol"}},
			// Down for three requests, then healed.
			"DOWN": {{status: 500, body: "db down"}, {status: 500, body: "db down"}, {status: 500, body: "db down"},
				{status: 200, body: "7.25"}},
		},
		seen: map[string]int{},
		log:  log,
	}
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sym := strings.TrimPrefix(r.URL.Path, "/quote/")
	f.mu.Lock()
	script := f.scripts[sym]
	n := f.seen[sym]
	f.seen[sym]++
	f.mu.Unlock()
	if len(script) == 0 {
		script = []reply{{status: 404, body: "no such symbol"}}
	}
	rep := script[min(n, len(script)-1)]
	if rep.hang {
		f.log("  server: GET %s #%d: hangs", r.URL.Path, n+1)
		<-r.Context().Done() // the client gave up: its connection closed
		f.mu.Lock()
		f.abandoned++
		f.mu.Unlock()
		return
	}
	f.log("  server: GET %s #%d: %d %s", r.URL.Path, n+1, rep.status, rep.body)
	w.WriteHeader(rep.status)
	fmt.Fprint(w, rep.body)
}

// requests returns how many requests the server received for sym.
func (f *flaky) requests(sym string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[sym]
}

// serve returns an effect that serves h on a loopback port of its own and
// succeeds with the server's base URL. The server is a resource of the
// current scope: when the scope closes it is shut down, which waits for the
// requests in progress, and its goroutine has returned.
func serve(h http.Handler) eff.Effect[string] {
	type server struct {
		srv    *http.Server
		url    string
		served chan error
	}
	open := func(ctx context.Context) (*server, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		s := &server{srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}, url: "http://" + l.Addr().String(), served: make(chan error, 1)}
		go func() { s.served <- s.srv.Serve(l) }()
		return s, nil
	}
	shutdown := func(ctx context.Context, s *server) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := s.srv.Shutdown(ctx)
		if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}
	return eff.Acquire(open, shutdown).Map(func(s *server) string { return s.url })
}
