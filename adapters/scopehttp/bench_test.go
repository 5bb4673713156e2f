package scopehttp_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// handlers returns a trivial handler four ways: bare net/http, the
// adapter's handler alone, the handler behind the adapter's middleware
// ("middleware"), and the bare handler behind the middleware
// ("middleware, plain handler").
func handlers(b *testing.B) map[string]http.Handler {
	app := appscope.New(struct{}{}, appscope.Options{})
	b.Cleanup(func() { app.Shutdown(context.Background()) })
	ad := scopehttp.New(app, scopehttp.Options{})
	bare := http.NewServeMux()
	bare.HandleFunc("GET /ok", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	eff := http.NewServeMux()
	eff.Handle("GET /ok", ad.Handler(func(*http.Request) effect.Effect[struct{}, error, scopehttp.Response] {
		return effect.Succeed[struct{}, error, scopehttp.Response](scopehttp.Text(200, "ok"))
	}))
	return map[string]http.Handler{"bare": bare, "handler": eff, "middleware": ad.Middleware(eff),
		"middleware, plain handler": ad.Middleware(bare)}
}

func BenchmarkLoopback(b *testing.B) {
	for _, name := range []string{"bare", "handler", "middleware"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchLoopback(b, handlers(b)[name], "/ok") })
	}
}

// BenchmarkLoopbackAB compares the bare net/http mux and the adapter in alternating
// blocks of requests, so that the machine's load falls on both alike.
func BenchmarkLoopbackAB(b *testing.B) {
	for _, name := range []string{"middleware", "middleware, plain handler"} {
		b.Run(name, func(b *testing.B) {
			h := handlers(b)
			adaptertest.BenchLoopbackAB(b, h["bare"], h[name], "/ok")
		})
	}
}

func BenchmarkInProcess(b *testing.B) {
	for _, name := range []string{"bare", "handler", "middleware"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchInProcess(b, handlers(b)[name], "/ok") })
	}
}
