// Command observability is a small service that shows gogoscope's
// observability together: it serves /work, whose handler runs effects that
// fork, retry and log; /metrics, the Prometheus metrics of its fibers;
// /debug/fibers, the fiber dump as text, Mermaid or JSON. It exports its
// traces to stdout as JSON, logs with slog (each record names its fiber and
// span), runs a watchdog that logs deadlocks and stuck fibers, and prints
// the fiber dump and any deadlock when it receives SIGUSR1 (on Unix).
//
//	go run ./examples/observability -addr 127.0.0.1:8080
//	curl '127.0.0.1:8080/work?n=3'; curl 127.0.0.1:8080/metrics
//	curl '127.0.0.1:8080/debug/fibers?format=mermaid'; kill -USR1 <pid>
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/logging"
	"github.com/gogoscope/gogoscope/observe/metrics"
	"github.com/gogoscope/gogoscope/observe/tracing"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dump := make(chan os.Signal, 1)
	if sig := dumpSignal(); sig != nil {
		signal.Notify(dump, sig)
	}
	cfg := config{addr: *addr, out: os.Stdout, traces: os.Stdout, logs: os.Stderr, dump: dump}
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// config is what run needs from its surroundings, so that a test can run
// the whole service.
type config struct {
	addr   string
	out    io.Writer // dumps
	traces io.Writer // spans, one JSON object each
	logs   io.Writer // slog records, as JSON
	dump   <-chan os.Signal
	// ready, if set, receives the address the service listens on.
	ready chan<- string
}

// run serves until ctx is done, then shuts down.
func run(ctx context.Context, cfg config) error {
	rt := effect.NewRuntime()

	exp, err := stdouttrace.New(stdouttrace.WithWriter(cfg.traces), stdouttrace.WithoutTimestamps())
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	defer tracing.Install(rt, tp)()

	m := metrics.New(metrics.Options{ConstLabels: prometheus.Labels{"service": "observability-example"}})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	defer m.Watch(rt)()
	// At most 8 requests work at once; /metrics shows the permits in use
	// and the requests waiting, read at each scrape.
	admit := resource.Concurrency(8)
	defer m.ObserveSemaphore("work", admit)()

	log := slog.New(logging.NewHandler(slog.NewJSONHandler(cfg.logs, nil)))

	mux := http.NewServeMux()
	var requests atomic.Int64
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 1 || n > 100 {
			http.Error(w, "n must be a number from 1 to 100", http.StatusBadRequest)
			return
		}
		id := fmt.Sprintf("r-%d", requests.Add(1))
		sum, err := rt.Run(r.Context(), admit.WithPermits(1, work(log, id, n)), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d\n", sum)
	})
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/fibers", func(w http.ResponseWriter, r *http.Request) {
		var err error
		switch r.URL.Query().Get("format") {
		case "mermaid":
			err = rt.DumpMermaid(w)
		case "json":
			w.Header().Set("Content-Type", "application/json")
			err = rt.DumpJSON(w)
		default:
			err = rt.Dump(w)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// The watchdog is an effect of its own, run until ctx is done: it logs
	// each deadlock of the library's primitives, and each wait longer than
	// ten seconds.
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		_, _ = rt.Run(ctx, effect.Watchdog[any, error](effect.WatchdogOptions{
			Every:      time.Second,
			OnDeadlock: func(d effect.Deadlock) { log.Error("deadlock", "cycle", d.String()) },
			StuckAfter: 10 * time.Second,
			OnStuck:    func(s effect.StuckFiber) { log.Warn("stuck", "fiber", s.String()) },
		}), nil)
	}()

	if cfg.ready != nil {
		cfg.ready <- ln.Addr().String()
	}
	for {
		select {
		case <-cfg.dump:
			writeDump(cfg.out, rt)
		case err := <-served:
			<-watched
			return err
		case <-ctx.Done():
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := srv.Shutdown(shutdown)
			cancel()
			<-watched
			if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
				return serr
			}
			return err
		}
	}
}

// work is the handler's effect: n steps, two at a time, each squaring its
// number; step 1 fails on its first attempt and is retried. Every step
// logs with its ctx, so its records name the fiber, the request and the
// span.
func work(log *slog.Logger, id string, n int) eff.Effect[int] {
	items := make([]int, n)
	for i := range items {
		items[i] = i + 1
	}
	step := func(i int) eff.Effect[int] {
		attempts := 0
		return eff.Try(func(ctx context.Context) (int, error) {
			attempts++
			log.InfoContext(ctx, "step", "i", i, "attempt", attempts)
			if i == 1 && attempts == 1 {
				return 0, errors.New("transient")
			}
			return i * i, nil
		}).Retry(schedule.Spaced(10 * time.Millisecond).Intersect(schedule.Recurs(3))).Named("step")
	}
	return eff.ForEachPar(items, step, eff.Par{Limit: 2}).
		Map(func(sq []int) int {
			sum := 0
			for _, v := range sq {
				sum += v
			}
			return sum
		}).
		Named("GET /work", slog.Int("n", n)).
		Annotate(slog.String("request", id))
}

// writeDump prints the fiber dump and the deadlocks of rt.
func writeDump(w io.Writer, rt *effect.Runtime) {
	fmt.Fprintln(w, "== fibers")
	_ = rt.Dump(w)
	dls := rt.Deadlocks()
	if len(dls) == 0 {
		fmt.Fprintln(w, "== no deadlock")
	}
	for _, d := range dls {
		fmt.Fprintln(w, "== deadlock")
		fmt.Fprintln(w, d)
	}
}
