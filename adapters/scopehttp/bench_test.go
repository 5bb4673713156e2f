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

// handlers returns a trivial handler three ways: bare net/http, the
// adapter's handler alone, and the handler behind the adapter's
// middleware.
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
	return map[string]http.Handler{"bare": bare, "handler": eff, "middleware": ad.Middleware(eff)}
}

func BenchmarkLoopback(b *testing.B) {
	for _, name := range []string{"bare", "handler", "middleware"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchLoopback(b, handlers(b)[name], "/ok") })
	}
}

func BenchmarkInProcess(b *testing.B) {
	for _, name := range []string{"bare", "handler", "middleware"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchInProcess(b, handlers(b)[name], "/ok") })
	}
}
