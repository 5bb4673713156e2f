package inspector

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
)

//go:embed assets
var assets embed.FS

// App is what the inspector reads of an application: an
// *appscope.App[R] of any R has these methods.
type App interface {
	Runtime() *effect.Runtime
	Requests() []appscope.RequestInfo
	Cancel(id uint64) bool
}

// Options configure an [Inspector].
type Options struct {
	// App, if set, gives the runtime to show (unless Runtime is set) and
	// the requests in flight, whose labels name their fibers.
	App App
	// Runtime is the runtime whose fibers and scopes the page shows; nil
	// means App's, or none.
	Runtime *effect.Runtime
	// Sources add to each snapshot what they know (names, deadlocks,
	// metrics), in order, after the runtime and the requests.
	Sources []Source
	// Authorize decides who may see the page: a non-nil error refuses the
	// request with 403 and no data. It is called for every request, assets
	// and actions included. Nil allows only clients on the loopback
	// interface (as seen by the server: behind a proxy on the same host,
	// every client is).
	Authorize func(r *http.Request) error
	// AllowActions lets the page act, not only show: today, cancel a
	// request in flight (its effects are interrupted). Actions are POST
	// requests, refused from other origins. False means read-only: the
	// action endpoints answer 403.
	AllowActions bool
	// Interval is how often the page is updated. Zero means one second.
	Interval time.Duration
	// MaxStream is how long one server-sent event stream lasts before the
	// page reconnects. Zero means five minutes.
	MaxStream time.Duration
	// MaxFibers is the most fibers a snapshot lists. Zero means 5000.
	MaxFibers int
	// Title names the program on the page.
	Title string
}

// Inspector is the live inspector page: an http.Handler to mount where
// only operators reach it (see the package doc). It adds hooks to the
// runtime it shows, until [Inspector.Close].
type Inspector struct {
	opts    Options
	rt      *effect.Runtime
	watch   *watcher
	csrf    *http.CrossOriginProtection
	done    chan struct{}
	closing sync.Once
}

// New returns an Inspector with opts. It panics if a duration or
// MaxFibers is negative.
func New(opts Options) *Inspector {
	if opts.Interval < 0 || opts.MaxStream < 0 || opts.MaxFibers < 0 {
		panic(fmt.Sprintf("inspector.New: Interval, MaxStream and MaxFibers must be >= 0, got %v, %v and %d",
			opts.Interval, opts.MaxStream, opts.MaxFibers))
	}
	if opts.Interval == 0 {
		opts.Interval = time.Second
	}
	if opts.MaxStream == 0 {
		opts.MaxStream = 5 * time.Minute
	}
	if opts.MaxFibers == 0 {
		opts.MaxFibers = 5000
	}
	in := &Inspector{opts: opts, rt: opts.Runtime, csrf: http.NewCrossOriginProtection(), done: make(chan struct{})}
	if in.rt == nil && opts.App != nil {
		in.rt = opts.App.Runtime()
	}
	if in.rt != nil {
		in.watch = watch(in.rt)
	}
	return in
}

// Close removes the inspector's hooks from the runtime and ends the
// pages' event streams (their pages then fall back to polling, and get
// nothing more once the server stops). Register it with
// http.Server.RegisterOnShutdown, so that open pages do not hold a
// graceful shutdown for its whole grace period.
func (in *Inspector) Close() {
	in.closing.Do(func() {
		close(in.done)
		if in.watch != nil {
			in.watch.close()
		}
	})
}

// Mount registers the inspector on mux under prefix (such as
// "/debug/gogoscope"): the page at prefix + "/", and a redirect from
// prefix itself.
func (in *Inspector) Mount(mux *http.ServeMux, prefix string) {
	prefix = strings.TrimSuffix(prefix, "/")
	mux.Handle(prefix+"/", http.StripPrefix(prefix, in))
	mux.Handle(prefix, http.RedirectHandler(prefix+"/", http.StatusMovedPermanently))
}

