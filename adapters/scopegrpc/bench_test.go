package scopegrpc_test

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopegrpc"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// bareService answers UnaryCall in plain Go; effService through
// Adapter.Run.
type bareService struct {
	testpb.UnimplementedTestServiceServer
}

func (bareService) UnaryCall(context.Context, *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	return reply("ok"), nil
}

type effService struct {
	testpb.UnimplementedTestServiceServer
	ad *scopegrpc.Adapter[struct{}]
}

func (s effService) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	return s.ad.Run(ctx, effect.Succeed[struct{}, error](reply("ok")))
}

// benchServer serves svc on loopback with opts and returns a client made
// with dial options.
func benchServer(b *testing.B, svc testpb.TestServiceServer, opts []grpc.ServerOption, dial ...grpc.DialOption) testpb.TestServiceClient {
	srv := grpc.NewServer(opts...)
	testpb.RegisterTestServiceServer(srv, svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	conn, err := grpc.NewClient(ln.Addr().String(), append(dial, grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		conn.Close()
		srv.Stop()
	})
	return testpb.NewTestServiceClient(conn)
}

func benchCalls(b *testing.B, c testpb.TestServiceClient) {
	req := &testpb.SimpleRequest{}
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	cpu := adaptertest.CPUTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.UnaryCall(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	adaptertest.ReportCPU(b, cpu)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// BenchmarkUnaryLoopbackAB compares a bare server and client with the
// server adapter, and with the client policies, in alternating blocks of
// calls (adaptertest.BenchAB), so that the machine's load falls on both
// alike.
func BenchmarkUnaryLoopbackAB(b *testing.B) {
	req := &testpb.SimpleRequest{}
	call := func(c testpb.TestServiceClient) func() error {
		return func() error {
			_, err := c.UnaryCall(context.Background(), req)
			return err
		}
	}
	par := 8 * runtime.GOMAXPROCS(0)
	b.Run("server adapter", func(b *testing.B) {
		app := appscope.New(struct{}{}, appscope.Options{})
		b.Cleanup(func() { app.Shutdown(context.Background()) })
		ad := scopegrpc.New(app, scopegrpc.Options{})
		bare := benchServer(b, bareService{}, nil)
		adapter := benchServer(b, effService{ad: ad}, ad.ServerOptions())
		adaptertest.BenchAB(b, par, call(bare), call(adapter))
	})
	b.Run("client policies", func(b *testing.B) {
		bare := benchServer(b, bareService{}, nil)
		adapter := benchServer(b, bareService{}, nil, policyClient(b).DialOptions()...)
		adaptertest.BenchAB(b, par, call(bare), call(adapter))
	})
}

// policyClient returns a client with a breaker, a concurrency limit of
// 1,000, a per-attempt timeout and retries of every method.
func policyClient(b *testing.B) *scopegrpc.Client {
	rt := effect.NewRuntime()
	scope := rt.NewScope()
	b.Cleanup(func() { scope.Close(context.Background()); rt.Shutdown(context.Background()) })
	cb, _ := rt.Run(context.Background(), effect.Extend(scope, resource.NewCircuitBreaker[any, error](resource.BreakerOptions{})), nil)
	sem, _ := rt.Run(context.Background(), effect.Extend(scope, resource.NewSemaphore[any, error](1000)), nil)
	return scopegrpc.NewClient(scopegrpc.ClientOptions{Runtime: rt, Breaker: cb, Limit: sem,
		AttemptTimeout: time.Second, Idempotent: func(string) bool { return true }})
}

func BenchmarkUnaryLoopback(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchCalls(b, benchServer(b, bareService{}, nil)) })
	b.Run("server adapter", func(b *testing.B) {
		app := appscope.New(struct{}{}, appscope.Options{})
		b.Cleanup(func() { app.Shutdown(context.Background()) })
		ad := scopegrpc.New(app, scopegrpc.Options{})
		benchCalls(b, benchServer(b, effService{ad: ad}, ad.ServerOptions()))
	})
	b.Run("client policies", func(b *testing.B) {
		benchCalls(b, benchServer(b, bareService{}, nil, policyClient(b).DialOptions()...))
	})
}
