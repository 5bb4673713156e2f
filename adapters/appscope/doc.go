// Package appscope gives a server application what go-go-scope's
// framework adapters give a Fastify or Express app: a root scope for the
// application, an environment built once from layers at start, and a
// child scope for each request, closed when the request ends.
//
// It knows nothing of HTTP or gRPC: the adapters build on it
// (scopehttp for net/http, scopechi, scopegin and scopeecho for those
// frameworks, scopegrpc for gRPC servers). Use it directly for another
// protocol, or to run effects from plain handlers:
//
//	app, err := appscope.Build(ctx, appLayer, appscope.Options{}) // at start
//	...
//	err = app.Request(ctx, "job 42", func(ctx context.Context) { // per request
//		user, err := app.Run(ctx, getUser(42))           // in the request scope
//		...
//	})
//	...
//	err = app.Shutdown(ctx)                           // at the end
//
// # Lifetimes
//
//   - The application scope lives from [Build] (or [New]) to
//     [App.Shutdown]. The resources that the layers acquire belong to it and
//     are released in reverse order at shutdown; so are the fibers forked
//     into it ([App.Scope] with [effect.ForkIn]).
//   - A request scope is a child of the application scope. It is opened by
//     the first effect run with the request's context and closed by the
//     end function of [App.Begin]: its fibers are interrupted and awaited,
//     then its finalizers run in reverse order.
//   - The request's context is cancelled when the client goes away (the
//     context given to Begin is cancelled), when the App shuts down (cause
//     [ErrShutdown]) and by [App.Cancel] (cause [ErrCanceled]); cancelling it
//     interrupts the effects running with it.
//
// # Shutting down
//
// [App.Stop] refuses new requests and interrupts those in flight;
// [App.Shutdown] does the same, waits for them up to its context's
// deadline, and closes the application scope. A server lets requests
// finish for a grace period before that: scopehttp.Serve does the whole
// sequence for net/http.
//
// # Cost
//
// Begin costs the request's record (which is also its context), a link in
// a sharded registry and no run of the runtime. The record answers Err,
// Value and Deadline from the client's context and from the cause the
// request was stopped with; it makes a cancellable child of the client's
// context only when something waits on it (its Done, a child context, an
// AfterFunc), so a request whose handler never waits on its context
// registers nothing under the client's (on net/http, a request behind the
// middleware with a plain handler adds about 4 % to a trivial loopback
// request's CPU, the median of six runs; 6–8 % with a context made at
// Begin). The request scope is
// opened from plain Go when the request's first effect runs (one
// allocation); end closes it at once, without running an effect, if no
// fiber forked in it is still running and no finalizer was added to it
// (the common case), and otherwise with one run of the runtime. An effect
// run with the request's context itself runs with the request's values
// but not its cancellation: the request interrupts its running effects
// itself when it stops (the client's going away, watched once per request
// from its first effect, the shutdown, [App.Cancel], its end), so a run
// costs no watch of a cancellable context; a context made from the
// request's (a timeout) is watched as [effect.Runtime.RunExit] watches any
// context. Serve is one run in all. The shutdown reaches the requests
// through the registry, so a request does not pay for watching a shutdown
// context. The benchmarks of scopehttp measure the whole path against a
// bare handler (BENCHMARKS.md).
//
// # Which to use
//
//   - Use the adapter of your framework (scopehttp, scopechi, scopegin,
//     scopeecho, scopegrpc): it calls Begin and end for you and maps
//     failures to status codes.
//   - Use appscope directly for another protocol (a queue consumer, a
//     WebSocket hub): one Begin per message or connection.
//   - Use [App.Run] without Begin for background work started by the
//     application: each call gets a scope of its own under the
//     application scope.
package appscope
