package scopegrpc_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopegrpc"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type (
	Env        = adaptertest.Env
	Eff[A any] = adaptertest.Eff[A]
)

const secret = "secret-value-91c2"

// service implements grpc.testing.TestService; the payload of a request
// names what it does.
type service struct {
	testpb.UnimplementedTestServiceServer
	ad *scopegrpc.Adapter[Env]
	ev *adaptertest.Events

	mu       sync.Mutex
	attempts map[string]int // calls seen per payload

	inflight, peak atomic.Int64
}

func (s *service) attempt(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[name]++
	return s.attempts[name]
}

func (s *service) seen(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[name]
}

func record(ev *adaptertest.Events, name string) Eff[struct{}] {
	return effect.Sync[Env, error](func() struct{} { ev.Add(name); return struct{}{} })
}

func wait(ev *adaptertest.Events, name string) Eff[struct{}] {
	return effect.Try[Env](func(ctx context.Context) (struct{}, error) { return struct{}{}, ev.Wait(ctx, name) })
}

func reply(body string) *testpb.SimpleResponse {
	return &testpb.SimpleResponse{Payload: &testpb.Payload{Body: []byte(body)}}
}

// scenario returns the effect serving a request named name.
func (s *service) scenario(ctx context.Context, name string) Eff[*testpb.SimpleResponse] {
	ok := func(body string) Eff[*testpb.SimpleResponse] {
		return effect.Succeed[Env, error](reply(body))
	}
	fail := func(err error) Eff[*testpb.SimpleResponse] { return effect.Fail[Env, *testpb.SimpleResponse](err) }
	base, arg, _ := strings.Cut(name, ":")
	n := s.attempt(name)
	switch base {
	case "ok":
		return effect.AccessEffect(func(env Env) Eff[*testpb.SimpleResponse] { return ok(env.Greeting) })
	case "notfound":
		return fail(&adaptertest.NotFoundError{What: "user"})
	case "status":
		return fail(status.Error(codes.AlreadyExists, "duplicate user"))
	case "defect":
		return effect.Sync[Env, error](func() *testpb.SimpleResponse { panic(secret) })
	case "timeout":
		return effect.Never[Env, error, *testpb.SimpleResponse]().Timeout(time.Millisecond)
	case "breaker":
		return fail(&resource.BreakerOpenError{Name: "db", State: resource.BreakerOpen})
	case "plain":
		return fail(errors.New(secret))
	case "scope":
		return effect.Map(effect.CurrentScope[Env, error](), func(sc *effect.Scope) *testpb.SimpleResponse {
			return reply(strconv.FormatUint(uint64(sc.Parent().ID()), 10))
		})
	case "hang":
		child := effect.AndThen(record(s.ev, "child started "+arg), effect.Never[Env, error, struct{}]()).
			Ensuring(record(s.ev, "child finalizer "+arg))
		return effect.AndThen(effect.Void(effect.Fork(child)),
			effect.AndThen(wait(s.ev, "child started "+arg),
				effect.AndThen(record(s.ev, "started "+arg), effect.Never[Env, error, *testpb.SimpleResponse]())).
				Ensuring(record(s.ev, "finalizer "+arg)))
	case "slow":
		return effect.AndThen(record(s.ev, "started "+arg),
			effect.AndThen(wait(s.ev, "release "+arg), ok("done "+arg))).
			Ensuring(record(s.ev, "finalizer "+arg))
	case "flaky":
		// Unavailable for the first k attempts, k = arg; with a pushback
		// of 50 ms asked in the trailer.
		if k, _ := strconv.Atoi(arg); n <= k {
			grpc.SetTrailer(ctx, metadata.Pairs("grpc-retry-pushback-ms", "50"))
			return fail(status.Error(codes.Unavailable, "try again"))
		}
		return ok("attempt " + strconv.Itoa(n))
	case "refuse":
		// Unavailable, with a pushback that forbids any retry.
		grpc.SetTrailer(ctx, metadata.Pairs("grpc-retry-pushback-ms", "-1"))
		return fail(status.Error(codes.Unavailable, "go away"))
	case "stall":
		// The first attempt hangs until its deadline; the next succeed.
		if n == 1 {
			return effect.AndThen(record(s.ev, "stalled "+arg), effect.Never[Env, error, *testpb.SimpleResponse]()).
				Ensuring(record(s.ev, "stall interrupted "+arg))
		}
		return ok("attempt " + strconv.Itoa(n))
	case "deadline":
		// Answers with the time left until the call's deadline on the
		// server, in milliseconds, or "none".
		d, has := ctx.Deadline()
		if !has {
			return ok("none")
		}
		return ok(strconv.FormatInt(time.Until(d).Milliseconds(), 10))
	case "busy":
		// Counts the calls in flight, until "release busy".
		return effect.Suspend(func() Eff[*testpb.SimpleResponse] {
			cur := s.inflight.Add(1)
			for p := s.peak.Load(); cur > p && !s.peak.CompareAndSwap(p, cur); p = s.peak.Load() {
			}
			s.ev.Add("busy " + strconv.Itoa(n))
			return effect.AndThen(wait(s.ev, "release busy"), ok("busy")).
				Ensuring(effect.Sync[Env, error](func() struct{} { s.inflight.Add(-1); return struct{}{} }))
		})
	}
	return fail(status.Error(codes.InvalidArgument, "unknown scenario"))
}

