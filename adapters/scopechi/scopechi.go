// Package scopechi serves requests of a chi router with effects, over
// scopehttp: [Adapter.Middleware] is a chi middleware that gives each
// request a scope, a child of the application's, closed when the chain
// returns; [Adapter.Handler] is an http.HandlerFunc that runs an effect
// for each request and writes the response it succeeds with. Failures are
// answered by scopehttp's rules (see the scopehttp package doc).
//
//	ad := scopechi.New(app, scopehttp.Options{})
//	r := chi.NewRouter()
//	r.Use(ad.Middleware)
//	r.Get("/users/{id}", ad.Handler(func(r *http.Request) Eff[scopehttp.Response] {
//		return getUser(chi.URLParam(r, "id")).Map(toJSON)
//	}))
//	err := scopehttp.Serve(ctx, &http.Server{Handler: r}, ln, app, scopehttp.ServeOptions{})
//
// chi routes plain net/http handlers, so this package is scopehttp in
// chi's shapes: a middleware for r.Use and handlers of type
// http.HandlerFunc for r.Get, r.Post and r.Method.
//
// Use it for a chi router; use scopehttp with a ServeMux, scopegin with
// gin, scopeecho with echo.
package scopechi

import (
	"net/http"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// Adapter serves a chi router's requests with the effects of an
// [appscope.App].
type Adapter[R any] struct {
	http *scopehttp.Adapter[R]
}

// New returns an Adapter running effects with app. It panics if app is
// nil.
func New[R any](app *appscope.App[R], opts scopehttp.Options) *Adapter[R] {
	if app == nil {
		panic("scopechi.New: app must not be nil")
	}
	return &Adapter[R]{http: scopehttp.New(app, opts)}
}

// Wrap returns an Adapter over ad, with ad's options as they are.
func Wrap[R any](ad *scopehttp.Adapter[R]) *Adapter[R] {
	if ad == nil {
		panic("scopechi.Wrap: ad must not be nil")
	}
	return &Adapter[R]{http: ad}
}

// HTTP returns the scopehttp adapter underneath.
func (a *Adapter[R]) HTTP() *scopehttp.Adapter[R] { return a.http }

// Middleware is a chi middleware (r.Use(ad.Middleware)) that gives each
// request a request scope, as [scopehttp.Adapter.Middleware] does: effects
// run with the request's context share it, and it is closed when next
// returns. While the App is stopping it answers 503 with Connection: close.
func (a *Adapter[R]) Middleware(next http.Handler) http.Handler { return a.http.Middleware(next) }

// Handler returns an http.HandlerFunc for a chi route that runs h(r) and
// writes the [scopehttp.Response] it succeeds with, as
// [scopehttp.Adapter.Handler] does. Read path parameters with
// chi.URLParam(r, name) inside h. It panics if h is nil.
func (a *Adapter[R]) Handler[E any](h func(*http.Request) effect.Effect[R, E, scopehttp.Response]) http.HandlerFunc {
	if h == nil {
		panic("scopechi.Adapter.Handler: h must not be nil")
	}
	return func(w http.ResponseWriter, r *http.Request) { scopehttp.ServeEffect(a.http, w, r, h) }
}
