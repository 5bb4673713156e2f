package scopegrpc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gogoscope/gogoscope/adapters/internal/policy"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// ClientOptions configure the client interceptors of a [Client]. The zero
// value retries nothing (no call is known to be idempotent), and has no
// time limit, no breaker and no limit.
type ClientOptions struct {
	// Retry is the schedule of retries of an idempotent call; its input is
	// the failed attempt's error. Zero means exponential backoff from
	// 100 ms, capped at 2 s, with full jitter, at most 3 retries.
	// schedule.Delays(schedule.Recurs(0)) retries nothing.
	Retry schedule.Schedule[time.Duration]
	// Idempotent tells whether a method (its full name,
	// "/pkg.Service/Method") may be retried: running it twice must do no
	// more than running it once. Nil means none is, except the calls made
	// with the [Idempotent] call option.
	Idempotent func(method string) bool
	// FailureCodes are the codes that mean the service failed rather than
	// answered: an attempt ending with one of them fails (the breaker
	// counts it, a retry may follow); with another code the service did
	// answer (NotFound, InvalidArgument...) and the call returns that
	// error at once. Nil means Unavailable, DeadlineExceeded,
	// ResourceExhausted, Internal, Unknown and DataLoss.
	FailureCodes []codes.Code
	// RetryCodes are the failure codes after which an idempotent call is
	// retried. Nil means Unavailable, ResourceExhausted, and
	// DeadlineExceeded when the attempt's own time limit ran out (never
	// the caller's deadline).
	RetryCodes []codes.Code
	// AttemptTimeout bounds each attempt of a unary call, and the opening
	// of a stream; zero means no bound but the caller's context.
	AttemptTimeout time.Duration
	// Breaker, if set, sees every attempt: it counts the failures, and
	// while it is open calls fail at once with Unavailable (an [*Error]
	// wrapping the *resource.BreakerOpenError), without reaching the
	// network. Make it in the application scope (see the package doc).
	Breaker *resource.CircuitBreaker
	// Limit, if set, bounds the calls in flight: an attempt of a unary call
	// holds one permit while it runs; a stream holds one from its opening
	// until it ends (RecvMsg returns an error, or its context is done).
	// Waiting for a permit is interruptible by the caller's context.
	Limit *resource.Semaphore
	// OnRetry, if set, is called before each wait between attempts, with
	// the method, the number of the attempt that failed (1 for the first),
	// its error and the delay.
	OnRetry func(method string, attempt int, err error, delay time.Duration)
	// Runtime runs the policies' effects; nil means a runtime of the
	// Client's own. The effects run on the caller's goroutine and start no
	// goroutine of their own.
	Runtime *effect.Runtime
}

// Client holds the client interceptors that apply [ClientOptions]'
// policies to every call of a connection, as effects, from the inside
// out: the attempt with its time limit, the concurrency limit, the
// circuit breaker, then the retry of idempotent calls (see
// docs/resilience.md for why this order). A Client is safe for concurrent
// use and may serve any number of connections; it holds no goroutine.
type Client struct {
	opts     ClientOptions
	rt       *effect.Runtime
	retry    schedule.Schedule[time.Duration]
	failures map[codes.Code]bool
	retries  map[codes.Code]bool
}

// NewClient returns a Client with opts. It panics if AttemptTimeout is
// negative or a code is out of range.
func NewClient(opts ClientOptions) *Client {
	if opts.AttemptTimeout < 0 {
		panic(fmt.Sprintf("scopegrpc.NewClient: AttemptTimeout must be >= 0, got %v", opts.AttemptTimeout))
	}
	c := &Client{opts: opts, rt: opts.Runtime, retry: policy.OrDefault(opts.Retry)}
	if c.rt == nil {
		c.rt = effect.NewRuntime()
	}
	codeSet := func(name string, cs []codes.Code, def ...codes.Code) map[codes.Code]bool {
		if cs == nil {
			cs = def
		}
		m := make(map[codes.Code]bool, len(cs))
		for _, code := range cs {
			if code > codes.Unauthenticated {
				panic(fmt.Sprintf("scopegrpc.NewClient: %s holds an unknown code %d", name, code))
			}
			m[code] = true
		}
		return m
	}
	c.failures = codeSet("FailureCodes", opts.FailureCodes, codes.Unavailable, codes.DeadlineExceeded,
		codes.ResourceExhausted, codes.Internal, codes.Unknown, codes.DataLoss)
	c.retries = codeSet("RetryCodes", opts.RetryCodes, codes.Unavailable, codes.ResourceExhausted, codes.DeadlineExceeded)
	return c
}

// DialOptions returns the options that install both interceptors:
// grpc.NewClient(target, append(c.DialOptions(), ...)...).
func (c *Client) DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(c.UnaryInterceptor()),
		grpc.WithChainStreamInterceptor(c.StreamInterceptor()),
	}
}

type idempotentOption struct{ grpc.EmptyCallOption }

// Idempotent returns a call option that marks one call as idempotent, so
// that the Client's interceptors may retry it.
func Idempotent() grpc.CallOption { return idempotentOption{} }

