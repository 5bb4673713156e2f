// Command http-server is a small HTTP service written with gogoscope's
// adapters. It shows:
//   - layers: the store (a resource opened at start and closed at
//     shutdown) and a semaphore that bounds costly reports, built once
//     into the application scope (appscope.Build);
//   - a request scope per request (scopehttp's middleware): an audit
//     middleware acquires a resource in it, released after the handler;
//     a report forks fibers in it, stopped if the client goes away;
//   - handlers written as effects, typed failures mapped to status codes
//     (a missing item is a 404);
//   - the live inspector page on a separate, internal listener;
//   - a graceful shutdown on SIGTERM or Ctrl-C: stop accepting, let
//     requests finish for a grace period, interrupt the rest, then close
//     the store.
//
// Run it, then ask:
//
//	go run ./examples/http-server
//	curl -XPOST -d '{"name":"tea"}' localhost:8080/items
//	curl localhost:8080/items/1
//	curl localhost:8080/report  # and open localhost:6061/debug/gogoscope/
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/inspector"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address of the service")
	debugAddr := flag.String("debug-addr", "127.0.0.1:6061", "address of the inspector page: keep it internal")
	grace := flag.Duration("grace", 10*time.Second, "how long requests may finish after SIGTERM")
	reportTime := flag.Duration("report-time", 2*time.Second, "how long a report takes")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("listen", "error", err)
		os.Exit(1)
	}
	dln, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Error("listen", "error", err)
		os.Exit(1)
	}
	cfg := Config{Log: log, Reports: 2, ReportTime: *reportTime}
	log.Info("serving", "addr", ln.Addr().String(), "inspector", "http://"+dln.Addr().String()+"/debug/gogoscope/")
	if err := runUntilSignal(cfg, ln, dln, *grace); err != nil {
		log.Error("stopped", "error", err)
		os.Exit(1)
	}
	log.Info("stopped")
}

// runUntilSignal runs the service until SIGTERM or SIGINT.
func runUntilSignal(cfg Config, ln, debugLn net.Listener, grace time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, cfg, ln, debugLn, grace)
}

// run builds the application, serves ln (the service) and debugLn (the
// inspector) until ctx is done, then shuts down gracefully.
func run(ctx context.Context, cfg Config, ln, debugLn net.Listener, grace time.Duration) error {
	app, err := appscope.Build(ctx, AppLayer(cfg), appscope.Options{})
	if err != nil {
		return err
	}
	ad := scopehttp.New(app, scopehttp.Options{Status: statusOf, Logger: cfg.Log})

	insp := inspector.New(inspector.Options{App: app, Title: "http-server example"})
	defer insp.Close()
	debugMux := http.NewServeMux()
	insp.Mount(debugMux, "/debug/gogoscope")
	debugSrv := &http.Server{Handler: debugMux, ReadHeaderTimeout: 10 * time.Second}
	debugSrv.RegisterOnShutdown(insp.Close)
	debugDone := make(chan error, 1)
	go func() { debugDone <- debugSrv.Serve(debugLn) }()

	srv := &http.Server{Handler: ad.Middleware(audit(app, routes(app, ad))), ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(insp.Close)
	err = scopehttp.Serve(ctx, srv, ln, app, scopehttp.ServeOptions{Grace: grace})

	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	derr := debugSrv.Shutdown(sctx)
	if serr := <-debugDone; !errors.Is(serr, http.ErrServerClosed) {
		derr = errors.Join(derr, serr)
	}
	return errors.Join(err, derr)
}

// statusOf maps the service's typed failures to status codes.
func statusOf(err error) int {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return http.StatusNotFound
	}
	return 0
}

// audit is a plain middleware that acquires a resource in the request
// scope: it is released when the request ends, after the handler.
func audit(app *appscope.App[Env], next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, err := app.Run(r.Context(), kit.With(func(env Env) Eff[struct{}] {
			return kit.Defer(func(_ context.Context, err error) error {
				env.Log.Info("request done", "request", r.Method+" "+r.URL.Path,
					"took", time.Since(start).Round(time.Millisecond), "error", err)
				return nil
			})
		}))
		if err != nil {
			http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func routes(app *appscope.App[Env], ad *scopehttp.Adapter[Env]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if app.Stopping() {
			http.Error(w, "stopping", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /items", ad.Handler(func(*http.Request) Eff[scopehttp.Response] {
		return kit.With(func(env Env) Eff[scopehttp.Response] {
			return effect.Map(env.Store.List(), okJSON[[]Item])
		})
	}))
	mux.Handle("GET /items/{id}", ad.Handler(getItem))
	mux.Handle("POST /items", ad.Handler(postItem))
	mux.Handle("GET /report", ad.Handler(report))
	return mux
}

func okJSON[A any](v A) scopehttp.Response { return scopehttp.JSON(http.StatusOK, v) }

func getItem(r *http.Request) Eff[scopehttp.Response] {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return kit.Fail[scopehttp.Response](scopehttp.NewError(http.StatusBadRequest, "the id must be a number"))
	}
	return kit.With(func(env Env) Eff[scopehttp.Response] {
		return effect.Map(env.Store.Get(id), okJSON[Item])
	})
}

func postItem(r *http.Request) Eff[scopehttp.Response] {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16)).Decode(&in); err != nil || in.Name == "" {
		return kit.Fail[scopehttp.Response](scopehttp.NewError(http.StatusBadRequest, `send {"name": "..."}`))
	}
	return kit.With(func(env Env) Eff[scopehttp.Response] {
		return effect.Map(env.Store.Put(in.Name), func(it Item) scopehttp.Response {
			return scopehttp.JSON(http.StatusCreated, it)
		})
	})
}

// report takes one of the report permits (waiting for it if all are
// taken), then computes two halves at once, each on a fiber of the request
// scope: if the client goes away, the wait or the fibers are interrupted.
func report(*http.Request) Eff[scopehttp.Response] {
	return kit.With(func(env Env) Eff[scopehttp.Response] {
		half := func(part int) Eff[int] {
			return effect.AndThen(kit.Sleep(env.ReportTime/2), env.Store.List().Map(func(items []Item) int {
				return len(items) * part
			}))
		}
		work := effect.ForEachPar([]int{1, 2}, half, effect.Par{})
		return env.Reports.WithPermits(1, effect.Map(work, func(parts []int) scopehttp.Response {
			return okJSON(map[string]int{"first": parts[0], "second": parts[1]})
		}))
	})
}
