package scopehttp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
)

// Options configure an [Adapter]. The zero value gives the documented
// defaults.
type Options struct {
	// Status maps the failure of a request effect (as [appscope.App.Run]
	// returns it: a typed failure that is an error as itself, else inside
	// the [effect.Cause]; use errors.As) to a status code. Returning 0
	// leaves the default rules to decide. It is not asked about defects
	// (always 500) nor about requests whose client has gone (no answer).
	Status func(err error) int
	// WriteError writes the answer to a failed request. Nil writes
	// o.Message as text/plain with o.Status and o.Header, as http.Error
	// does.
	WriteError func(w http.ResponseWriter, r *http.Request, o Outcome)
	// Logger receives the defects (with their stack), the failures answered
	// with a 5xx and the failures of request finalizers. Nil means
	// slog.Default().
	Logger *slog.Logger
	// Label names a request in the inspector and in logs. Nil means the
	// method and the URL path ("GET /users/42"); never the query, which
	// may hold secrets.
	Label func(r *http.Request) string
}

// Adapter serves HTTP requests with effects of an [appscope.App]: its
// [Adapter.Middleware] gives each request a scope, and its
// [Adapter.Handler] turns a function from a request to an effect into an
// http.Handler. The framework packages (scopechi, scopegin, scopeecho) are
// built on it.
type Adapter[R any] struct {
	app  *appscope.App[R]
	opts Options
	log  *slog.Logger
}

// New returns an Adapter that runs effects with app. It panics if app is
// nil.
func New[R any](app *appscope.App[R], opts Options) *Adapter[R] {
	if app == nil {
		panic("scopehttp.New: app must not be nil")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Adapter[R]{app: app, opts: opts, log: log}
}

// App returns the application the Adapter runs effects with.
func (ad *Adapter[R]) App() *appscope.App[R] { return ad.app }

// Label returns the label of r: Options.Label's, or the method and path.
func (ad *Adapter[R]) Label(r *http.Request) string {
	if ad.opts.Label != nil {
		return ad.opts.Label(r)
	}
	return r.Method + " " + r.URL.Path
}

// Middleware returns next wrapped so that each request has a request scope
// (see [appscope.App.Begin]), a child of the application scope: the
// effects that handlers down the chain run with the request's context
// ([Adapter.Handler], [appscope.App.Run]) share it, and it is closed when
// next returns — its fibers interrupted and awaited, its resources
// released in reverse order. The request's context is cancelled when the
// client goes away and when the App shuts down, which interrupts those
// effects. While the App is stopping, requests are answered 503 with
// Connection: close, and next is not called.
func (ad *Adapter[R]) Middleware(next http.Handler) http.Handler {
	if next == nil {
		panic("scopehttp.Adapter.Middleware: next must not be nil")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ad.app.InRequest(r.Context()) {
			next.ServeHTTP(w, r)
			return
		}
		err := ad.app.Request(r.Context(), ad.Label(r), func(ctx context.Context) {
			next.ServeHTTP(w, r.WithContext(ctx))
		})
		// Request returns ErrShutdown itself only when it refused.
		ad.Ended(w, r, err != appscope.ErrShutdown, err)
	})
}

// Ended handles what [appscope.App.Request] returned for r: if the
// handler was not called because the App is stopping, it answers 503
// (with Connection: close); if it was called, it logs the failures of the
// request's finalizers.
func (ad *Adapter[R]) Ended(w http.ResponseWriter, r *http.Request, called bool, err error) {
	switch {
	case err == nil:
	case !called && errors.Is(err, appscope.ErrShutdown):
		ad.Refuse(w, r, err)
	case called:
		ad.log.Error("scopehttp: request finalizer failed", "request", ad.Label(r), "error", err)
	}
}

// Handler returns an http.Handler that runs the effect h(r) for each
// request r and writes the [Response] it succeeds with. The effect runs on
// the handler's goroutine with the request's context: in the request
// scope of [Adapter.Middleware] if the request went through it, else in a
// request scope of its own, closed when the handler returns. A failure is
// answered as [Adapter.Outcome] decides (see the package doc for the
// rules); a client that went away gets no answer. h is called inside the
// effect, so a panic in it is a defect (500), not a crash. It panics if h
// is nil.
func (ad *Adapter[R]) Handler[E any](h func(*http.Request) effect.Effect[R, E, Response]) http.Handler {
	if h == nil {
		panic("scopehttp.Adapter.Handler: h must not be nil")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ServeEffect(ad, w, r, h)
	})
}

