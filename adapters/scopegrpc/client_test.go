package scopegrpc_test

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/gogoscope/gogoscope/adapters/scopegrpc"
	"github.com/gogoscope/gogoscope/resource"
)

const unaryCall = "/grpc.testing.TestService/UnaryCall"

// retries records the OnRetry calls: the delays and the numbers of the
// attempts that failed.
type retries struct {
	mu       sync.Mutex
	delays   []time.Duration
	attempts []int
}

func (r *retries) on(method string, n int, _ error, delay time.Duration) {
	r.mu.Lock()
	r.delays = append(r.delays, delay)
	r.attempts = append(r.attempts, n)
	r.mu.Unlock()
}

func (r *retries) attemptList() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.attempts...)
}

func (r *retries) list() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.delays...)
}

func TestRetryOfIdempotentCalls(t *testing.T) {
	s := startServer(t, time.Second)
	var rec retries
	c := s.dial(t, scopegrpc.NewClient(scopegrpc.ClientOptions{Retry: adaptertest.Quick(5), OnRetry: rec.on}).DialOptions()...)

	body, err := call(testCtx(t), c, "flaky:2", scopegrpc.Idempotent())
	if err != nil || body != "attempt 3" {
		t.Fatalf("got %q, %v; want the third attempt's answer", body, err)
	}
	if got := rec.list(); len(got) != 2 || got[0] < 50*time.Millisecond || got[1] < 50*time.Millisecond {
		t.Errorf("retry delays: got %v, want two of at least the server's pushback of 50ms", got)
	}
	if got := rec.attemptList(); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("OnRetry's attempt numbers: got %v, want [1 2]", got)
	}

	// Not idempotent: one attempt only.
	if _, err := call(testCtx(t), c, "flaky:1"); status.Code(err) != codes.Unavailable {
		t.Errorf("a call not marked idempotent: got %v, want Unavailable", err)
	}
	if n := s.svc.seen("flaky:1"); n != 1 {
		t.Errorf("a call not marked idempotent was attempted %d times", n)
	}

	// A code that is not a failure is returned at once.
	if _, err := call(testCtx(t), c, "notfound", scopegrpc.Idempotent()); status.Code(err) != codes.NotFound {
		t.Errorf("got %v, want NotFound", err)
	}
	if n := s.svc.seen("notfound"); n != 1 {
		t.Errorf("NotFound was retried: %d attempts", n)
	}

	// A server's negative pushback forbids the retry.
	if _, err := call(testCtx(t), c, "refuse", scopegrpc.Idempotent()); status.Code(err) != codes.Unavailable {
		t.Errorf("got %v, want Unavailable", err)
	}
	if n := s.svc.seen("refuse"); n != 1 {
		t.Errorf("a call refused with a negative pushback was attempted %d times", n)
	}
}

func TestIdempotentMethodsByName(t *testing.T) {
	s := startServer(t, time.Second)
	c := s.dial(t, scopegrpc.NewClient(scopegrpc.ClientOptions{
		Retry: adaptertest.Quick(3), Idempotent: func(m string) bool { return m == unaryCall },
	}).DialOptions()...)
	if body, err := call(testCtx(t), c, "flaky:1"); err != nil || body != "attempt 2" {
		t.Errorf("got %q, %v", body, err)
	}
}

func TestRetriesStopAtTheCallersDeadline(t *testing.T) {
	s := startServer(t, time.Second)
	c := s.dial(t, scopegrpc.NewClient(scopegrpc.ClientOptions{Retry: adaptertest.Quick(5)}).DialOptions()...)
	// The server asks for 50 ms before a retry; the caller has less.
	ctx, cancel := context.WithTimeout(testCtx(t), 30*time.Millisecond)
	defer cancel()
	if _, err := call(ctx, c, "flaky:5", scopegrpc.Idempotent()); status.Code(err) != codes.Unavailable {
		t.Errorf("got %v, want the attempt's Unavailable", err)
	}
	if n := s.svc.seen("flaky:5"); n != 1 {
		t.Errorf("attempted %d times past the caller's deadline", n)
	}
}

func TestAttemptTimeout(t *testing.T) {
	s := startServer(t, time.Second)
	c := s.dial(t, scopegrpc.NewClient(scopegrpc.ClientOptions{Retry: adaptertest.Quick(2), AttemptTimeout: 300 * time.Millisecond}).DialOptions()...)
	body, err := call(testCtx(t), c, "stall:t", scopegrpc.Idempotent())
	if err != nil || body != "attempt 2" {
		t.Fatalf("got %q, %v; want the second attempt's answer", body, err)
	}
	// The stalled attempt's deadline reached the server and interrupted it.
	s.ev.WaitFor(t, "stall interrupted t")
}

