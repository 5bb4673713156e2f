package layertest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/layer"
	"github.com/gogoscope/gogoscope/layer/layertest"
)

type mailer interface {
	Send(to, body string) effect.Effect[any, error, struct{}]
}

// fakeMailer is a test double whose calls a Spy records.
type fakeMailer struct{ spy *effecttest.Spy }

func (m fakeMailer) Send(to, body string) effect.Effect[any, error, struct{}] {
	return m.spy.Wrap("Send", effect.Unit[any, error](), to, body)
}

// realMailer stands for the production service, which a test must not
// build.
type realMailer struct{}

func (realMailer) Send(string, string) effect.Effect[any, error, struct{}] {
	return effect.Fail[any, struct{}](errors.New("real mailer used in a test"))
}

type env struct{ a, b mailer }

var errBoom = errors.New("boom")

// calls returns what spy recorded, as strings.
func calls(spy *effecttest.Spy) []string {
	var got []string
	for _, c := range spy.Calls() {
		got = append(got, c.String())
	}
	return got
}

func send(m mailer) effect.Effect[mailer, error, int] {
	return effect.Widen[mailer](m.Send("ann@example.com", "hi")).As(1)
}

func TestSpyRecordsBuildUseRelease(t *testing.T) {
	var spy effecttest.Spy
	l := layertest.Spy[any, error, mailer](&spy, "mailer", fakeMailer{&spy})
	if n := len(spy.Calls()); n != 0 {
		t.Fatalf("making the layer recorded %d calls, want 0", n)
	}
	x := effecttest.Run(t, layer.Provide(effect.AccessEffect(send), l))
	effecttest.AssertSucceeds(t, x, 1)
	want := []string{"build mailer()", `Send("ann@example.com", "hi")`, "release mailer()"}
	if got := calls(&spy); !slices.Equal(got, want) {
		t.Fatalf("calls: got %v, want %v", got, want)
	}
}

func TestSpyReleasedOnFailureAndInterruption(t *testing.T) {
	cases := []struct {
		name string
		prog func(m mailer) effect.Effect[mailer, error, int]
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"failure", func(m mailer) effect.Effect[mailer, error, int] {
			return effect.AndThen(send(m), effect.Fail[mailer, int](errBoom))
		}, func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
		{"interruption", func(m mailer) effect.Effect[mailer, error, int] {
			return effect.AndThen(send(m), effect.Never[mailer, error, int]())
		}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Second)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
				var spy effecttest.Spy
				l := layertest.Spy[any, error, mailer](&spy, "mailer", fakeMailer{&spy})
				ctx, cancel := c.ctx()
				defer cancel()
				x := rt.RunExit(ctx, layer.Provide(effect.AccessEffect(c.prog), l), nil)
				if x.IsSuccess() {
					t.Fatalf("got success, want the program's %s", c.name)
				}
				spy.AssertCalledTimes(t, "release mailer", 1)
				spy.AssertOrder(t, "build mailer", "Send", "release mailer")
			})
		})
	}
}

func TestSpyBuiltOncePerGraph(t *testing.T) {
	var spy effecttest.Spy
	l := layertest.Spy[any, error, mailer](&spy, "mailer", fakeMailer{&spy})
	both := layer.Struct(
		layer.Field(l, func(e *env, m mailer) { e.a = m }),
		layer.Field(l, func(e *env, m mailer) { e.b = m }),
	)
	prog := effect.Access[env, error](func(e env) bool { return e.a != nil && e.b != nil })
	effecttest.AssertSucceeds(t, effecttest.Run(t, layer.Provide(prog, both)), true)
	spy.AssertCalledTimes(t, "build mailer", 1)
	spy.AssertCalledTimes(t, "release mailer", 1)

	// Fresh opts out of memoization: two builds, two releases.
	spy.Reset()
	fresh := layer.Fresh(l)
	twice := layer.Struct(
		layer.Field(fresh, func(e *env, m mailer) { e.a = m }),
		layer.Field(fresh, func(e *env, m mailer) { e.b = m }),
	)
	effecttest.AssertSucceeds(t, effecttest.Run(t, layer.Provide(prog, twice)), true)
	spy.AssertCalledTimes(t, "build mailer", 2)
	spy.AssertCalledTimes(t, "release mailer", 2)
}

func TestSpyReleasedBeforeWhatItWasBuiltOn(t *testing.T) {
	var spy effecttest.Spy
	cfg := layertest.Spy[any, error, string](&spy, "config", "smtp://test")
	m := layer.To(cfg, layertest.Spy[string, error, mailer](&spy, "mailer", fakeMailer{&spy}))
	effecttest.AssertSucceeds(t, effecttest.Run(t, layer.Provide(effect.AccessEffect(send), m)), 1)
	want := []string{"build config()", "build mailer()", `Send("ann@example.com", "hi")`, "release mailer()", "release config()"}
	if got := calls(&spy); !slices.Equal(got, want) {
		t.Fatalf("calls: got %v, want %v", got, want)
	}
}

func TestSpyReplacesARealLayer(t *testing.T) {
	var spy effecttest.Spy
	built := 0
	smtp := layer.Sync[error](func(any) mailer { built++; return realMailer{} }).Named("smtp")
	app := layer.Override(smtp, smtp.ReplaceWith(layertest.Spy[any, error, mailer](&spy, "mailer", fakeMailer{&spy})))
	effecttest.AssertSucceeds(t, effecttest.Run(t, layer.Provide(effect.AccessEffect(send), app)), 1)
	if built != 0 {
		t.Fatalf("the real layer was built %d times, want 0", built)
	}
	spy.AssertOrder(t, "build mailer", "Send", "release mailer")
}

func TestSpyNilSpyPanics(t *testing.T) {
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.HasPrefix(s, "layertest.Spy: spy") {
			t.Fatalf("got %#v, want a panic naming layertest.Spy and its argument", r)
		}
	}()
	layertest.Spy[any, error, mailer](nil, "mailer", nil)
}
