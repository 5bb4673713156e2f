// Package scopeecho serves echo requests with effects, over scopehttp:
// [Adapter.Middleware] is an echo middleware that gives each request a
// scope, a child of the application's, closed when the chain returns;
// [Adapter.Handler] is an echo.HandlerFunc that runs an effect for each
// request and writes the response it succeeds with. A failure is
// returned, in echo's idiom, as an *echo.HTTPError whose code follows
// scopehttp's rules (see the scopehttp package doc) and whose Internal
// error is the failure, for the echo instance's HTTPErrorHandler to
// render.
//
//	ad := scopeecho.New(app, scopehttp.Options{})
//	e := echo.New()
//	e.Use(ad.Middleware())
//	e.GET("/users/:id", ad.Handler(func(c echo.Context) Eff[scopehttp.Response] {
//		return getUser(c.Param("id")).Map(toJSON)
//	}))
//	err := scopehttp.Serve(ctx, &http.Server{Handler: e}, ln, app, scopehttp.ServeOptions{})
//
// scopehttp.Serve replaces e.Start and e.Shutdown: it shuts down
// gracefully, then closes the application scope. The echo.Context handed
// to a handler is valid until the request ends: echo reuses it afterwards.
// Fibers forked in the request stop before that (the request scope closes
// first).
//
// Use it for an echo instance; use scopehttp with a ServeMux, scopechi
// with chi, scopegin with gin.
package scopeecho

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// Adapter serves echo requests with the effects of an [appscope.App].
type Adapter[R any] struct {
	http *scopehttp.Adapter[R]
}

// New returns an Adapter running effects with app. Options.WriteError is
// not used: echo's HTTPErrorHandler writes failures. It panics if app is
// nil.
func New[R any](app *appscope.App[R], opts scopehttp.Options) *Adapter[R] {
	if app == nil {
		panic("scopeecho.New: app must not be nil")
	}
	return &Adapter[R]{http: scopehttp.New(app, opts)}
}

// Wrap returns an Adapter over ad, with ad's options as they are.
func Wrap[R any](ad *scopehttp.Adapter[R]) *Adapter[R] {
	if ad == nil {
		panic("scopeecho.Wrap: ad must not be nil")
	}
	return &Adapter[R]{http: ad}
}

// HTTP returns the scopehttp adapter underneath.
func (a *Adapter[R]) HTTP() *scopehttp.Adapter[R] { return a.http }

// Middleware returns an echo middleware (e.Use(ad.Middleware())) that
// gives each request a request scope, as [scopehttp.Adapter.Middleware]
// does: effects run with c.Request().Context() share it, and it is closed
// when the rest of the chain has returned. While the App is stopping it
// returns a 503 *echo.HTTPError, with Connection: close.
func (a *Adapter[R]) Middleware() echo.MiddlewareFunc {
	app := a.http.App()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if app.InRequest(req.Context()) {
				return next(c)
			}
			var nextErr error
			err := app.Request(req.Context(), a.http.Label(req), func(ctx context.Context) {
				c.SetRequest(req.WithContext(ctx))
				nextErr = next(c)
			})
			// Request returns ErrShutdown itself only when it refused.
			called := err != appscope.ErrShutdown
			switch {
			case !called:
				return a.fail(c, a.http.Outcome(req.Context(), effect.CauseInterrupt[error](0, err)))
			case called && err != nil:
				a.http.Ended(c.Response(), req, called, err) // logs
			}
			return nextErr
		}
	}
}

// Handler returns an echo.HandlerFunc that runs h(c) in the request's
// scope and writes the [scopehttp.Response] it succeeds with. On a failure
// it returns an *echo.HTTPError (nil when the client has gone: there is no
// one to answer). h is called inside the effect, so a panic in it is a
// defect (500). It panics if h is nil.
func (a *Adapter[R]) Handler[E any](h func(echo.Context) effect.Effect[R, E, scopehttp.Response]) echo.HandlerFunc {
	if h == nil {
		panic("scopeecho.Adapter.Handler: h must not be nil")
	}
	return func(c echo.Context) error {
		resp, out, ok := scopehttp.Exec(a.http, c.Request(), func(r *http.Request) effect.Effect[R, E, scopehttp.Response] {
			c.SetRequest(r)
			return h(c)
		})
		if !ok {
			return a.fail(c, out)
		}
		err := resp.WriteResponse(c.Response(), c.Request())
		if errors.Is(err, scopehttp.ErrNotWritten) {
			return a.fail(c, a.http.Outcome(c.Request().Context(), effect.CauseDie[error](err)))
		}
		return err
	}
}

// fail logs o and returns it in echo's idiom: an *echo.HTTPError with the
// outcome's headers set on the response, or nil when there is no one to
// answer.
func (a *Adapter[R]) fail(c echo.Context, o scopehttp.Outcome) error {
	a.http.LogFailure(c.Request(), o)
	if o.Status == 0 {
		return nil
	}
	h := c.Response().Header()
	for k, vs := range o.Header {
		h[k] = vs
	}
	return &echo.HTTPError{Code: o.Status, Message: o.Message, Internal: o.Err}
}