// The caller's deadline, the attempt's time limit and the caller's cancel
// all reach the server through the policies: the deadline as grpc-timeout
// (the earlier of the two), the cancel as the interruption of the server's
// fibers.
func TestTheCallersDeadlineAndCancelReachTheServerThroughThePolicies(t *testing.T) {
	s := startServer(t, time.Second)
	sem := adaptertest.Owned(t, resource.NewSemaphore[any, error](2))
	cb := adaptertest.Owned(t, resource.NewCircuitBreaker[any, error](resource.BreakerOptions{Name: "svc"}))
	withLimit := func(d time.Duration) scopegrpc.ClientOptions {
		return scopegrpc.ClientOptions{Retry: adaptertest.Quick(2), AttemptTimeout: d, Limit: sem, Breaker: cb}
	}
	left := func(t *testing.T, ctx context.Context, c testpb.TestServiceClient) time.Duration {
		t.Helper()
		body, err := call(ctx, c, "deadline", scopegrpc.Idempotent())
		if err != nil {
			t.Fatal(err)
		}
		if body == "none" {
			return -1
		}
		ms, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			t.Fatalf("answer %q", body)
		}
		return time.Duration(ms) * time.Millisecond
	}

	plain := s.dial(t, scopegrpc.NewClient(withLimit(0)).DialOptions()...)
	if got := left(t, context.Background(), plain); got != -1 {
		t.Errorf("no deadline anywhere: the server saw %v left", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if got := left(t, ctx, plain); got <= 3*time.Second || got > 5*time.Second {
		t.Errorf("caller's deadline of 5s: the server saw %v left", got)
	}

	limited := s.dial(t, scopegrpc.NewClient(withLimit(2*time.Second)).DialOptions()...)
	if got := left(t, ctx, limited); got <= 0 || got > 2*time.Second {
		t.Errorf("attempt limit 2s under a caller's 5s: the server saw %v left", got)
	}
	short, cancelShort := context.WithTimeout(context.Background(), time.Second)
	defer cancelShort()
	if got := left(t, short, limited); got <= 0 || got > time.Second {
		t.Errorf("attempt limit 2s under a caller's 1s: the server saw %v left", got)
	}

	cctx, ccancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { _, err := call(cctx, limited, "hang:c", scopegrpc.Idempotent()); done <- err }()
	s.ev.WaitFor(t, "started c")
	ccancel()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Errorf("cancelled caller: got %v, want Canceled", err)
	}
	s.ev.WaitFor(t, "finalizer c")
	s.ev.WaitFor(t, "child finalizer c")
	if n := s.svc.seen("hang:c"); n != 1 {
		t.Errorf("a cancelled call was attempted %d times", n)
	}
}

func TestBreaker(t *testing.T) {
	s := startServer(t, time.Second)
	cb := adaptertest.Owned(t, resource.NewCircuitBreaker[any, error](resource.BreakerOptions{
		Name: "test", FailureThreshold: 2, ResetTimeout: time.Hour}))
	c := s.dial(t, scopegrpc.NewClient(scopegrpc.ClientOptions{Breaker: cb}).DialOptions()...)
	// Answers that are not failures do not count.
	for range 3 {
		if _, err := call(testCtx(t), c, "notfound"); status.Code(err) != codes.NotFound {
			t.Fatalf("got %v", err)
		}
	}
	for range 2 {
		if _, err := call(testCtx(t), c, "flaky:100"); status.Code(err) != codes.Unavailable {
			t.Fatalf("got %v", err)
		}
	}
	_, err := call(testCtx(t), c, "flaky:100")
	var pe *scopegrpc.Error
	if status.Code(err) != codes.Unavailable || !errors.Is(err, resource.ErrBreakerOpen) || !errors.As(err, &pe) {
		t.Errorf("a call through an open breaker: got %v, want Unavailable wrapping ErrBreakerOpen", err)
	}
	if n := s.svc.seen("flaky:100"); n != 2 {
		t.Errorf("the open breaker let a call through: %d attempts reached the server", n)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	s := startServer(t, time.Second)
	sem := adaptertest.Owned(t, resource.NewSemaphore[any, error](1))
	c := s.dial(t, scopegrpc.NewClient(scopegrpc.ClientOptions{Limit: sem}).DialOptions()...)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if body, err := call(testCtx(t), c, "busy"); err != nil || body != "busy" {
				t.Errorf("got %q, %v", body, err)
			}
		})
	}
	s.ev.WaitFor(t, "busy 1")
	s.ev.Add("release busy")
	wg.Wait()
	if p := s.svc.peak.Load(); p != 1 {
		t.Errorf("calls in flight at once: %d, want 1", p)
	}
	if sem.Available() != 1 {
		t.Errorf("permits left: %d, want 1", sem.Available())
	}
}

func TestAStreamHoldsItsPermitUntilItEnds(t *testing.T) {
	s := startServer(t, time.Second)
	sem := adaptertest.Owned(t, resource.NewSemaphore[any, error](1))
	c := s.dial(t, scopegrpc.NewClient(scopegrpc.ClientOptions{Limit: sem}).DialOptions()...)
	stream, err := c.FullDuplexCall(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&testpb.StreamingOutputCallRequest{Payload: &testpb.Payload{Body: []byte("ok")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if sem.Available() != 0 {
		t.Errorf("an open stream holds no permit")
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("the stream's end: got %v, want io.EOF", err)
	}
	if sem.Available() != 1 {
		t.Errorf("the ended stream kept its permit")
	}
}

func TestOpeningAStreamIsRetried(t *testing.T) {
	// Nothing listens on this address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var rec retries
	client := scopegrpc.NewClient(scopegrpc.ClientOptions{Retry: adaptertest.Quick(2), OnRetry: rec.on,
		Idempotent: func(string) bool { return true }})
	conn, err := grpc.NewClient(addr, append(client.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = testpb.NewTestServiceClient(conn).FullDuplexCall(testCtx(t))
	if status.Code(err) != codes.Unavailable {
		t.Errorf("got %v, want Unavailable", err)
	}
	if n := len(rec.list()); n != 2 {
		t.Errorf("retries of the opening: %d, want 2", n)
	}
}

func TestNewClientRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]scopegrpc.ClientOptions{
		"AttemptTimeout must be >= 0":        {AttemptTimeout: -1},
		"FailureCodes holds an unknown code": {FailureCodes: []codes.Code{99}},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.HasPrefix(r, "scopegrpc.NewClient: "+name) {
					t.Errorf("%s: recovered %v", name, r)
				}
			}()
			scopegrpc.NewClient(opts)
		}()
	}
}