// Snapshot returns what the page shows now.
func (in *Inspector) Snapshot() Snapshot {
	s := Snapshot{Title: in.opts.Title, Taken: time.Now(), IntervalMS: in.opts.Interval.Milliseconds(), Actions: in.opts.AllowActions}
	if in.watch != nil {
		in.watch.collect(&s, in.opts.MaxFibers)
	} else {
		s.Notes = append(s.Notes, "No runtime is watched: no fibers to show.")
	}
	if in.opts.App != nil {
		reqs := in.opts.App.Requests()
		names := make(map[uint64]string, len(reqs))
		for _, r := range reqs {
			s.Requests = append(s.Requests, Request{ID: r.ID, Label: r.Label, Started: r.Started,
				Fiber: uint64(r.Fiber), Scope: uint64(r.Scope)})
			if r.Fiber != 0 {
				names[uint64(r.Fiber)] = r.Label
			}
		}
		for i := range s.Fibers {
			if n, ok := names[s.Fibers[i].ID]; ok && s.Fibers[i].Name == "" {
				s.Fibers[i].Name = n
			}
		}
		s.Metrics = append(s.Metrics, Metric{Name: "requests in flight", Value: float64(len(reqs))})
	}
	s.Metrics = append(s.Metrics, processMetrics()...)
	for _, src := range in.opts.Sources {
		src.Collect(&s)
	}
	if s.Deadlocks == nil {
		s.Notes = append(s.Notes, "Deadlock detection is not available from this runtime.")
	}
	// Empty lists are sent as [], which the page iterates without checks.
	s.Fibers, s.Scopes, s.Requests = nonNil(s.Fibers), nonNil(s.Scopes), nonNil(s.Requests)
	s.Deadlocks, s.Metrics, s.Notes = nonNil(s.Deadlocks), nonNil(s.Metrics), nonNil(s.Notes)
	return s
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func sortScopes(l []Scope) {
	slices.SortFunc(l, func(a, b Scope) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

// The Content-Security-Policy of every answer: the page's own script and
// style, its own endpoints, nothing else; no inline code, no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// ServeHTTP serves the page, its assets, its data and its actions, to
// authorized clients only.
func (in *Inspector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if err := in.authorize(r); err != nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case "/", "":
		in.asset(w, r, "assets/index.html", "text/html; charset=utf-8")
	case "/app.js":
		in.asset(w, r, "assets/app.js", "text/javascript; charset=utf-8")
	case "/app.css":
		in.asset(w, r, "assets/app.css", "text/css; charset=utf-8")
	case "/snapshot.json":
		if !get(w, r) {
			return
		}
		h.Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(in.Snapshot())
	case "/events":
		if get(w, r) {
			in.events(w, r)
		}
	case "/actions/cancel-request":
		in.cancelRequest(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (in *Inspector) authorize(r *http.Request) error {
	if in.opts.Authorize != nil {
		return in.opts.Authorize(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errors.New("inspector: only loopback clients are allowed without an Authorize hook")
	}
	return nil
}

// get reports whether r is a GET or HEAD, and answers 405 otherwise.
func get(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func (in *Inspector) asset(w http.ResponseWriter, r *http.Request, name, ct string) {
	if !get(w, r) {
		return
	}
	b, err := assets.ReadFile(name)
	if err != nil {
		http.Error(w, "missing asset", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(b)
}

// events streams a snapshot as a server-sent event every interval, until
// the client goes away, the inspector is closed, or MaxStream has passed
// (the page then reconnects). An unchanged snapshot is sent as a comment,
// which keeps the connection alive.
func (in *Inspector) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	ctx, cancel := context.WithTimeout(r.Context(), in.opts.MaxStream)
	defer cancel()
	tick := time.NewTicker(in.opts.Interval)
	defer tick.Stop()
	fmt.Fprintf(w, "retry: %d\n\n", in.opts.Interval.Milliseconds())
	var last []byte
	for {
		b, err := json.Marshal(in.Snapshot())
		if err != nil {
			return
		}
		if bytes.Equal(b, last) {
			_, err = fmt.Fprint(w, ": unchanged\n\n")
		} else {
			// JSON has no raw newline: one data line is one event.
			_, err = fmt.Fprintf(w, "data: %s\n\n", b)
			last = b
		}
		if err != nil || rc.Flush() != nil {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		case <-in.done:
			return
		}
	}
}

// cancelRequest cancels the request whose id the query names.
func (in *Inspector) cancelRequest(w http.ResponseWriter, r *http.Request) {
	if !in.opts.AllowActions || in.opts.App == nil {
		http.Error(w, "forbidden: actions are not allowed", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := in.csrf.Check(r); err != nil {
		http.Error(w, "forbidden: cross-origin request", http.StatusForbidden)
		return
	}
	id, err := strconv.ParseUint(r.URL.Query().Get("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad request id", http.StatusBadRequest)
		return
	}
	if !in.opts.App.Cancel(id) {
		http.Error(w, "no such request in flight", http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
