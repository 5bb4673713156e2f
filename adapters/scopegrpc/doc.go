// Package scopegrpc brings gogoscope to gRPC (google.golang.org/grpc),
// on both sides of a call.
//
// On the server, [Adapter]'s interceptors give each call — unary or
// streaming — a scope, a child of the application's (see appscope),
// closed when the handler returns; the call's context is the effects'
// context, so a client that cancels, or whose deadline passes, interrupts
// the call's fibers and runs their finalizers. [Adapter.Run] runs a
// handler's effect and turns its failure into a status; [Serve] shuts a
// server down gracefully, then releases the application's layers in
// reverse order.
//
//	ad := scopegrpc.New(app, scopegrpc.Options{Code: codeOf})
//	srv := grpc.NewServer(ad.ServerOptions()...)
//	pb.RegisterUsersServer(srv, &server{grpc: ad})
//	err := scopegrpc.Serve(ctx, srv, ln, app, scopegrpc.ServeOptions{Grace: 10 * time.Second})
//
//	func (s *server) GetUser(ctx context.Context, req *pb.GetUserRequest) (*pb.User, error) {
//		return s.grpc.Run(ctx, getUser(req.Id))
//	}
//
// A failure becomes a status by these rules, in order ([Adapter.Outcome]):
//
//  1. the client cancelled the call (or its deadline passed): Canceled
//     (DeadlineExceeded), which reaches no one;
//  2. a defect: Internal, logged with its stack, never sent;
//  3. Options.Code, if it returns a code other than OK: that code;
//  4. an error that carries a gRPC status (status.Error, or any error
//     with a GRPCStatus method): that status, message included;
//  5. the application shutting down, or an open circuit breaker:
//     Unavailable;
//  6. a time limit of the handler (*effect.TimeoutError) or a deadline met
//     upstream: DeadlineExceeded;
//  7. another interruption: Canceled;
//  8. anything else: Unknown, logged.
//
// Apart from rule 4, the message sent is the code's name, never the
// error's text, which may hold internals.
//
// On the client, a [Client]'s interceptors run each call as an effect
// with policies, from the inside out: a time limit per attempt
// (ClientOptions.AttemptTimeout), a concurrency limit (a
// resource.Semaphore), a circuit breaker (a resource.CircuitBreaker), and
// the retry of idempotent calls on retryable codes with a schedule,
// honouring the server's grpc-retry-pushback-ms and the caller's
// deadline. The breaker and the semaphore are resources of a scope: make
// them in the application scope, so they live as long as the App:
//
//	cb, err := app.Acquire(ctx, resource.NewCircuitBreaker[Env, error](resource.BreakerOptions{Name: "users"}))
//	client := scopegrpc.NewClient(scopegrpc.ClientOptions{Breaker: cb, AttemptTimeout: time.Second,
//		Idempotent: func(m string) bool { return m == "/pkg.Users/GetUser" }})
//	conn, err := grpc.NewClient(target, append(client.DialOptions(), creds)...)
//
// gRPC's own retry (service config) retries only what never reached the
// server, transparently, and does not know the breaker or the limit: the
// two work together.
//
// # Which to use
//
//   - Use [Adapter.ServerOptions] on every server whose handlers run
//     effects, and [Adapter.Run] in the handlers.
//   - Use [Client] on connections to services that may fail: mark the
//     idempotent methods (ClientOptions.Idempotent or the [Idempotent]
//     call option), and give the breaker a FailureCodes set that matches
//     what "down" means for that service.
//   - Use [Serve] in place of srv.Serve and srv.GracefulStop.
package scopegrpc
