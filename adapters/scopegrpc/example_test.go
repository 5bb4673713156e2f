package scopegrpc_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopegrpc"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// greeter answers UnaryCall with an effect; a payload "missing" fails
// with NotFound.
type greeter struct {
	testpb.UnimplementedTestServiceServer
	grpc *scopegrpc.Adapter[string]
}

func (g greeter) UnaryCall(ctx context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	name := string(req.GetPayload().GetBody())
	return g.grpc.Run(ctx, effect.AccessEffect(func(greeting string) effect.Effect[string, error, *testpb.SimpleResponse] {
		if name == "missing" {
			return effect.Fail[string, *testpb.SimpleResponse](status.Error(codes.NotFound, "no such name"))
		}
		return effect.Succeed[string, error](reply(greeting + ", " + name))
	}))
}

// serveExample serves a greeter on loopback until the returned stop is
// called, and returns its address.
func serveExample(app *appscope.App[string]) (string, func()) {
	ad := scopegrpc.New(app, scopegrpc.Options{})
	srv := grpc.NewServer(ad.ServerOptions()...)
	testpb.RegisterTestServiceServer(srv, greeter{grpc: ad})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- scopegrpc.Serve(ctx, srv, ln, app, scopegrpc.ServeOptions{Grace: time.Second}) }()
	return ln.Addr().String(), func() { stop(); <-done }
}

func greetCall(c testpb.TestServiceClient, name string, opts ...grpc.CallOption) {
	resp, err := c.UnaryCall(context.Background(), &testpb.SimpleRequest{Payload: &testpb.Payload{Body: []byte(name)}}, opts...)
	if err != nil {
		fmt.Println(status.Code(err), status.Convert(err).Message())
		return
	}
	fmt.Println(string(resp.GetPayload().GetBody()))
}

func ExampleNew() {
	app := appscope.New("Hello", appscope.Options{})
	addr, stop := serveExample(app)
	defer stop()
	conn, _ := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer conn.Close()
	c := testpb.NewTestServiceClient(conn)
	greetCall(c, "gRPC")
	greetCall(c, "missing")
	// Output:
	// Hello, gRPC
	// NotFound no such name
}

func ExampleServe() {
	app := appscope.New("Hello", appscope.Options{})
	_, stop := serveExample(app)
	stop() // as SIGTERM would: graceful stop, then the application scope closes
	fmt.Println(app.Stopping(), app.Scope().IsClosed())
	// Output: true true
}

func ExampleNewClient() {
	app := appscope.New("Hello", appscope.Options{})
	addr, stop := serveExample(app)
	defer stop()
	client := scopegrpc.NewClient(scopegrpc.ClientOptions{
		AttemptTimeout: time.Second,
		Retry:          schedule.Exponential(10 * time.Millisecond).Intersect(schedule.Recurs(3)),
		Idempotent:     func(method string) bool { return method == "/grpc.testing.TestService/UnaryCall" },
	})
	conn, _ := grpc.NewClient(addr, append(client.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	defer conn.Close()
	greetCall(testpb.NewTestServiceClient(conn), "client")
	// Output: Hello, client
}

func ExampleIdempotent() {
	app := appscope.New("Hello", appscope.Options{})
	addr, stop := serveExample(app)
	defer stop()
	client := scopegrpc.NewClient(scopegrpc.ClientOptions{})
	conn, _ := grpc.NewClient(addr, append(client.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	defer conn.Close()
	// This one call may be retried.
	greetCall(testpb.NewTestServiceClient(conn), "again", scopegrpc.Idempotent())
	// Output: Hello, again
}