func (s *service) UnaryCall(ctx context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	name := string(req.GetPayload().GetBody())
	if name == "return plain" {
		// A handler that returns a plain error, not through Run.
		return nil, errors.New(secret)
	}
	return s.ad.Run(ctx, effect.Suspend(func() Eff[*testpb.SimpleResponse] { return s.scenario(ctx, name) }))
}

// FullDuplexCall reads one request, runs its scenario in the stream's
// call scope and sends the answer.
func (s *service) FullDuplexCall(stream testpb.TestService_FullDuplexCallServer) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	ctx := stream.Context()
	if !s.ad.App().InRequest(ctx) {
		return status.Error(codes.FailedPrecondition, "the stream's context is not in a call scope")
	}
	name := string(req.GetPayload().GetBody())
	resp, err := s.ad.Run(ctx, s.scenario(ctx, name))
	if err != nil {
		return err
	}
	return stream.Send(&testpb.StreamingOutputCallResponse{Payload: resp.Payload})
}

// server is the test service on loopback.
type server struct {
	addr string
	app  *appscope.App[Env]
	svc  *service
	ev   *adaptertest.Events
	logs *adaptertest.LogBuffer

	stop    context.CancelFunc
	served  chan error
	stopped bool
}

func codeOf(err error) codes.Code {
	var nf *adaptertest.NotFoundError
	if errors.As(err, &nf) {
		return codes.NotFound
	}
	return codes.OK
}

func startServer(t testing.TB, grace time.Duration) *server {
	t.Helper()
	ev := adaptertest.NewEvents()
	app, err := appscope.Build(context.Background(), adaptertest.AppLayer(ev), appscope.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &adaptertest.LogBuffer{}
	ad := scopegrpc.New(app, scopegrpc.Options{Code: codeOf, Logger: logs.Logger()})
	svc := &service{ad: ad, ev: ev, attempts: map[string]int{}}
	srv := grpc.NewServer(ad.ServerOptions()...)
	testpb.RegisterTestServiceServer(srv, svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{addr: ln.Addr().String(), app: app, svc: svc, ev: ev, logs: logs, stop: cancel, served: make(chan error, 1)}
	go func() { s.served <- scopegrpc.Serve(ctx, srv, ln, app, scopegrpc.ServeOptions{Grace: grace}) }()
	t.Cleanup(func() {
		if !s.stopped {
			if err := s.Stop(); err != nil {
				t.Errorf("stopping the server: %v", err)
			}
		}
	})
	return s
}

func (s *server) Stop() error {
	s.stopped = true
	s.stop()
	return <-s.served
}

// dial returns a client of the server through opts, closed at the end of
// the test.
func (s *server) dial(t testing.TB, opts ...grpc.DialOption) testpb.TestServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(s.addr, append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return testpb.NewTestServiceClient(conn)
}

func call(ctx context.Context, c testpb.TestServiceClient, name string, opts ...grpc.CallOption) (string, error) {
	resp, err := c.UnaryCall(ctx, &testpb.SimpleRequest{Payload: &testpb.Payload{Body: []byte(name)}}, opts...)
	return string(resp.GetPayload().GetBody()), err
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
