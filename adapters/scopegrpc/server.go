package scopegrpc

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
)

// Options configure an [Adapter]. The zero value gives the documented
// defaults.
type Options struct {
	// Code maps the failure of a call (as [appscope.App.Run] returns it;
	// use errors.As) to a gRPC code. Returning codes.OK leaves the default
	// rules to decide. It is not asked about defects (always Internal) nor
	// about calls the client has cancelled.
	Code func(err error) codes.Code
	// Logger receives the defects (with their stack), the failures answered
	// Internal, Unknown or DataLoss, and the failures of call finalizers.
	// Nil means slog.Default().
	Logger *slog.Logger
}

// Adapter serves gRPC calls with the effects of an [appscope.App]: its
// interceptors give each call a scope, a child of the application's,
// closed when the handler returns; [Adapter.Run] runs an effect for a
// handler and returns its failure as a gRPC status.
type Adapter[R any] struct {
	app  *appscope.App[R]
	opts Options
	log  *slog.Logger
}

// New returns an Adapter running effects with app. It panics if app is
// nil.
func New[R any](app *appscope.App[R], opts Options) *Adapter[R] {
	if app == nil {
		panic("scopegrpc.New: app must not be nil")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Adapter[R]{app: app, opts: opts, log: log}
}

// App returns the application the Adapter runs effects with.
func (a *Adapter[R]) App() *appscope.App[R] { return a.app }

// ServerOptions returns the options that install both interceptors:
// grpc.NewServer(ad.ServerOptions()...). They chain after interceptors
// installed before them.
func (a *Adapter[R]) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(a.UnaryInterceptor()),
		grpc.ChainStreamInterceptor(a.StreamInterceptor()),
	}
}

// UnaryInterceptor returns a unary server interceptor that gives each call
// a call scope ([appscope.App.Begin], labelled with the full method name):
// effects run with the handler's context share it, and it is closed when
// the handler returns — its fibers interrupted and awaited, its resources
// released. The context is cancelled when the client cancels the call or
// its deadline passes, and when the App shuts down, which interrupts those
// effects. An error the handler returns is answered as [Adapter.Outcome]
// decides. While the App is stopping, calls fail at once with Unavailable.
func (a *Adapter[R]) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if a.app.InRequest(ctx) {
			return handler(ctx, req)
		}
		var (
			resp any
			err  error
		)
		rerr := a.app.Request(ctx, info.FullMethod, func(rctx context.Context) {
			resp, err = handler(rctx, req)
		})
		// Request returns ErrShutdown itself only when it refused.
		if rerr == appscope.ErrShutdown {
			return nil, a.Status(ctx, info.FullMethod, effect.CauseInterrupt[error](0, rerr)).Err()
		}
		a.ended(info.FullMethod, rerr)
		if err != nil {
			return resp, a.Status(ctx, info.FullMethod, err).Err()
		}
		return resp, nil
	}
}

// StreamInterceptor returns a stream server interceptor that gives each
// streaming call a call scope, as [Adapter.UnaryInterceptor] does for
// unary calls: the stream's Context() is the call's, and the scope is
// closed when the handler returns.
func (a *Adapter[R]) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx := ss.Context()
		if a.app.InRequest(ctx) {
			return handler(srv, ss)
		}
		var err error
		rerr := a.app.Request(ctx, info.FullMethod, func(rctx context.Context) {
			err = handler(srv, &scopedStream{ServerStream: ss, ctx: rctx})
		})
		// Request returns ErrShutdown itself only when it refused.
		if rerr == appscope.ErrShutdown {
			return a.Status(ctx, info.FullMethod, effect.CauseInterrupt[error](0, rerr)).Err()
		}
		a.ended(info.FullMethod, rerr)
		if err != nil {
			return a.Status(ctx, info.FullMethod, err).Err()
		}
		return nil
	}
}

// scopedStream is a server stream whose context is the call's.
type scopedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *scopedStream) Context() context.Context { return s.ctx }

// Run runs e for the call whose handler has the context ctx — in the
// call's scope when ctx comes from the interceptors — and returns its
// value, or its failure as a gRPC status error ([Adapter.Outcome]). A
// handler is one line:
//
//	func (s *server) GetUser(ctx context.Context, req *pb.GetUserRequest) (*pb.User, error) {
//		return s.grpc.Run(ctx, getUser(req.Id))
//	}
func (a *Adapter[R]) Run[E, A any](ctx context.Context, e effect.Effect[R, E, A]) (A, error) {
	v, err := a.app.Run(ctx, e)
	if err != nil {
		method, _ := grpc.Method(ctx)
		return v, &answered{st: a.Status(ctx, method, err)}
	}
	return v, nil
}

// Outcome returns how to answer a call that failed with err, whose
// incoming context is clientCtx. See the package doc for the rules.
func (a *Adapter[R]) Outcome(clientCtx context.Context, err error) Outcome {
	return outcome(clientCtx, err, a.opts.Code)
}

// Status returns the status to answer a failed call of method with, and
// logs the failure: defects with their stack, Internal, Unknown and
// DataLoss answers at level Error, the rest at level Debug. An error that
// is already a status from this adapter is returned as it is.
func (a *Adapter[R]) Status(ctx context.Context, method string, err error) *status.Status {
	if s, ok := err.(*answered); ok {
		return s.st
	}
	o := a.Outcome(ctx, err)
	switch {
	case o.Defect != nil:
		a.log.Error("scopegrpc: defect in call", "method", method, "defect", o.Defect.Value, "stack", o.Defect.Stack)
	case o.Status.Code() == codes.Internal, o.Status.Code() == codes.Unknown, o.Status.Code() == codes.DataLoss:
		a.log.Error("scopegrpc: call failed", "method", method, "code", o.Status.Code(), "error", err)
	default:
		a.log.Debug("scopegrpc: call failed", "method", method, "code", o.Status.Code(), "error", err)
	}
	return o.Status
}

// answered is the error of [Adapter.Run]: a status already logged, which
// the interceptors pass on as it is.
type answered struct{ st *status.Status }

func (e *answered) Error() string              { return e.st.Err().Error() }
func (e *answered) GRPCStatus() *status.Status { return e.st }

func (a *Adapter[R]) ended(method string, err error) {
	if err != nil {
		a.log.Error("scopegrpc: call finalizer failed", "method", method, "error", err)
	}
}