// ServeEffect serves r with the effect h(r) as [Adapter.Handler] does; the
// framework packages call it from their own handler types.
func ServeEffect[R, E any](ad *Adapter[R], w http.ResponseWriter, r *http.Request, h func(*http.Request) effect.Effect[R, E, Response]) {
	resp, out, ok := Exec(ad, r, h)
	if !ok {
		ad.WriteFailure(w, r, out)
		return
	}
	ad.Write(w, r, resp)
}

// Exec runs the effect h(r) for r, in the request's scope (opening one for
// the length of the call if r is not in a request yet), and returns the
// response, or the [Outcome] of its failure with ok false. It writes
// nothing; it logs what [Adapter.WriteFailure] would not (finalizer
// failures). The framework packages use it to answer in their own idiom.
func Exec[R, E any](ad *Adapter[R], r *http.Request, h func(*http.Request) effect.Effect[R, E, Response]) (resp Response, out Outcome, ok bool) {
	client := r.Context()
	var ex effect.Exit[E, Response]
	if ad.app.InRequest(client) {
		// In the request of the middleware: Serve runs h(r) in its scope.
		ex = ad.app.Serve(client, "", func(context.Context) effect.Effect[R, E, Response] { return h(r) })
	} else {
		// A request of its own, whose scope is the effect's region.
		ex = ad.app.Serve(client, ad.Label(r), func(ctx context.Context) effect.Effect[R, E, Response] {
			return h(r.WithContext(ctx))
		})
	}
	resp, err := ex.Get()
	if err != nil {
		return nil, ad.Outcome(client, err), false
	}
	if resp == nil {
		return nil, ad.Outcome(client, effect.CauseDie[error]("scopehttp: the handler's effect succeeded with a nil Response")), false
	}
	return resp, Outcome{}, true
}

// Outcome returns how to answer a request that failed with err, whose
// client's context is clientCtx (the request's context before the
// adapter's middleware: done when the client has gone). See the package
// doc for the rules.
func (ad *Adapter[R]) Outcome(clientCtx context.Context, err error) Outcome {
	return outcome(clientCtx, err, ad.opts.Status)
}

// Refuse answers a request that [appscope.App.Begin] refused with err
// (the App is stopping): 503 with Connection: close.
func (ad *Adapter[R]) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	ad.WriteFailure(w, r, ad.Outcome(r.Context(), effect.CauseInterrupt[error](0, err)))
}

// Write writes resp; if it fails before writing anything (an error
// wrapping [ErrNotWritten]), it answers 500 instead and logs the error;
// other errors are logged.
func (ad *Adapter[R]) Write(w http.ResponseWriter, r *http.Request, resp Response) {
	err := resp.WriteResponse(w, r)
	switch {
	case err == nil:
	case errors.Is(err, ErrNotWritten):
		ad.WriteFailure(w, r, ad.Outcome(r.Context(), effect.CauseDie[error](err)))
	default:
		ad.log.Warn("scopehttp: writing the response failed", "request", ad.Label(r), "error", err)
	}
}

// WriteFailure logs o as the package doc says (defects with their stack,
// 5xx failures as errors) and writes it with Options.WriteError; it
// writes nothing when o.Status is 0 (the client has gone).
func (ad *Adapter[R]) WriteFailure(w http.ResponseWriter, r *http.Request, o Outcome) {
	ad.LogFailure(r, o)
	if o.Status == 0 {
		return
	}
	if ad.opts.WriteError != nil {
		ad.opts.WriteError(w, r, o)
		return
	}
	h := w.Header()
	for k, vs := range o.Header {
		h[k] = vs
	}
	http.Error(w, o.Message, o.Status)
}

// LogFailure logs the failure o of the request r: a defect at level Error
// with its value and stack; an interruption by the shutdown or by a client
// that went away at level Debug; a request cancelled by an operator
// ([appscope.App.Cancel]) at level Info; any other 5xx answer at level
// Error; anything else (4xx) at level Debug.
func (ad *Adapter[R]) LogFailure(r *http.Request, o Outcome) {
	label := ad.Label(r)
	switch {
	case o.Defect != nil:
		ad.log.Error("scopehttp: defect in request", "request", label, "status", o.Status,
			"defect", o.Defect.Value, "stack", o.Defect.Stack)
	case o.Status == 0:
		ad.log.Debug("scopehttp: client went away", "request", label, "error", o.Err)
	case errors.Is(o.Err, appscope.ErrShutdown):
		ad.log.Debug("scopehttp: request interrupted by the shutdown", "request", label)
	case errors.Is(o.Err, appscope.ErrCanceled):
		ad.log.Info("scopehttp: request cancelled by an operator", "request", label)
	case o.Status >= 500:
		ad.log.Error("scopehttp: request failed", "request", label, "status", o.Status, "error", o.Err)
	default:
		ad.log.Debug("scopehttp: request failed", "request", label, "status", o.Status, "error", o.Err)
	}
}
