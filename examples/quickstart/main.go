// Command quickstart is a small, real gogoscope program. It starts a local
// HTTP server (net/http/httptest) and then, with effects:
//
//   - opens two resources (a connection pool and a cache) that are released
//     in reverse order when the program's scope closes;
//   - fetches several sources concurrently, at most fetchLimit at a time,
//     each with a timeout;
//   - races two mirrors of the same data: the slower one is interrupted,
//     and the server sees its request cancelled;
//   - retries a flaky endpoint with exponential backoff;
//   - gives up on an endpoint that hangs, after hangTimeout;
//
// and prints what happened, cleanup order included. Its settings come from
// the embedded defaults.json; flags override them.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

//go:embed defaults.json
var defaults []byte

// Config holds the program's settings.
type Config struct {
	RequestTimeout duration `json:"requestTimeout"`
	HangTimeout    duration `json:"hangTimeout"`
	RetryBase      duration `json:"retryBase"`
	RetryMax       int      `json:"retryMax"`
	FetchLimit     int      `json:"fetchLimit"`
}

type duration struct{ time.Duration }

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	d.Duration = v
	return err
}

// Env is the environment the program's effects need.
type Env struct {
	Client *http.Client
	Base   string
	Log    *Log
	Config Config
}

// app makes the program's effects: they need an Env and fail with error.
var app = eff.For[Env]()

// Eff is the shape of every effect of this program.
type Eff[A any] = effect.Effect[Env, error, A]

// Log collects lines from concurrent fibers.
type Log struct {
	mu    sync.Mutex
	lines []string
}

func (l *Log) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// fetch GETs path and returns the body. The request's context is the one
// the runtime hands to Try: an interruption (a lost race, a timeout)
// cancels the request.
func fetch(path string) Eff[string] {
	return app.Try(func(ctx context.Context, env Env) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.Base+path, nil)
		if err != nil {
			return "", err
		}
		resp, err := env.Client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return strings.TrimSpace(string(body)), nil
	})
}

// Conn stands for a resource the program opens and must close.
type Conn struct {
	name string
	log  *Log
}

// open opens a named resource and registers its close in the current
// scope.
func open(name string) Eff[*Conn] {
	return app.Acquire(
		func(_ context.Context, env Env) (*Conn, error) {
			env.Log.Printf("open %s", name)
			return &Conn{name: name, log: env.Log}, nil
		},
		func(_ context.Context, c *Conn) error {
			c.log.Printf("close %s", c.name)
			return nil
		})
}

func program(cfg Config) Eff[[]string] {
	timed := func(path string) Eff[string] { return fetch(path).Timeout(cfg.RequestTimeout.Duration) }

	sources := effect.ForEachPar([]string{"/users", "/orders", "/inventory"}, timed, effect.Par{Limit: cfg.FetchLimit})

	mirrors := effect.Race(timed("/mirror/slow"), timed("/mirror/fast"))

	flaky := fetch("/flaky").Retry(
		schedule.Exponential(cfg.RetryBase.Duration).Intersect(schedule.Recurs(cfg.RetryMax)).
			Tap(func(d schedule.Decision[time.Duration]) {
				if d.Continue {
					fmt.Printf("  retry #%d after %v: %v\n", d.Attempt, d.Delay, d.Input)
				}
			}))

	hang := fetch("/hang").Timeout(cfg.HangTimeout.Duration).
		Catch(func(err error) Eff[string] { return app.Succeed("gave up: " + err.Error()) })

	// One after the other, after the sources.
	rest := effect.ForEach([]Eff[string]{mirrors, flaky, hang}, func(e Eff[string]) Eff[string] { return e })
	work := effect.FlatMap(sources, func(got []string) Eff[[]string] {
		return rest.Map(func(more []string) []string { return append(got, more...) })
	})

	return open("connection pool").
		AndThen(open("cache")).
		AndThen(work).
		Scoped()
}

func main() {
	var cfg Config
	if err := json.Unmarshal(defaults, &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: bad embedded defaults:", err)
		os.Exit(2)
	}
	flag.DurationVar(&cfg.RequestTimeout.Duration, "timeout", cfg.RequestTimeout.Duration, "timeout of each request")
	flag.DurationVar(&cfg.HangTimeout.Duration, "hang-timeout", cfg.HangTimeout.Duration, "how long to wait for the endpoint that hangs")
	flag.IntVar(&cfg.FetchLimit, "limit", cfg.FetchLimit, "most requests in flight at once")
	flag.Parse()

	srv, cancelled := newServer()
	defer srv.Close()

	env := Env{Client: srv.Client(), Base: srv.URL, Log: &Log{}, Config: cfg}
	start := time.Now()
	fmt.Println("fetching:")
	results, err := effect.Run(context.Background(), program(cfg), env)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	fmt.Println("results:")
	for _, r := range results {
		fmt.Println("  " + r)
	}
	fmt.Println("resources, in order:")
	for _, l := range env.Log.lines {
		fmt.Println("  " + l)
	}
	srv.Close() // waits for the handlers, so the cancellations below are all counted
	fmt.Println("requests the server saw cancelled:")
	for _, p := range cancelled() {
		fmt.Println("  " + p)
	}
	fmt.Printf("done in %v\n", time.Since(start).Round(50*time.Millisecond))
}

// newServer starts the local server and returns it with a function that
// lists the requests whose context was cancelled by the client.
func newServer() (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var cancelled []string
	var flakyCalls atomic.Int32
	wait := func(w http.ResponseWriter, r *http.Request, d time.Duration, body string) {
		select {
		case <-time.After(d):
			fmt.Fprintln(w, body)
		case <-r.Context().Done():
			mu.Lock()
			cancelled = append(cancelled, r.URL.Path)
			mu.Unlock()
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/users", func(w http.ResponseWriter, r *http.Request) {
		wait(w, r, 20*time.Millisecond, "users: ada, grace, ken")
	})
	mux.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) { wait(w, r, 60*time.Millisecond, "orders: 3 open") })
	mux.HandleFunc("/inventory", func(w http.ResponseWriter, r *http.Request) { wait(w, r, 10*time.Millisecond, "inventory: 42 items") })
	mux.HandleFunc("/mirror/slow", func(w http.ResponseWriter, r *http.Request) { wait(w, r, time.Second, "mirror: slow copy") })
	mux.HandleFunc("/mirror/fast", func(w http.ResponseWriter, r *http.Request) { wait(w, r, 30*time.Millisecond, "mirror: fast copy") })
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if flakyCalls.Add(1) <= 2 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "flaky: ok on attempt 3")
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { wait(w, r, time.Hour, "never") })
	srv := httptest.NewServer(mux)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := append([]string(nil), cancelled...)
		sort.Strings(out)
		return out
	}
}
