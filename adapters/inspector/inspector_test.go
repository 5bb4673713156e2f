package inspector_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/inspector"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

type Eff[A any] = effect.Effect[struct{}, error, A]

// allowAll lets every client in: httptest.NewRequest's clients are not on
// the loopback interface.
func allowAll(*http.Request) error { return nil }

// xss is user text that would run if it were rendered as markup.
const xss = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`

// fixture is an App with a semaphore held from plain Go, and a route
// "/work" whose effect waits for that semaphore.
type fixture struct {
	app  *appscope.App[struct{}]
	sem  *resource.Semaphore
	mux  *http.ServeMux
	insp *inspector.Inspector
}

func newFixture(t *testing.T, opts inspector.Options) *fixture {
	t.Helper()
	app := appscope.New(struct{}{}, appscope.Options{})
	t.Cleanup(func() { app.Shutdown(context.Background()) })
	sem, err := app.Acquire(context.Background(), resource.NewSemaphore[struct{}, error](1))
	if err != nil {
		t.Fatal(err)
	}
	if !sem.TryAcquire(1) {
		t.Fatal("TryAcquire")
	}
	ad := scopehttp.New(app, scopehttp.Options{Logger: slog.New(slog.DiscardHandler)})
	mux := http.NewServeMux()
	mux.Handle("GET /work", ad.Handler(func(*http.Request) Eff[scopehttp.Response] {
		return sem.WithPermits(1, effect.Succeed[struct{}, error, scopehttp.Response](scopehttp.Text(200, "done")))
	}))
	opts.App = app
	insp := inspector.New(opts)
	t.Cleanup(insp.Close)
	insp.Mount(mux, "/debug/gogoscope")
	return &fixture{app: app, sem: sem, mux: mux, insp: insp}
}

// blockWork starts GET /work on srv and waits until its fiber is
// suspended on the semaphore; the returned channel gets the answer once
// the semaphore is released.
func (f *fixture) blockWork(t *testing.T, url string) chan string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "/work")
		if err != nil {
			done <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- string(b)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, fb := range f.insp.Snapshot().Fibers {
			if fb.Name == "GET /work" && fb.Status == "suspended" {
				return done
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("GET /work never showed as suspended: %+v", f.insp.Snapshot().Fibers)
	return nil
}

func TestTheSnapshotShowsABlockedRequestFiber(t *testing.T) {
	f := newFixture(t, inspector.Options{Title: "test"})
	srv := httptest.NewServer(f.mux)
	defer srv.Close()
	done := f.blockWork(t, srv.URL)

	resp, err := http.Get(srv.URL + "/debug/gogoscope/snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	var s inspector.Snapshot
	err = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var found *inspector.Fiber
	for i := range s.Fibers {
		if s.Fibers[i].Name == "GET /work" {
			found = &s.Fibers[i]
		}
	}
	if found == nil || found.Status != "suspended" || found.BlockedOn == "" || found.Since.IsZero() || found.Started.IsZero() {
		t.Fatalf("the request's fiber: %+v", found)
	}
	if len(s.Requests) != 1 || s.Requests[0].Label != "GET /work" || s.Requests[0].Fiber != found.ID {
		t.Errorf("requests: %+v", s.Requests)
	}
	if s.Title != "test" || len(s.Metrics) == 0 || s.Actions {
		t.Errorf("snapshot: title %q, %d metrics, actions %v", s.Title, len(s.Metrics), s.Actions)
	}

	f.sem.Release(1)
	if got := <-done; got != "done" {
		t.Errorf("GET /work: %q", got)
	}
	for _, fb := range f.insp.Snapshot().Fibers {
		if fb.Name == "GET /work" {
			t.Errorf("the ended request's fiber is still shown: %+v", fb)
		}
	}
}

func TestARefusedRequestGets403AndNoData(t *testing.T) {
	f := newFixture(t, inspector.Options{AllowActions: true,
		Authorize: func(r *http.Request) error {
			if r.Header.Get("Authorization") != "Bearer operator" {
				return errors.New("not an operator")
			}
			return nil
		}})
	srv := httptest.NewServer(f.mux)
	defer srv.Close()
	for _, p := range []string{"/", "/app.js", "/app.css", "/snapshot.json", "/events", "/actions/cancel-request?id=1"} {
		for _, method := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(method, srv.URL+"/debug/gogoscope"+p, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || string(b) != "forbidden\n" {
				t.Errorf("%s %s: got %d %q, want 403 and no data", method, p, resp.StatusCode, b)
			}
		}
	}
	req, _ := http.NewRequest("GET", srv.URL+"/debug/gogoscope/snapshot.json", nil)
	req.Header.Set("Authorization", "Bearer operator")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("an authorized request: %d", resp.StatusCode)
	}
}

func TestWithoutAHookOnlyLoopbackClientsAreLetIn(t *testing.T) {
	insp := inspector.New(inspector.Options{})
	defer insp.Close()
	for addr, want := range map[string]int{"127.0.0.1:4000": 200, "[::1]:4000": 200, "203.0.113.7:4000": 403, "10.0.0.1:80": 403} {
		r := httptest.NewRequest("GET", "/snapshot.json", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		insp.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("client %s: got %d, want %d", addr, w.Code, want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	insp := inspector.New(inspector.Options{Authorize: allowAll})
	defer insp.Close()
	for _, p := range []string{"/", "/app.js", "/snapshot.json", "/nope"} {
		w := httptest.NewRecorder()
		insp.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		h := w.Result().Header
		csp := h.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP allows unsafe sources: %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
}

func TestNamesAreEscapedInTheJSON(t *testing.T) {
	insp := inspector.New(inspector.Options{Authorize: allowAll, Sources: []inspector.Source{inspector.SourceFunc(func(s *inspector.Snapshot) {
		s.Fibers = append(s.Fibers, inspector.Fiber{ID: 1, Name: xss, Status: "suspended", BlockedOn: xss})
	})}})
	defer insp.Close()
	w := httptest.NewRecorder()
	insp.ServeHTTP(w, httptest.NewRequest("GET", "/snapshot.json", nil))
	body := w.Body.String()
	if strings.ContainsAny(body, "<>") {
		t.Errorf("the JSON carries raw markup characters: %s", body)
	}
	var s inspector.Snapshot
	if err := json.Unmarshal([]byte(body), &s); err != nil || s.Fibers[0].Name != xss {
		t.Errorf("the name did not survive the trip: %v %+v", err, s.Fibers)
	}
}

// The page's script must never turn text into markup: a static check of
// the sinks that would.
func TestTheAssetsHaveNoMarkupSinksAndNoInlineCode(t *testing.T) {
	insp := inspector.New(inspector.Options{Authorize: allowAll})
	defer insp.Close()
	read := func(p string) string {
		w := httptest.NewRecorder()
		insp.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		if w.Code != 200 {
			t.Fatalf("GET %s: %d", p, w.Code)
		}
		return w.Body.String()
	}
	js := read("/app.js")
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute(\"on"} {
		if strings.Contains(js, sink) {
			t.Errorf("app.js uses %s", sink)
		}
	}
	page := read("/")
	if regexp.MustCompile(`<script[^>]*>[^<]`).MatchString(page) || regexp.MustCompile(`\son[a-z]+=`).MatchString(page) ||
		strings.Contains(page, "style=") || strings.Contains(page, "http") {
		t.Errorf("index.html has inline code, inline style or an outside address")
	}
}

func TestActions(t *testing.T) {
	t.Run("read-only by default", func(t *testing.T) {
		f := newFixture(t, inspector.Options{})
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, httptest.NewRequest("POST", "/debug/gogoscope/actions/cancel-request?id=1", nil))
		if w.Code != http.StatusForbidden {
			t.Errorf("got %d, want 403", w.Code)
		}
	})
	t.Run("cancel a request", func(t *testing.T) {
		f := newFixture(t, inspector.Options{AllowActions: true})
		srv := httptest.NewServer(f.mux)
		defer srv.Close()
		done := f.blockWork(t, srv.URL)
		id := f.app.Requests()[0].ID
		post := func(query string, hdr map[string]string) int {
			req, _ := http.NewRequest("POST", srv.URL+"/debug/gogoscope/actions/cancel-request?"+query, nil)
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if code := post("id=1", map[string]string{"Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden {
			t.Errorf("a cross-site action: got %d, want 403", code)
		}
		if code := post("id=abc", nil); code != http.StatusBadRequest {
			t.Errorf("a bad id: got %d, want 400", code)
		}
		if code := post("id=999", nil); code != http.StatusNotFound {
			t.Errorf("an unknown id: got %d, want 404", code)
		}
		if code := post("id="+itoa(id), nil); code != http.StatusNoContent {
			t.Errorf("cancel: got %d, want 204", code)
		}
		if got := <-done; !strings.Contains(got, "Service Unavailable") {
			t.Errorf("the cancelled request answered %q, want a 503", got)
		}
		resp, _ := http.Get(srv.URL + "/debug/gogoscope/actions/cancel-request?id=1")
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET of an action: got %d, want 405", resp.StatusCode)
		}
	})
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func TestTheEventStreamSendsSnapshotsUntilClosed(t *testing.T) {
	insp := inspector.New(inspector.Options{Interval: 10 * time.Millisecond, Title: "stream"})
	srv := httptest.NewServer(insp)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	var events int
	for events < 2 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var s inspector.Snapshot
			if err := json.Unmarshal([]byte(data), &s); err != nil || s.Title != "stream" {
				t.Fatalf("event %q: %v", data, err)
			}
			events++
		} else if strings.HasPrefix(line, ": unchanged") {
			events++
		}
	}
	insp.Close()
	if _, err := io.ReadAll(r); err != nil {
		t.Errorf("the stream did not end cleanly after Close: %v", err)
	}
}

func TestMountRedirectsThePrefix(t *testing.T) {
	insp := inspector.New(inspector.Options{Authorize: allowAll})
	defer insp.Close()
	mux := http.NewServeMux()
	insp.Mount(mux, "/debug/gogoscope/")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/debug/gogoscope", nil))
	if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/debug/gogoscope/" {
		t.Errorf("got %d %q", w.Code, w.Header().Get("Location"))
	}
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/debug/gogoscope/", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `src="app.js"`) {
		t.Errorf("the page under the prefix: %d", w.Code)
	}
}

func TestNewRejectsNegativeOptions(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); !strings.HasPrefix(r, "inspector.New: Interval") {
			t.Errorf("recovered %q", r)
		}
	}()
	inspector.New(inspector.Options{Interval: -1})
}
