package inspector_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gogoscope/gogoscope/adapters/inspector"
)

// chromium returns the path of the browser to drive: CHROME_PATH, else
// Debian's chromium on the PATH. Without one the test is skipped, except
// under CI, where a missing browser is a failure (make browser-up
// installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium under CI: run make browser-up, or set CHROME_PATH")
	}
	t.Skip("no Chromium: set CHROME_PATH or run make browser-up")
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a
// context to drive it; it is closed at the end of the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// The network is closed here: every background connection of the
		// browser would fail, many at a time.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// waitFor polls a JavaScript condition in the page until it is true.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100) /* 100: PNG */)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

const workFiber = `[...document.querySelectorAll("li.fiber")].find(li => li.querySelector(".name")?.textContent === "GET /work")`

// The page shows a request's fiber waiting on a semaphore, updates when
// it ends, and shows hostile names as text.
func TestTheInspectorPageInABrowser(t *testing.T) {
	f := newFixture(t, inspector.Options{Title: "browser test", Interval: 100 * time.Millisecond,
		Sources: []inspector.Source{inspector.SourceFunc(func(s *inspector.Snapshot) {
			// User text in every place the page shows one.
			s.Fibers = append(s.Fibers, inspector.Fiber{ID: 999999, Name: xss, Status: "suspended", BlockedOn: xss})
			s.Deadlocks = append(s.Deadlocks, inspector.Deadlock{Fibers: []uint64{999999}, Description: xss})
			s.Metrics = append(s.Metrics, inspector.Metric{Name: xss, Value: 1})
			s.Notes = append(s.Notes, xss)
		})}})
	srv := httptest.NewServer(f.mux)
	t.Cleanup(srv.Close)
	// Cleanups run last-in first-out: the browser, and its event stream,
	// go before the server.
	ctx := browser(t)
	done := f.blockWork(t, srv.URL)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/debug/gogoscope/")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the request's fiber, suspended", workFiber+`?.dataset.status === "suspended"`)
	waitFor(t, ctx, "the live event stream", `document.getElementById("status").dataset.state === "live"`)
	blocked, err := chromedp.Run(ctx, chromedp.Evaluate[string](workFiber+`.querySelector(".blocked").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if blocked == "" || title != "browser test — gogoscope inspector" {
		t.Errorf("blocked on %q, title %q", blocked, title)
	}

	// The hostile names are on the page as text, and nothing ran.
	eval := func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	shown := eval(`[...document.querySelectorAll('li.fiber[data-fiber-id="999999"] .name, li.fiber[data-fiber-id="999999"] .blocked, #deadlocks li, #metrics td, #notes li')].filter(e => e.textContent === ` + jsString(xss) + `).length === 5`)
	ran := eval(`window.__xss !== undefined`)
	injected := eval(`document.querySelectorAll('main img, main script').length > 0`)
	if !shown || ran || injected {
		t.Errorf("hostile names: shown as text in all five places %v; script ran %v; elements injected %v", shown, ran, injected)
	}
	screenshot(t, ctx, "inspector-blocked.png")

	// The page follows the program: the fiber goes when its request ends.
	f.sem.Release(1)
	if got := <-done; got != "done" {
		t.Errorf("GET /work: %q", got)
	}
	waitFor(t, ctx, "the request's fiber to go", workFiber+` === undefined`)
	waitFor(t, ctx, "the request list to empty", `!document.getElementById("requests-empty").hidden`)
	screenshot(t, ctx, "inspector-after.png")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
