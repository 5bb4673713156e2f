package scopegin_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopegin"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// engines returns a gin engine with a trivial route, bare and through the
// adapter's middleware and handler.
func engines(b *testing.B) map[string]http.Handler {
	app := appscope.New(struct{}{}, appscope.Options{})
	b.Cleanup(func() { app.Shutdown(context.Background()) })
	ad := scopegin.New(app, scopehttp.Options{})
	bare := gin.New()
	bare.GET("/ok", func(c *gin.Context) { c.String(200, "ok") })
	eff := gin.New()
	eff.Use(ad.Middleware())
	eff.GET("/ok", ad.Handler(func(*gin.Context) effect.Effect[struct{}, error, scopehttp.Response] {
		return effect.Succeed[struct{}, error, scopehttp.Response](scopehttp.Text(200, "ok"))
	}))
	return map[string]http.Handler{"bare": bare, "adapter": eff}
}

func BenchmarkLoopback(b *testing.B) {
	for _, name := range []string{"bare", "adapter"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchLoopback(b, engines(b)[name], "/ok") })
	}
}

// BenchmarkLoopbackAB compares the bare gin engine and the adapter in alternating
// blocks of requests, so that the machine's load falls on both alike.
func BenchmarkLoopbackAB(b *testing.B) {
	h := engines(b)
	adaptertest.BenchLoopbackAB(b, h["bare"], h["adapter"], "/ok")
}

func BenchmarkInProcess(b *testing.B) {
	for _, name := range []string{"bare", "adapter"} {
		b.Run(name, func(b *testing.B) { adaptertest.BenchInProcess(b, engines(b)[name], "/ok") })
	}
}
