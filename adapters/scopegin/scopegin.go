// Package scopegin serves gin requests with effects, over scopehttp:
// [Adapter.Middleware] is a gin middleware that gives each request a
// scope, a child of the application's, closed when the chain returns;
// [Adapter.Handler] is a gin.HandlerFunc that runs an effect for each
// request and writes the response it succeeds with. A failure is recorded
// with c.Error, for gin's error middlewares, and answered by scopehttp's
// rules (see the scopehttp package doc), then the chain is aborted.
//
//	ad := scopegin.New(app, scopehttp.Options{})
//	r := gin.New()
//	r.Use(ad.Middleware())
//	r.GET("/users/:id", ad.Handler(func(c *gin.Context) Eff[scopehttp.Response] {
//		return getUser(c.Param("id")).Map(toJSON)
//	}))
//	err := scopehttp.Serve(ctx, &http.Server{Handler: r}, ln, app, scopehttp.ServeOptions{})
//
// The *gin.Context handed to a handler is valid until the request ends:
// gin reuses it afterwards. Fibers forked in the request stop before that
// (the request scope closes first); a fiber forked into the application
// scope must take c.Copy() instead.
//
// Use it for a gin engine; use scopehttp with a ServeMux, scopechi with
// chi, scopeecho with echo.
package scopegin

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// Adapter serves gin requests with the effects of an [appscope.App].
type Adapter[R any] struct {
	http *scopehttp.Adapter[R]
}

// New returns an Adapter running effects with app. It panics if app is
// nil.
func New[R any](app *appscope.App[R], opts scopehttp.Options) *Adapter[R] {
	if app == nil {
		panic("scopegin.New: app must not be nil")
	}
	return &Adapter[R]{http: scopehttp.New(app, opts)}
}

// Wrap returns an Adapter over ad, with ad's options as they are.
func Wrap[R any](ad *scopehttp.Adapter[R]) *Adapter[R] {
	if ad == nil {
		panic("scopegin.Wrap: ad must not be nil")
	}
	return &Adapter[R]{http: ad}
}

// HTTP returns the scopehttp adapter underneath.
func (a *Adapter[R]) HTTP() *scopehttp.Adapter[R] { return a.http }

// Middleware returns a gin middleware (r.Use(ad.Middleware())) that gives
// each request a request scope, as [scopehttp.Adapter.Middleware] does:
// effects run with c.Request.Context() share it, and it is closed when the
// rest of the chain has returned. While the App is stopping it answers 503
// with Connection: close and aborts the chain.
func (a *Adapter[R]) Middleware() gin.HandlerFunc {
	app := a.http.App()
	return func(c *gin.Context) {
		if app.InRequest(c.Request.Context()) {
			c.Next()
			return
		}
		r := c.Request
		err := app.Request(r.Context(), a.http.Label(r), func(ctx context.Context) {
			c.Request = r.WithContext(ctx)
			c.Next()
		})
		// Request returns ErrShutdown itself only when it refused.
		called := err != appscope.ErrShutdown
		if !called {
			c.Abort()
		}
		a.http.Ended(c.Writer, r, called, err)
	}
}

// Handler returns a gin.HandlerFunc that runs h(c) in the request's scope
// and writes the [scopehttp.Response] it succeeds with; on a failure it
// records the error with c.Error, answers by scopehttp's rules (nothing
// when the client has gone) and aborts the chain. h is called inside the
// effect, so a panic in it is a defect (500). It panics if h is nil.
func (a *Adapter[R]) Handler[E any](h func(*gin.Context) effect.Effect[R, E, scopehttp.Response]) gin.HandlerFunc {
	if h == nil {
		panic("scopegin.Adapter.Handler: h must not be nil")
	}
	return func(c *gin.Context) {
		resp, out, ok := scopehttp.Exec(a.http, c.Request, func(r *http.Request) effect.Effect[R, E, scopehttp.Response] {
			c.Request = r
			return h(c)
		})
		if !ok {
			c.Abort()
			_ = c.Error(out.Err)
			a.http.WriteFailure(c.Writer, c.Request, out)
			return
		}
		a.http.Write(c.Writer, c.Request, resp)
	}
}
