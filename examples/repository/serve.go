package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// Server is the blog's HTTP server on a loopback port.
type Server struct {
	URL   string
	scope *effect.Scope
}

// Serve starts the blog's server on 127.0.0.1, on a port the system picks,
// on a fiber of a scope of its own; Server.Close stops it.
func Serve(rt *effect.Runtime, repo *Repo, pageSize int) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /feed", FeedHandler(rt, repo, pageSize))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	serve := eff.Try(func(ctx context.Context) (struct{}, error) {
		// Interrupting the fiber (closing its scope) shuts the server down
		// gracefully: requests in flight finish first.
		stop := context.AfterFunc(ctx, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		})
		defer stop()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return struct{}{}, err
		}
		return struct{}{}, nil
	})
	scope := rt.NewScope()
	if _, err := rt.Run(context.Background(), effect.ForkIn(scope, serve), nil); err != nil {
		ln.Close()
		return nil, err
	}
	return &Server{URL: "http://" + ln.Addr().String(), scope: scope}, nil
}

// Close stops the server, after the requests in flight have been answered,
// and returns once its fiber has ended.
func (s *Server) Close() error { return s.scope.Close(context.Background()) }