func (c *Client) idempotent(method string, opts []grpc.CallOption) bool {
	for _, o := range opts {
		if _, ok := o.(idempotentOption); ok {
			return true
		}
	}
	return c.opts.Idempotent != nil && c.opts.Idempotent(method)
}

// Error is a failure of a call made by the Client's policies rather than
// by the server: an open breaker (Unavailable), a closed limit
// (Unavailable). It carries a gRPC status (status.Code works on it) and
// unwraps to the cause (errors.Is(err, resource.ErrBreakerOpen) works).
type Error struct {
	Status *status.Status
	Err    error
}

// Error returns the status and the cause.
func (e *Error) Error() string { return "scopegrpc: " + e.Status.Message() + ": " + e.Err.Error() }

// GRPCStatus returns the status.
func (e *Error) GRPCStatus() *status.Status { return e.Status }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// attemptError is the failure of an attempt that the service failed.
type attemptError struct {
	err      error
	code     codes.Code
	timedOut bool          // the attempt's own time limit ran out
	pushback time.Duration // the server's grpc-retry-pushback-ms; -1 forbids a retry
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// pushback reads the grpc-retry-pushback-ms trailer: 0 if absent, -1 if
// the server forbids a retry (a negative or malformed value, as gRFC A6
// says).
func pushback(md metadata.MD) time.Duration {
	vs := md.Get("grpc-retry-pushback-ms")
	if len(vs) == 0 {
		return 0
	}
	ms, err := strconv.ParseInt(vs[0], 10, 64)
	if err != nil || ms < 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

// attemptCtx returns the context of a stream's opening attempt (a stream
// outlives the Try that opens it, so its context cannot derive from
// tryCtx): a child of the caller's ctx (so that its deadline and metadata
// reach the server), cancelled when the attempt's fiber is interrupted
// (tryCtx) and, if d > 0, after d with an *effect.TimeoutError as its
// cause. stop releases the link to tryCtx; cancel ends the context.
func attemptCtx(ctx, tryCtx context.Context, d time.Duration) (actx context.Context, cancel context.CancelCauseFunc, stop func() bool, timer *time.Timer) {
	actx, cancel = context.WithCancelCause(ctx)
	stop = context.AfterFunc(tryCtx, func() { cancel(context.Cause(tryCtx)) })
	if d > 0 {
		timer = time.AfterFunc(d, func() { cancel(&effect.TimeoutError{After: d}) })
	}
	return actx, cancel, stop, timer
}

// unaryCtx returns the context of one unary attempt. A unary call ends
// before its attempt's Try returns, so the attempt can use tryCtx itself:
// it carries the caller's values (metadata, span) and is cancelled when
// the attempt is interrupted — which the caller's cancellation does,
// through Run. What tryCtx lacks is the caller's deadline, which must
// reach the server (grpc-timeout): unaryCtx adds the earlier of it and the
// attempt's own time limit d (if d > 0), the latter with an
// *effect.TimeoutError as its cause. Without either it is tryCtx, at no
// cost; otherwise one timer context, where a child of the caller's context
// linked to tryCtx took three contexts and two registrations.
func unaryCtx(ctx, tryCtx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	caller, has := ctx.Deadline()
	if d > 0 {
		if own := time.Now().Add(d); !has || own.Before(caller) {
			return context.WithDeadlineCause(tryCtx, own, &effect.TimeoutError{After: d})
		}
	}
	if has {
		return context.WithDeadline(tryCtx, caller)
	}
	return tryCtx, func() {}
}

// UnaryInterceptor returns a unary client interceptor applying the
// policies. An attempt that ends with a failure code fails (see
// ClientOptions.FailureCodes); an idempotent call is retried on a retry
// code, waiting at least what the server asked in grpc-retry-pushback-ms,
// and never past the caller's deadline. The call returns the last
// attempt's error as gRPC returned it, an [*Error] when a policy refused
// it, or the caller's context's status when that context ended.
func (c *Client) UnaryInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		d := c.opts.AttemptTimeout
		attempt := effect.Try[any](func(tryCtx context.Context) (error, error) {
			// The attempt's time limit is a deadline, so that it reaches
			// the server (grpc-timeout) and stops its work too.
			actx, cancel := unaryCtx(ctx, tryCtx, d)
			defer cancel()
			var trailer metadata.MD
			err := invoker(actx, method, req, reply, cc, append(opts[:len(opts):len(opts)], grpc.Trailer(&trailer))...)
			if err == nil {
				return nil, nil
			}
			code := status.Code(err)
			if !c.failures[code] {
				return err, nil // the service answered
			}
			// The attempt's own limit ran out if its deadline was the
			// binding one: the server may have noticed it first (and reset
			// the stream) before the client's timer fired.
			timedOut := false
			if code == codes.DeadlineExceeded && d > 0 && ctx.Err() == nil {
				if own, ok := actx.Deadline(); ok {
					caller, has := ctx.Deadline()
					timedOut = !has || own.Before(caller)
				}
			}
			return nil, &attemptError{err: err, code: code, pushback: pushback(trailer), timedOut: timedOut}
		})
		if c.opts.Limit != nil {
			attempt = c.opts.Limit.WithPermits(1, attempt)
		}
		return c.run(ctx, method, c.idempotent(method, opts), attempt)
	}
}

