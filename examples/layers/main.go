// Command layers wires a small web application with gogoscope's layers:
//
//	config ─┬─ db pool ── user repository ─┬─ user service ── http handler
//	        └─ audit log ──────────────────┘
//
// The pool and the audit log are resources (opened at start, closed at
// shutdown); the audit log is built concurrently with the pool and the
// repository; the config is shared by both branches and built once. The
// program then
//
//  1. builds the application once, serves three requests with
//     net/http/httptest, and shuts down, releasing the resources in
//     reverse order;
//  2. runs a one-shot job that needs an environment of services, with
//     layer.Provide;
//  3. builds the same graph as a test would, with a fake repository in
//     place of the real one (layer.Override): the pool is never opened;
//  4. builds it with a bad DSN: the pool fails, the audit log already
//     opened beside it is closed, and the error names the layer.
//
// It prints what it did and ends on its own.
//
//	go run ./examples/layers
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// The graph. Each layer is a value, defined once; the pointer is its
// identity, so the config that both branches use is built once.
var (
	Config  = layer.From(LoadSettings).Named("config")
	Pool    = Config.To(layer.Resource(OpenPool, (*DBPool).Close).Named("db pool"))
	Audit   = Config.To(layer.Resource(OpenAuditLog, (*AuditLog).Close).Named("audit log"))
	Users   = Pool.To(layer.New(NewUserRepo).Named("user repository"))
	Service = layer.Struct(
		layer.Field(Users, func(d *ServiceDeps, r UserRepo) { d.Users = r }),
		layer.Field(Audit, func(d *ServiceDeps, a *AuditLog) { d.Audit = a }),
	).To(layer.New(NewUserService).Named("user service"))
	Handler = Service.To(layer.New(NewHandler).Named("http handler"))

	// Env is the environment of the one-shot job: the same layers,
	// assembled into the struct its effects read.
	EnvLayer = layer.Struct(
		layer.Field(Users, func(e *Env, r UserRepo) { e.Users = r }),
		layer.Field(Audit, func(e *Env, a *AuditLog) { e.Audit = a }),
	)
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "layers:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	log := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	trace.out = w

	log("1. build the application, serve, shut down")
	start := time.Now()
	handler, scope, err := layer.Build(ctx, Handler, nil)
	if err != nil {
		return err
	}
	log("   built in %v (pool and audit log opened concurrently)", time.Since(start).Round(10*time.Millisecond))
	srv := httptest.NewServer(handler)
	for _, path := range []string{"/greet/1", "/greet/2", "/greet/99"} {
		status, body, err := get(srv, path)
		if err != nil {
			srv.Close()
			_ = scope.Close(ctx)
			return err
		}
		log("   GET %-9s → %d %s", path, status, body)
	}
	srv.Close()
	log("   shutting down: resources are released in reverse order of acquisition")
	if err := scope.Close(ctx); err != nil {
		return err
	}

	log("2. a one-shot job with layer.Provide")
	names, err := eff.Run(ctx, layer.Provide(report([]int{2, 1}), EnvLayer))
	if err != nil {
		return err
	}
	log("   report: %s", strings.Join(names, ", "))

	log("3. the same graph with a fake repository, as a test builds it")
	fake := fakeRepo{1: "Test User"}
	handler, scope, err = layer.Build(ctx, Handler.Override(Users.Replace(fake)), nil)
	if err != nil {
		return err
	}
	srv = httptest.NewServer(handler)
	status, body, err := get(srv, "/greet/1")
	srv.Close()
	if err != nil {
		return err
	}
	log("   GET /greet/1   → %d %s", status, body)
	if err := scope.Close(ctx); err != nil {
		return err
	}

	log("4. a layer that fails to build")
	bad := Handler.Override(Config.Replace(Settings{DSN: "bad://nowhere", PoolSize: 4}))
	_, _, err = layer.Build(ctx, bad, nil)
	var le *layer.Error
	if !errors.As(err, &le) {
		return fmt.Errorf("want a *layer.Error, got %v", err)
	}
	log("   error: %v", err)
	log("   failed layer: %q (errors.Is ErrUnreachable: %v)", le.Layer, errors.Is(err, ErrUnreachable))
	return nil
}

// job makes the effects of the one-shot job, which need an Env.
var job = eff.For[Env]()

// report is an effect that needs an environment with the user repository
// and the audit log: job.With hands it the environment.
func report(ids []int) effect.Effect[Env, error, []string] {
	return job.With(func(env Env) effect.Effect[Env, error, []string] {
		return effect.ForEach(ids, func(id int) effect.Effect[Env, error, string] {
			return job.Lift(env.Users.Find(id)).Map(func(u User) string {
				env.Audit.Record("report " + u.Name)
				return u.Name
			})
		})
	})
}

func get(srv *httptest.Server, path string) (int, string, error) {
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}

// trace prints the lifecycle events of the resources, from any goroutine.
var trace struct {
	mu  sync.Mutex
	out io.Writer
}

func say(format string, args ...any) {
	trace.mu.Lock()
	defer trace.mu.Unlock()
	fmt.Fprintf(trace.out, "     · "+format+"\n", args...)
}
