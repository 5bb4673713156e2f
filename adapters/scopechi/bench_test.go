package scopechi_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopechi"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// routers returns a chi router with a trivial route, bare and through the
// adapter's middleware and handler.
func routers(b *testing.B) map[string]http.Handler {
	app := appscope.New(struct{}{}, appscope.Options{})
	b.Cleanup(func() { app.Shutdown(context.Background()) })
	ad := scopechi.New(app, scopehttp.Options{})
	bare := chi.NewRouter()
	bare.Get("/ok", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	eff := chi.NewRouter()
	eff.Use(ad.Middleware)
	eff.Get("/ok", ad.Handler(func(*http.Request) effect.Effect[struct{}, error, scopehttp.Response] {
		return effect.Succeed[struct{}, error, scopehttp.Response](scopehttp.Text(200, "ok"))
	}))
	return map[string]http.Handler{"bare": bare, "adapter": eff}
}

func BenchmarkLoopback(b *testing.B) {
	for _, name := range []string{"bare", "adapter"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchLoopback(b, routers(b)[name], "/ok") })
	}
}

// BenchmarkLoopbackAB compares the bare chi router and the adapter in alternating
// blocks of requests, so that the machine's load falls on both alike.
func BenchmarkLoopbackAB(b *testing.B) {
	h := routers(b)
	adaptertest.BenchLoopbackAB(b, h["bare"], h["adapter"], "/ok")
}

func BenchmarkInProcess(b *testing.B) {
	for _, name := range []string{"bare", "adapter"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchInProcess(b, routers(b)[name], "/ok") })
	}
}
