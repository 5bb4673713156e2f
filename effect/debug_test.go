package effect

import (
	"bytes"
	"context"
	"log/slog"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// capture is a slog handler that keeps records as "LEVEL msg k=v ...".
type capture struct {
	mu   sync.Mutex
	recs []string
}

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }
func (c *capture) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *capture) WithGroup(string) slog.Handler            { return c }
func (c *capture) Handle(_ context.Context, r slog.Record) error {
	parts := []string{r.Level.String(), r.Message}
	r.Attrs(func(a slog.Attr) bool { parts = append(parts, a.String()); return true })
	c.mu.Lock()
	c.recs = append(c.recs, strings.Join(parts, " "))
	c.mu.Unlock()
	return nil
}

func (c *capture) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.recs)
}

func TestDebugNamespaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reportedUnknown.Delete("bogus")
		var c capture
		logger := slog.New(&c)
		rt := NewRuntime()
		remove := rt.Debug("fiber, bogus,named", logger)
		prog := Named(Sleep[any, error](time.Second), "nap")
		if _, err := rt.Run(context.Background(), prog, nil); err != nil {
			t.Fatal(err)
		}
		remove()
		// Asked again, the unknown namespace is not reported again.
		rt.Debug("bogus", logger)()
		if _, err := rt.Run(context.Background(), prog, nil); err != nil {
			t.Fatal(err)
		}
		want := []string{
			`WARN gogoscope: unknown debug namespace namespace=bogus known=fiber,scope,finalizer,interrupt,retry,wait,named`,
			`INFO gogoscope fiber start fiber=1 parent=0 scope=1`,
			`INFO gogoscope named start fiber=1 name=nap`,
			`INFO gogoscope named end fiber=1 name=nap duration=1s`,
			`INFO gogoscope fiber end fiber=1 name=nap`,
		}
		if got := c.get(); !slices.Equal(got, want) {
			t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestDebugFromEnvironment(t *testing.T) {
	var c capture
	prevEnv, prevLog := debugEnv, slog.Default()
	defer func() { debugEnv = prevEnv; slog.SetDefault(prevLog) }()
	slog.SetDefault(slog.New(&c))
	debugEnv = func() string { return "all" }
	rt := NewRuntime()
	if _, err := rt.Run(context.Background(), Scoped(succeed(1)), nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`INFO gogoscope fiber start fiber=1 parent=0 scope=1`,
		`INFO gogoscope scope open scope=2 parent=3 owner=1`,
		`INFO gogoscope scope close scope=2`,
		`INFO gogoscope fiber end fiber=1`,
	}
	if got := c.get(); !slices.Equal(got, want) {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	debugEnv = func() string { return "" }
	if rt := NewRuntime(); rt.obs.Load() != nil {
		t.Error("a runtime made without GOGOSCOPE_DEBUG is observed")
	}
}

func TestLabelGoroutines(t *testing.T) {
	rt := NewRuntime()
	stop := rt.LabelGoroutines()
	defer stop()
	ready := make(chan struct{})
	worker := Named(AndThen(Sync[any, error](func() struct{} { close(ready); return struct{}{} }), Never[any, error, int]()), "worker")
	fb := rt.Start(context.Background(), worker, nil)
	<-ready
	time.Sleep(10 * time.Millisecond) // let it park in Never
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"gogoscope.fiber":"1"`) || !strings.Contains(b.String(), `"gogoscope.name":"worker"`) {
		t.Errorf("goroutine profile has no fiber labels:\n%s", b.String())
	}
	fb.InterruptFromGo()
	<-fb.Done()
	// Run's caller gets its own labels back.
	ctx := pprof.WithLabels(context.Background(), pprof.Labels("caller", "yes"))
	pprof.SetGoroutineLabels(ctx)
	defer pprof.SetGoroutineLabels(context.Background())
	if _, err := rt.Run(ctx, Named(succeed(1), "root"), nil); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `labels: {"caller":"yes"}`) {
		t.Errorf("the caller's labels were not restored:\n%s", b.String())
	}
}
