// Package inspector is a live page that shows what a gogoscope program is
// doing: its fibers, each under the fiber that forked it, with its state,
// what it waits for and since when; the requests in flight, each naming
// the fiber that serves it; the explicit scopes open; deadlocks found;
// and the main metrics. The page updates itself (server-sent events,
// with polling as a fallback), and every asset it uses is embedded:
// nothing is fetched from elsewhere.
//
//	insp := inspector.New(inspector.Options{App: app, Title: "orders"})
//	defer insp.Close()
//	insp.Mount(debugMux, "/debug/gogoscope")
//	srv.RegisterOnShutdown(insp.Close)
//
// # Security
//
// The page exposes a program's internals, as net/http/pprof does: do not
// serve it on a public listener. Nothing mounts it by default; mount it on
// an internal port or behind your operators' authentication, and give it
// an Authorize hook. In detail:
//
//   - Access. Options.Authorize is asked about every request (page,
//     assets, data, actions); a refusal is a 403 with no data. Without a
//     hook, only clients on the loopback interface are let in.
//   - Read-only by default. Actions (today: cancelling a request in flight)
//     exist only with Options.AllowActions; they are POST requests, refused
//     from other origins (http.CrossOriginProtection).
//   - Escaping. Fiber names, request labels (which hold request paths) and
//     what a fiber waits for are user text. The page is static HTML; its
//     script sets every value as text (textContent), never as markup, and
//     the JSON it reads escapes <, > and &. A fiber named <script> is shown
//     as those characters. The browser test checks it.
//   - A strict Content-Security-Policy: the page's own script and style
//     only, no inline code, no framing, connections to its own endpoints
//     only; and nosniff, no-referrer, no-store.
//
// # What it shows, and what it will
//
// The page is built over a small data model ([Snapshot]) that the runtime
// fills today from effect.Runtime's Fibers, its hooks and the
// application's requests. Fields the runtime cannot fill yet are part of
// the model and shown when filled: fiber names, exact wait start times,
// deadlocks (a [Source] can provide them; so will the runtime's own
// observability). Notes in the snapshot say what is missing.
//
// # Cost
//
// While an Inspector exists, its hooks record each fiber's start and end
// (a map update under a lock, per fiber); each snapshot walks the
// runtime's registry. Close removes the hooks.
//
// # Endpoints
//
// Relative to where it is mounted: "/" the page, "/app.js" and "/app.css"
// its assets, "/snapshot.json" one snapshot, "/events" the event stream,
// "/actions/cancel-request?id=N" (POST) the action.
package inspector
