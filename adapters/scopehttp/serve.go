package scopehttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gogoscope/gogoscope/adapters/appscope"
)

// ServeOptions configure [Serve]'s graceful shutdown.
type ServeOptions struct {
	// Grace is how long the requests in flight may go on after the stop
	// signal before they are interrupted. Zero means 10 seconds.
	Grace time.Duration
	// Drain is how long, after the interruption, the interrupted requests
	// have to write their answers and run their finalizers, and the
	// application scope has to start closing. Zero means 5 seconds. The
	// finalizers of the application scope always run to their end.
	Drain time.Duration
}

func (o ServeOptions) withDefaults() ServeOptions {
	if o.Grace < 0 || o.Drain < 0 {
		panic(fmt.Sprintf("scopehttp.Serve: Grace and Drain must be >= 0, got %v and %v", o.Grace, o.Drain))
	}
	if o.Grace == 0 {
		o.Grace = 10 * time.Second
	}
	if o.Drain == 0 {
		o.Drain = 5 * time.Second
	}
	return o
}

// Serve serves srv on ln until ctx is done (signal.NotifyContext with
// SIGTERM, typically), then shuts down gracefully, in this order:
//
//  1. it stops accepting connections and closes the idle ones
//     ([http.Server.Shutdown]), and lets the requests in flight finish;
//  2. if some are still running after Grace, it interrupts them
//     ([appscope.App.Stop]): their effects stop at the next step, their
//     fibers are interrupted and their finalizers run, and they answer 503
//     with Connection: close; new requests on open connections get the
//     same;
//  3. it waits up to Drain for those answers to be written, then closes
//     the application scope ([appscope.App.Shutdown]): the fibers forked
//     into it stop, and the services built from layers are released in
//     reverse order;
//  4. it closes what connections remain ([http.Server.Close]).
//
// It returns nil after a shutdown that went to plan; the error of
// srv.Serve if serving failed (the App is shut down as well); otherwise
// the failures met on the way (a grace or drain period exceeded, a failing
// finalizer), joined. Serve owns the goroutines it starts and returns
// after they have ended. It panics if an argument is nil or an option
// negative.
func Serve[R any](ctx context.Context, srv *http.Server, ln net.Listener, app *appscope.App[R], opts ServeOptions) error {
	if srv == nil || ln == nil || app == nil {
		panic("scopehttp.Serve: srv, ln and app must not be nil")
	}
	opts = opts.withDefaults()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		// Serving failed before any stop signal.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.Drain)
		defer cancel()
		return errors.Join(err, app.Shutdown(sctx), srv.Close())
	case <-ctx.Done():
	}

	base := context.WithoutCancel(ctx)
	hard, cancelHard := context.WithTimeout(base, opts.Grace+opts.Drain)
	defer cancelHard()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(hard) }()

	grace := time.NewTimer(opts.Grace)
	var shutErr error
	select {
	case shutErr = <-shut:
		grace.Stop()
	case <-grace.C:
		// Grace is over: interrupt what is still running, and let the
		// handlers write their 503s while Shutdown keeps waiting.
		app.Stop()
		shutErr = <-shut
	}
	if shutErr != nil {
		shutErr = fmt.Errorf("scopehttp: connections still open after the drain period: %w", shutErr)
	}
	serveErr := <-served // Shutdown closed the listener: Serve has returned
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	appErr := app.Shutdown(hard)
	closeErr := srv.Close()
	return errors.Join(shutErr, appErr, closeErr, serveErr)
}
