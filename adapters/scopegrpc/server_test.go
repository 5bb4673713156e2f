package scopegrpc_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"
)

func TestStatusMapping(t *testing.T) {
	s := startServer(t, time.Second)
	c := s.dial(t)
	tests := []struct {
		name string
		code codes.Code
		msg  string
	}{
		{"ok", codes.OK, ""},
		{"notfound", codes.NotFound, "NotFound"},
		{"status", codes.AlreadyExists, "duplicate user"},
		{"defect", codes.Internal, "Internal"},
		{"timeout", codes.DeadlineExceeded, "DeadlineExceeded"},
		{"breaker", codes.Unavailable, "Unavailable"},
		{"plain", codes.Unknown, "Unknown"},
		{"return plain", codes.Unknown, "Unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := call(testCtx(t), c, tt.name)
			st := status.Convert(err)
			if st.Code() != tt.code {
				t.Fatalf("code: got %v (%q), want %v", st.Code(), st.Message(), tt.code)
			}
			if tt.code == codes.OK && body != "hello" {
				t.Errorf("body: got %q", body)
			}
			if st.Message() != tt.msg {
				t.Errorf("message: got %q, want %q", st.Message(), tt.msg)
			}
		})
	}
	if !s.logs.Contains("defect in call", secret, ".go:") {
		t.Errorf("the defect and its stack were not logged:\n%s", s.logs)
	}
}

func TestACallRunsInACallScope(t *testing.T) {
	s := startServer(t, time.Second)
	body, err := call(testCtx(t), s.dial(t), "scope")
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.FormatUint(uint64(s.app.Scope().ID()), 10); body != want {
		t.Errorf("the call scope's parent: got #%s, want the application scope #%s", body, want)
	}
}

func TestAClientCancelInterruptsTheServersFibers(t *testing.T) {
	s := startServer(t, time.Second)
	c := s.dial(t)
	t.Run("unary", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		done := make(chan error, 1)
		go func() {
			_, err := call(ctx, c, "hang:u")
			done <- err
		}()
		s.ev.WaitFor(t, "started u")
		if reqs := s.app.Requests(); len(reqs) != 1 || reqs[0].Label != "/grpc.testing.TestService/UnaryCall" {
			t.Errorf("requests in flight: %+v", reqs)
		}
		cancel()
		if err := <-done; status.Code(err) != codes.Canceled {
			t.Errorf("client: got %v, want Canceled", err)
		}
		s.ev.WaitFor(t, "finalizer u")
		s.ev.WaitFor(t, "child finalizer u")
	})
	t.Run("stream", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		defer cancel()
		stream, err := c.FullDuplexCall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.Send(&testpb.StreamingOutputCallRequest{Payload: &testpb.Payload{Body: []byte("hang:s")}}); err != nil {
			t.Fatal(err)
		}
		s.ev.WaitFor(t, "started s")
		cancel()
		if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
			t.Errorf("client: got %v, want Canceled", err)
		}
		s.ev.WaitFor(t, "finalizer s")
		s.ev.WaitFor(t, "child finalizer s")
	})
	for _, ev := range []string{"finalizer u", "child finalizer u", "finalizer s", "child finalizer s"} {
		if n := s.ev.Count(ev); n != 1 {
			t.Errorf("%s ran %d times, want 1", ev, n)
		}
	}
}

func TestGracefulShutdownWaitsThenInterrupts(t *testing.T) {
	const grace = 700 * time.Millisecond
	s := startServer(t, grace)
	c := s.dial(t)
	fast, stuck := make(chan error, 1), make(chan error, 1)
	go func() { _, err := call(testCtx(t), c, "slow:fast"); fast <- err }()
	go func() { _, err := call(testCtx(t), c, "slow:stuck"); stuck <- err }()
	s.ev.WaitFor(t, "started fast")
	s.ev.WaitFor(t, "started stuck")

	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop() }()
	s.ev.Add("release fast")
	if err := <-fast; err != nil {
		t.Errorf("a call that finished within the grace period: %v", err)
	}
	if err := <-stuck; status.Code(err) != codes.Unavailable {
		t.Errorf("a call still running after the grace period: got %v, want Unavailable", err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if elapsed := time.Since(start); elapsed < grace {
		t.Errorf("interrupted after %v, before the grace period of %v", elapsed, grace)
	}
	fin, cache, db := s.ev.Index("finalizer stuck"), s.ev.Index("close cache"), s.ev.Index("close db")
	if fin < 0 || cache < 0 || db < 0 || fin >= cache || cache >= db {
		t.Errorf("shutdown order: %q", s.ev.List())
	}
}

func TestAThousandConcurrentCallsLeaveNoGoroutine(t *testing.T) {
	const n = 1000
	// Cleanups run last-in first-out: this one runs after the connection
	// and the server are closed.
	t.Cleanup(func() { goleak.VerifyNone(t) })
	s := startServer(t, time.Second)
	c := s.dial(t)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if body, err := call(testCtx(t), c, "ok"); err != nil || body != "hello" {
				errs <- status.Errorf(codes.Internal, "got %q, %v", body, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := s.app.InFlight(); n != 0 {
		t.Errorf("calls in flight after the shutdown: %d", n)
	}
}

func TestCallsAfterTheShutdownAreRefused(t *testing.T) {
	s := startServer(t, time.Second)
	c := s.dial(t)
	s.app.Stop()
	_, err := call(testCtx(t), c, "ok")
	if status.Code(err) != codes.Unavailable || !strings.Contains(status.Convert(err).Message(), "Unavailable") {
		t.Errorf("a call while stopping: got %v, want Unavailable", err)
	}
}