// run runs attempt through the breaker and the retry, and returns the
// call's error.
func (c *Client) run(ctx context.Context, method string, idempotent bool, attempt effect.Effect[any, error, error]) error {
	e := attempt
	if c.opts.Breaker != nil {
		e = c.opts.Breaker.Execute(e)
	}
	if idempotent {
		var onRetry func(int, error, time.Duration)
		if c.opts.OnRetry != nil {
			onRetry = func(n int, err error, delay time.Duration) { c.opts.OnRetry(method, n, err, delay) }
		}
		deadline, _ := ctx.Deadline()
		e = policy.Retry(e, c.retry, deadline, c.decide(ctx), nil, onRetry)
	}
	answer, err := c.rt.Run(ctx, e, nil)
	if err != nil {
		return c.callError(ctx, err)
	}
	return answer
}

func (c *Client) decide(ctx context.Context) policy.Decide {
	return func(err error) (bool, time.Duration) {
		var ae *attemptError
		if !errors.As(err, &ae) || ctx.Err() != nil || ae.pushback < 0 || !c.retries[ae.code] {
			return false, 0
		}
		if ae.code == codes.DeadlineExceeded && !ae.timedOut {
			return false, 0
		}
		return true, ae.pushback
	}
}

// callError turns the failure of the policies' effect into the call's
// error.
func (c *Client) callError(ctx context.Context, err error) error {
	var ae *attemptError
	var be *resource.BreakerOpenError
	switch {
	case errors.As(err, &ae):
		return ae.err
	case errors.As(err, &be):
		return &Error{Status: status.New(codes.Unavailable, "circuit breaker "+be.Name+" open"), Err: be}
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	case errors.Is(err, resource.ErrClosed):
		return &Error{Status: status.New(codes.Unavailable, "client policy closed"), Err: err}
	}
	return &Error{Status: status.New(codes.Internal, "client policy failed"), Err: err}
}

// StreamInterceptor returns a stream client interceptor applying the
// policies to the opening of a stream: the attempt's time limit, the
// breaker, and the retry of an idempotent method when the opening fails
// with a retry code (no message has been sent yet, so it is safe to try
// again); once open, a stream is not retried. With a Limit, the stream
// holds a permit until it ends.
func (c *Client) StreamInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		d := c.opts.AttemptTimeout
		var opened grpc.ClientStream
		open := func(release func()) effect.Effect[any, error, error] {
			return effect.Try[any](func(tryCtx context.Context) (error, error) {
				sctx, cancel, stop, timer := attemptCtx(ctx, tryCtx, d)
				cs, err := streamer(sctx, desc, cc, method, opts...)
				stop()
				fired := timer != nil && !timer.Stop()
				if err == nil && fired {
					err = status.Error(codes.DeadlineExceeded, "scopegrpc: opening the stream took longer than the attempt's time limit")
				}
				if err != nil {
					cancel(nil)
					release()
					code := status.Code(err)
					if !c.failures[code] {
						return err, nil
					}
					return nil, &attemptError{err: err, code: code, timedOut: fired && ctx.Err() == nil}
				}
				opened = newClientStream(cs, sctx, cancel, release)
				return nil, nil
			})
		}
		var attempt effect.Effect[any, error, error]
		if sem := c.opts.Limit; sem != nil {
			attempt = effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[any, error, error] {
				return effect.AndThen(restore.Apply(sem.Acquire[any, error](1)),
					effect.Suspend(func() effect.Effect[any, error, error] {
						var once sync.Once
						return restore.Apply(open(func() { once.Do(func() { sem.Release(1) }) }))
					}))
			})
		} else {
			attempt = open(func() {})
		}
		if err := c.run(ctx, method, c.idempotent(method, opts), attempt); err != nil {
			if opened != nil {
				// Opened as the caller's context ended: nobody will read it.
				_ = opened.CloseSend()
				opened.(*clientStream).finish()
			}
			return nil, err
		}
		return opened, nil
	}
}

// clientStream is an open stream that gives back its permit and releases
// its context once it has ended.
type clientStream struct {
	grpc.ClientStream
	once    sync.Once
	cancel  context.CancelCauseFunc
	release func()
}

// newClientStream wraps cs, whose context is ctx: when ctx ends (the
// caller cancels, or finish cancels it), the stream is finished.
func newClientStream(cs grpc.ClientStream, ctx context.Context, cancel context.CancelCauseFunc, release func()) *clientStream {
	s := &clientStream{ClientStream: cs, cancel: cancel, release: release}
	context.AfterFunc(ctx, s.finish)
	return s
}

// finish ends the stream's hold on its permit and context, once.
func (s *clientStream) finish() {
	s.once.Do(func() {
		s.cancel(nil)
		s.release()
	})
}

// RecvMsg receives a message; an error (io.EOF at the end, or the
// stream's status) ends the stream.
func (s *clientStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		s.finish()
	}
	return err
}
