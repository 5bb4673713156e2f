// Package scopehttp serves net/http requests with effects: each request
// has a scope, a child of the application's (see appscope), closed when
// its handler returns; the request's context is the effect's, so a client
// that goes away interrupts the request's fibers; failures become status
// codes; and [Serve] shuts a server down gracefully, then releases the
// application's layers in reverse order.
//
//	app, err := appscope.Build(ctx, AppLayer, appscope.Options{})
//	ad := scopehttp.New(app, scopehttp.Options{Status: statusOf})
//	mux := http.NewServeMux()
//	mux.Handle("GET /users/{id}", ad.Handler(func(r *http.Request) Eff[scopehttp.Response] {
//		return getUser(r.PathValue("id")).Map(func(u User) scopehttp.Response {
//			return scopehttp.JSON(http.StatusOK, u)
//		})
//	}))
//	srv := &http.Server{Handler: ad.Middleware(mux)}
//	err = scopehttp.Serve(ctx, srv, ln, app, scopehttp.ServeOptions{Grace: 10 * time.Second})
//
// The chi, gin and echo adapters (scopechi, scopegin, scopeecho) are thin
// packages over this one, in their frameworks' idioms; Fiber (fasthttp) has
// none: it does not build on net/http, and its releases are not among the
// modules this project takes.
//
// # Request scopes
//
// [Adapter.Middleware] begins a request ([appscope.App.Begin]) and ends it
// when the rest of the chain returns: every effect run with the request's
// context, by [Adapter.Handler] or by plain code calling
// [appscope.App.Run], shares the request scope, so a resource acquired in a
// middleware (a transaction, a lock) lives until the response is done and
// is released then, and a fiber forked by the handler is interrupted then.
// Without the middleware, each [Adapter.Handler] opens a request scope of
// its own for the length of the call.
//
// # Responses and failures
//
// A handler's effect succeeds with a [Response], written by the adapter
// after the effect has ended ([JSON], [Text], [Blob], [Empty], [Redirect],
// or a [ResponseFunc]). A failure is answered by these rules, in order
// ([Adapter.Outcome]):
//
//  1. the client went away (its context is done and the effect was
//     interrupted): no answer is written;
//  2. a defect (a panic, effect.Die): 500, the value and its stack logged,
//     never sent;
//  3. Options.Status, if it returns a code: that code;
//  4. a [*StatusError] ([NewError]): its code and message;
//  5. the application is shutting down ([appscope.ErrShutdown]): 503 with
//     Connection: close;
//  6. an open circuit breaker ([resource.ErrBreakerOpen]): 503 with
//     Retry-After when the breaker says when it will let calls through;
//  7. the handler's own time limit (an [*effect.TimeoutError]: the effect
//     ran past its Timeout, as with [http.TimeoutHandler]) or another
//     interruption (an operator's [appscope.App.Cancel]): 503;
//  8. a deadline met upstream ([context.DeadlineExceeded] from a call the
//     handler made): 504;
//  9. anything else: 500, logged.
//
// The body of a failure is the status text, or a StatusError's message:
// never the error itself, which may hold internals. Options.WriteError
// changes the format (JSON problem details, say).
//
// # Shutdown
//
// [Serve] stops accepting connections, lets the requests in flight finish
// for a grace period, interrupts those still running (they answer 503 and
// their finalizers run), then closes the application scope. See [Serve]
// for the exact sequence.
//
// # Cost
//
// Through the middleware and a handler, a request costs the bare
// handler's work plus a context, a registry link, a copy of the
// *http.Request with that context, a request scope and one run of the
// runtime for the effect (a fiber on the handler's goroutine, which the
// request interrupts itself: no watch of the context per run); the
// request scope closes without a run when the effect left nothing in it
// (no fiber still running, no finalizer). BENCHMARKS.md has the figures
// beside a bare net/http handler, in process and on loopback.
//
// # Which to use
//
//   - Use [Adapter.Middleware] around the whole router and
//     [Adapter.Handler] for the routes written as effects; plain handlers
//     beside them can still run effects in the request scope with
//     [appscope.App.Run] and the request's context.
//   - Use [Adapter.Handler] alone when only some routes use effects and
//     no middleware needs the request scope.
//   - Use [Exec] (or [ServeEffect]) to build an adapter for another
//     router.
package scopehttp
