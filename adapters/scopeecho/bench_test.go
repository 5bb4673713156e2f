package scopeecho_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopeecho"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// instances returns an echo instance with a trivial route, bare and
// through the adapter's middleware and handler.
func instances(b *testing.B) map[string]http.Handler {
	app := appscope.New(struct{}{}, appscope.Options{})
	b.Cleanup(func() { app.Shutdown(context.Background()) })
	ad := scopeecho.New(app, scopehttp.Options{})
	bare := echo.New()
	bare.GET("/ok", func(c echo.Context) error { return c.String(200, "ok") })
	eff := echo.New()
	eff.Use(ad.Middleware())
	eff.GET("/ok", ad.Handler(func(echo.Context) effect.Effect[struct{}, error, scopehttp.Response] {
		return effect.Succeed[struct{}, error, scopehttp.Response](scopehttp.Text(200, "ok"))
	}))
	return map[string]http.Handler{"bare": bare, "adapter": eff}
}

func BenchmarkLoopback(b *testing.B) {
	for _, name := range []string{"bare", "adapter"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchLoopback(b, instances(b)[name], "/ok") })
	}
}

// BenchmarkLoopbackAB compares the bare echo instance and the adapter in alternating
// blocks of requests, so that the machine's load falls on both alike.
func BenchmarkLoopbackAB(b *testing.B) {
	h := instances(b)
	adaptertest.BenchLoopbackAB(b, h["bare"], h["adapter"], "/ok")
}

func BenchmarkInProcess(b *testing.B) {
	for _, name := range []string{"bare", "adapter"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchInProcess(b, instances(b)[name], "/ok") })
	}
}
