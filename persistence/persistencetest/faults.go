package persistencetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
)

// Server is a server process that a fault test may kill and start again.
type Server interface {
	// Kill kills the server with SIGKILL and waits for it to exit.
	Kill()
	// Start starts it again on the same data and port.
	Start()
}

// RunFaults kills srv (with SIGKILL) while a lock is held, while an
// acquire waits, and while a scope holds a renewed lock, and checks each
// time that the operations fail with typed errors ([persistence.ErrUnavailable])
// within their deadlines, that nothing is granted falsely, and that
// everything works again once the server is back. durable says whether the
// server keeps its data across the kill (PostgreSQL, MySQL) or not (Redis
// without persistence: its locks are gone, and the fencing tokens still
// increase).
func RunFaults(t *testing.T, b Backend, srv Server, durable bool) {
	t.Run("KilledWhileHeld", func(t *testing.T) { faultHeld(t, b, srv, durable) })
	t.Run("KilledDuringAcquire", func(t *testing.T) { faultAcquire(t, b, srv, durable) })
	t.Run("KilledUnderRenewal", func(t *testing.T) { faultRenewal(t, b, srv) })
}

// unavailable checks that err is a backend failure and came within d.
func unavailable(t *testing.T, what string, err error, start time.Time, d time.Duration) {
	t.Helper()
	if !errors.Is(err, persistence.ErrUnavailable) {
		t.Fatalf("%s with the server down: err = %v, want ErrUnavailable", what, err)
	}
	var be *persistence.BackendError
	if !errors.As(err, &be) || be.Backend == "" {
		t.Fatalf("%s: err = %#v, want a *BackendError", what, err)
	}
	if el := time.Since(start); el > d {
		t.Fatalf("%s took %v with the server down, want at most %v", what, el, d)
	}
}

// back waits until s answers again after a restart.
func back(t *testing.T, s Store) {
	t.Helper()
	eventually(t, 30*time.Second, "the store answers after the restart", func() bool {
		ctx, cancel := ctxWithTimeout(ctxFor(t, time.Minute), 2*time.Second)
		defer cancel()
		_, err := s.Inspect(ctx, "probe")
		return err == nil
	})
}

func faultHeld(t *testing.T, b Backend, srv Server, durable bool) {
	s1, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 2*time.Minute)
	k := key(t, "kill-held")
	l, err := s1.TryAcquire(ctx, k, persistence.NewOwner(), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"TryAcquire", func() error {
			c, cancel := ctxWithTimeout(ctx, 3*time.Second)
			defer cancel()
			_, err := s2.TryAcquire(c, k, persistence.NewOwner(), time.Second)
			return err
		}},
		{"Extend", func() error {
			c, cancel := ctxWithTimeout(ctx, 3*time.Second)
			defer cancel()
			_, err := s1.Extend(c, l, 20*time.Second)
			return err
		}},
		{"Inspect", func() error {
			c, cancel := ctxWithTimeout(ctx, 3*time.Second)
			defer cancel()
			_, err := s2.Inspect(c, k)
			return err
		}},
	} {
		start := time.Now()
		unavailable(t, op.name, op.do(), start, 6*time.Second)
	}
	srv.Start()
	back(t, s2)
	if durable {
		// The lease survived, on the server's clock: no one else gets it,
		// and its owner can still release it.
		if _, err := s2.TryAcquire(ctx, k, persistence.NewOwner(), time.Second); !errors.Is(err, persistence.ErrLocked) {
			t.Fatalf("TryAcquire of a lock held across the restart: err = %v, want ErrLocked", err)
		}
		back(t, s1)
		if err := s1.Release(ctx, l); err != nil {
			t.Fatalf("Release after the restart: %v", err)
		}
	} else {
		back(t, s1)
		// The server forgot the lock: its holder learns it lost it.
		if _, err := s1.Extend(ctx, l, time.Second); !errors.Is(err, persistence.ErrNotHeld) {
			t.Fatalf("Extend of a lock the restarted server forgot: err = %v, want ErrNotHeld", err)
		}
	}
	l2, err := s2.TryAcquire(ctx, k, persistence.NewOwner(), time.Second)
	if err != nil {
		t.Fatalf("TryAcquire after the restart: %v", err)
	}
	if l2.Token <= l.Token {
		t.Fatalf("token after the restart = %d, want > %d (fencing tokens never go back)", l2.Token, l.Token)
	}
}

func faultAcquire(t *testing.T, b Backend, srv Server, durable bool) {
	s1, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 2*time.Minute)
	k := key(t, "kill-acquire")
	l, err := s1.TryAcquire(ctx, k, persistence.NewOwner(), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		l   persistence.Lease
		err error
	}
	done := make(chan result, 1)
	go func() {
		l, err := persistence.Acquire(ctx, s2, k, persistence.NewOwner(), time.Minute, persistence.WaitOptions{})
		done <- result{l, err}
	}()
	time.Sleep(300 * time.Millisecond) // the waiter is waiting
	select {
	case r := <-done:
		t.Fatalf("the waiter ended before the kill: %v, %v", r.l, r.err)
	default:
	}
	start := time.Now()
	srv.Kill()
	select {
	case r := <-done:
		if r.err == nil {
			t.Fatalf("the waiter was granted %v while the server was down", r.l)
		}
		unavailable(t, "the waiting Acquire", r.err, start, 10*time.Second)
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting Acquire did not return within 30s of the kill")
	}
	srv.Start()
	back(t, s2)
	info, err := s2.Inspect(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if durable && (!info.Held || info.Token != l.Token) {
		t.Fatalf("Inspect after the restart = %+v, want still held by the first lease (%d)", info, l.Token)
	}
	if !durable && info.Held {
		t.Fatalf("Inspect after the restart = %+v, want free (the server kept nothing)", info)
	}
	back(t, s1)
	if durable {
		if err := s1.Release(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	l2, err := persistence.Acquire(ctx, s2, k, persistence.NewOwner(), time.Second, persistence.WaitOptions{})
	if err != nil || l2.Token <= l.Token {
		t.Fatalf("Acquire after the restart = %v, %v; want a token > %d", l2, err, l.Token)
	}
}

func faultRenewal(t *testing.T, b Backend, srv Server) {
	s := b.New(t)
	ctx := ctxFor(t, 2*time.Minute)
	k := key(t, "kill-renew")
	opts := persistence.LockOptions{TTL: 1500 * time.Millisecond, RenewEvery: 200 * time.Millisecond}
	start := time.Now()
	var killed time.Time
	_, err := effect.Run(ctx, persistence.WithLock(s, k, opts, func(*persistence.Held) eff[int] {
		kill := sync0(func() struct{} { srv.Kill(); killed = time.Now(); return struct{}{} })
		return effect.AndThen(kill, effect.Never[any, error, int]())
	}), nil)
	var lost *persistence.LockLostError
	if !errors.As(err, &lost) || !errors.Is(lost.Err, persistence.ErrUnavailable) {
		t.Fatalf("holder whose server died: err = %v, want an interruption by *LockLostError wrapping ErrUnavailable", err)
	}
	// Lost once the lease's deadline passed without a renewal: not before
	// (it might still be valid), and not long after.
	if el := time.Since(killed); el > 10*time.Second {
		t.Fatalf("loss noticed %v after the kill, want soon after the 1.5s TTL", el)
	}
	if time.Since(start) < 1500*time.Millisecond-200*time.Millisecond {
		t.Fatalf("loss declared after %v, before the lease could have expired", time.Since(start))
	}
	srv.Start()
	back(t, s)
}
