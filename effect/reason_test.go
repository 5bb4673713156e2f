package effect

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// The loser of a race is interrupted with ErrLostRace, and its OnInterrupt
// handler sees it.
func TestRaceLoserSeesErrLostRace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen error
		loser := OnInterrupt(Never[any, error, int](), func(err error) unit {
			return Sync[any, error](func() struct{} { seen = err; return struct{}{} })
		})
		winner := AndThen(Sleep[any, error](time.Second), succeed(1))
		if v := mustRun(t, Race(loser, winner)); v != 1 {
			t.Fatalf("got %d, want 1", v)
		}
		if !errors.Is(seen, ErrLostRace) || !errors.Is(seen, ErrInterrupted) {
			t.Fatalf("loser saw %v, want an interruption for ErrLostRace", seen)
		}
		var ie *InterruptedError
		if !errors.As(seen, &ie) || ie.By == 0 {
			t.Fatalf("loser saw %#v, want an *InterruptedError naming the racing fiber", seen)
		}
	})
}

// Timeouts and scope closes give their own reasons.
func TestInterruptReasons(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen []error
		note := func(err error) unit {
			return Sync[any, error](func() struct{} { seen = append(seen, err); return struct{}{} })
		}
		_, _ = run(Timeout(OnInterrupt(Never[any, error, int](), note), time.Second))
		started := NewDeferred[error, struct{}]()
		child := OnInterrupt(AndThen(Sync[any, error](func() struct{} { started.Succeed(struct{}{}); return struct{}{} }),
			Never[any, error, int]()), note)
		mustRun(t, Scoped(AndThen(Fork(child), AndThen(started.Await[any](), succeed(1)))))
		if len(seen) != 2 {
			t.Fatalf("got %d interruptions, want 2", len(seen))
		}
		var te *TimeoutError
		if !errors.As(seen[0], &te) || !errors.Is(seen[0], context.DeadlineExceeded) || errors.Is(seen[0], context.Canceled) {
			t.Fatalf("timeout: got %v, want a deadline interruption (not Canceled)", seen[0])
		}
		if !errors.Is(seen[1], ErrScopeClosed) || !errors.Is(seen[1], context.Canceled) {
			t.Fatalf("scope close: got %v, want ErrScopeClosed", seen[1])
		}
	})
}

// When only Run's ctx stopped the effect, Run's error reads and matches as
// the ctx would: cancel → Canceled only; deadline → DeadlineExceeded only;
// a cancel cause → its text.
func TestRunContextErrorsReadLikePlainGo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		never := Never[any, error, int]()

		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		_, err := Run(ctx, never, nil)
		if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrInterrupted) {
			t.Fatalf("cancel: got %v, want Canceled and ErrInterrupted only", err)
		}
		if err.Error() != context.Canceled.Error() {
			t.Fatalf("cancel: text %q, want %q", err.Error(), context.Canceled.Error())
		}

		dctx, dcancel := context.WithTimeout(context.Background(), time.Second)
		defer dcancel()
		_, err = Run(dctx, never, nil)
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			t.Fatalf("deadline: got %v, want DeadlineExceeded and not Canceled", err)
		}
		if err.Error() != context.DeadlineExceeded.Error() {
			t.Fatalf("deadline: text %q, want %q", err.Error(), context.DeadlineExceeded.Error())
		}

		errShutdown := errors.New("server shutting down")
		cctx, ccancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { ccancel(errShutdown) })
		_, err = Run(cctx, never, nil)
		if err.Error() != errShutdown.Error() || !errors.Is(err, errShutdown) || !errors.Is(err, context.Canceled) {
			t.Fatalf("cause: got %q, want the cause's text, matching it and Canceled", err)
		}
	})
}
