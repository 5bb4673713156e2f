package scopegrpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"

	"github.com/gogoscope/gogoscope/adapters/appscope"
)

// ServeOptions configure [Serve]'s graceful shutdown.
type ServeOptions struct {
	// Grace is how long the calls in flight may go on after the stop
	// signal before they are interrupted. Zero means 10 seconds.
	Grace time.Duration
	// Drain is how long, after the interruption, the interrupted calls
	// have to end before the server closes their connections. Zero means
	// 5 seconds.
	Drain time.Duration
}

// Serve serves srv on ln until ctx is done, then shuts down gracefully:
//
//  1. it stops accepting connections and new calls
//     ([grpc.Server.GracefulStop]) and lets the calls in flight finish;
//  2. if some are still running after Grace, it interrupts them
//     ([appscope.App.Stop]): their effects stop at the next step, their
//     fibers are interrupted and their finalizers run, and they fail with
//     Unavailable;
//  3. if some are still running after Drain more, it closes every
//     connection ([grpc.Server.Stop]);
//  4. it closes the application scope ([appscope.App.Shutdown]): the
//     fibers forked into it stop and the services built from layers are
//     released in reverse order.
//
// It returns nil after a shutdown that went to plan; the error of
// srv.Serve if serving failed (the App is shut down as well); otherwise
// the failures met on the way, joined. Serve owns the goroutines it starts
// and returns after they have ended. It panics if an argument is nil or
// an option negative.
func Serve[R any](ctx context.Context, srv *grpc.Server, ln net.Listener, app *appscope.App[R], opts ServeOptions) error {
	if srv == nil || ln == nil || app == nil {
		panic("scopegrpc.Serve: srv, ln and app must not be nil")
	}
	if opts.Grace < 0 || opts.Drain < 0 {
		panic(fmt.Sprintf("scopegrpc.Serve: Grace and Drain must be >= 0, got %v and %v", opts.Grace, opts.Drain))
	}
	if opts.Grace == 0 {
		opts.Grace = 10 * time.Second
	}
	if opts.Drain == 0 {
		opts.Drain = 5 * time.Second
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	base := context.WithoutCancel(ctx)

	select {
	case err := <-served:
		sctx, cancel := context.WithTimeout(base, opts.Drain)
		defer cancel()
		srv.Stop()
		return errors.Join(err, app.Shutdown(sctx))
	case <-ctx.Done():
	}

	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	var stopErr error
	grace := time.NewTimer(opts.Grace)
	select {
	case <-stopped:
		grace.Stop()
	case <-grace.C:
		app.Stop()
		drain := time.NewTimer(opts.Drain)
		select {
		case <-stopped:
			drain.Stop()
		case <-drain.C:
			stopErr = fmt.Errorf("scopegrpc: calls still running after the drain period of %v: connections closed", opts.Drain)
			srv.Stop()
			<-stopped
		}
	}
	serveErr := <-served
	sctx, cancel := context.WithTimeout(base, opts.Drain)
	defer cancel()
	return errors.Join(stopErr, serveErr, app.Shutdown(sctx))
}
