package persistencetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/schedule"
)

func testAcquireRelease(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k := key(t, "ar")
	a, o := persistence.NewOwner(), persistence.NewOwner()
	l, err := s.TryAcquire(ctx, k, a, 5*time.Second)
	if err != nil {
		t.Fatalf("TryAcquire: %v", err)
	}
	if l.Key != k || l.Owner != a || l.Token == 0 || l.TTL != 5*time.Second {
		t.Fatalf("lease = %v owner ok %v, want key %q, a token, ttl 5s", l, l.Owner == a, k)
	}
	_, err = s.TryAcquire(ctx, k, o, 5*time.Second)
	var le *persistence.LockedError
	if !errors.As(err, &le) || !errors.Is(err, persistence.ErrLocked) {
		t.Fatalf("second TryAcquire: err = %v, want a *LockedError matching ErrLocked", err)
	}
	if le.TTL <= 0 || le.TTL > 5*time.Second {
		t.Errorf("LockedError.TTL = %v, want in (0, 5s]", le.TTL)
	}
	if err := s.Release(ctx, l); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := s.Release(ctx, l); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("second Release: err = %v, want ErrNotHeld", err)
	}
	l2, err := s.TryAcquire(ctx, k, o, time.Second)
	if err != nil {
		t.Fatalf("TryAcquire after release: %v", err)
	}
	if l2.Token <= l.Token {
		t.Fatalf("token after release = %d, want > %d", l2.Token, l.Token)
	}
}

func testNotReentrant(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k, o := key(t, "re"), persistence.NewOwner()
	l, err := s.TryAcquire(ctx, k, o, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryAcquire(ctx, k, o, 5*time.Second); !errors.Is(err, persistence.ErrLocked) {
		t.Fatalf("TryAcquire by the holder: err = %v, want ErrLocked (not re-entrant)", err)
	}
	if err := s.Release(ctx, l); err != nil {
		t.Fatalf("Release after the refused re-entry: %v", err)
	}
}

func testExpiry(t *testing.T, b Backend) {
	s, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 20*time.Second)
	k := key(t, "exp")
	start := time.Now()
	l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var l2 persistence.Lease
	eventually(t, 10*time.Second, "another owner takes the expired lock", func() bool {
		var err error
		l2, err = s2.TryAcquire(ctx, k, persistence.NewOwner(), 5*time.Second)
		if err != nil && !errors.Is(err, persistence.ErrLocked) {
			t.Fatalf("TryAcquire: %v", err)
		}
		return err == nil
	})
	// The server's clock expired it: never before the TTL ran out, as
	// seen from here (the request left no earlier than start).
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Fatalf("lock taken after %v, before its 200ms TTL", el)
	}
	if l2.Token <= l.Token {
		t.Fatalf("token = %d after expiry, want > %d", l2.Token, l.Token)
	}
	if err := s.Release(ctx, l); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("Release of the expired lease: err = %v, want ErrNotHeld", err)
	}
	if _, err := s.Extend(ctx, l, time.Second); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("Extend of the expired lease: err = %v, want ErrNotHeld", err)
	}
	if info, err := s.Inspect(ctx, k); err != nil || !info.Held || info.Token != l2.Token {
		t.Fatalf("Inspect = %+v, %v; want held by token %d", info, err, l2.Token)
	}
}

func testWrongOwner(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k := key(t, "wo")
	l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	forged := l
	forged.Owner = persistence.NewOwner()
	if err := s.Release(ctx, forged); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("Release by a wrong owner: err = %v, want ErrNotHeld", err)
	}
	if _, err := s.Extend(ctx, forged, time.Minute); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("Extend by a wrong owner: err = %v, want ErrNotHeld", err)
	}
	other := l
	other.Token++
	if err := s.Release(ctx, other); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("Release with the right owner and another token: err = %v, want ErrNotHeld", err)
	}
	info, err := s.Inspect(ctx, k)
	if err != nil || !info.Held || info.Token != l.Token || info.TTL > 5*time.Second {
		t.Fatalf("Inspect after refused changes = %+v, %v; want held by token %d, ttl <= 5s", info, err, l.Token)
	}
	if err := s.Release(ctx, l); err != nil {
		t.Fatalf("Release by the owner: %v", err)
	}
}

func testExtend(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k := key(t, "ext")
	l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s.Extend(ctx, l, 10*time.Second)
	if err != nil {
		t.Fatalf("Extend: %v", err)
	}
	if l2.Token != l.Token || l2.Owner != l.Owner || l2.TTL != 10*time.Second {
		t.Fatalf("extended lease = %v, want same token and owner, ttl 10s", l2)
	}
	time.Sleep(400 * time.Millisecond) // past the first TTL: the extension holds it
	info, err := s.Inspect(ctx, k)
	if err != nil || !info.Held || info.TTL < 8*time.Second {
		t.Fatalf("Inspect after the first TTL = %+v, %v; want held for about 10s", info, err)
	}
	// The old lease value still names the holding acquisition.
	if err := s.Release(ctx, l); err != nil {
		t.Fatalf("Release with the lease from before Extend: %v", err)
	}
}

func testFencing(t *testing.T, b Backend) {
	s, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 20*time.Second)
	k := key(t, "fence")
	var last uint64
	for i := range 20 {
		st := s
		if i%2 == 1 {
			st = s2 // tokens increase across stores and connections
		}
		l, err := st.TryAcquire(ctx, k, persistence.NewOwner(), 5*time.Second)
		if err != nil {
			t.Fatalf("acquisition %d: %v", i, err)
		}
		if l.Token <= last {
			t.Fatalf("acquisition %d: token %d after %d, want strictly greater", i, l.Token, last)
		}
		last = l.Token
		switch i % 3 {
		case 0:
			err = st.Release(ctx, l)
		case 1:
			_, err = s.ForceRelease(ctx, k)
		case 2:
			_, err = st.ForceRelease(ctx, k)
		}
		if err != nil {
			t.Fatalf("freeing acquisition %d: %v", i, err)
		}
	}
	if info, err := s.Inspect(ctx, k); err != nil || info.Held || info.Token != last {
		t.Fatalf("Inspect of the freed lock = %+v, %v; want free, last token %d", info, err, last)
	}
}

func testForceRelease(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k := key(t, "force")
	l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ForceRelease(ctx, k); err != nil || !ok {
		t.Fatalf("ForceRelease of a held lock = %v, %v; want true", ok, err)
	}
	if ok, err := s.ForceRelease(ctx, k); err != nil || ok {
		t.Fatalf("ForceRelease of a free lock = %v, %v; want false", ok, err)
	}
	if err := s.Release(ctx, l); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("Release after ForceRelease: err = %v, want ErrNotHeld", err)
	}
	if _, err := s.TryAcquire(ctx, k, persistence.NewOwner(), time.Second); err != nil {
		t.Fatalf("TryAcquire after ForceRelease: %v", err)
	}
	if ok, err := s.ForceRelease(ctx, key(t, "never")); err != nil || ok {
		t.Fatalf("ForceRelease of a key never used = %v, %v; want false", ok, err)
	}
}

func testInspect(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k := key(t, "insp")
	if info, err := s.Inspect(ctx, k); err != nil || info.Held || info.Token != 0 || info.Key != k {
		t.Fatalf("Inspect of an unused key = %+v, %v; want free, token 0", info, err)
	}
	l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Inspect(ctx, k)
	if err != nil || !info.Held || info.Token != l.Token || info.TTL <= 2*time.Second || info.TTL > 3*time.Second {
		t.Fatalf("Inspect = %+v, %v; want held by token %d with a TTL in (2s, 3s]", info, err, l.Token)
	}
}

// testExclusion runs b.workers() stores, each with its own connections,
// taking and releasing one lock until n acquisitions are done in all; a
// shared counter checks that no two ever hold it at once.
func testExclusion(t *testing.T, b Backend, n int) {
	Exclusion(t, b, n)
}

// Exclusion runs b's workers (stores on connections of their own, two
// goroutines each) taking and releasing one lock with a waiting acquire until
// n acquisitions are done in all, and fails the test if two holders ever
// overlap (by a shared counter) or a fencing token does not increase. It is
// the stress test's body: callers choose n.
func Exclusion(t *testing.T, b Backend, n int) {
	k := key(t, "mutex")
	ctx := ctxFor(t, 5*time.Minute)
	var (
		inside, done atomic.Int64
		mu           sync.Mutex
		lastToken    uint64
		wg           sync.WaitGroup
		failed       atomic.Bool
	)
	poll := schedule.Exponential(200 * time.Microsecond).Capped(5 * time.Millisecond).FullJitter()
	for w := range b.workers() {
		s := b.New(t)
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done.Load() < int64(n) && !failed.Load() {
					l, err := persistence.Acquire(ctx, s, k, persistence.NewOwner(), 10*time.Second, persistence.WaitOptions{Poll: poll})
					if err != nil {
						t.Errorf("worker %d.%d: Acquire: %v", w, g, err)
						failed.Store(true)
						return
					}
					if c := inside.Add(1); c != 1 {
						t.Errorf("worker %d.%d: %d holders at once", w, g, c)
						failed.Store(true)
					}
					mu.Lock()
					if l.Token <= lastToken {
						t.Errorf("token %d after %d", l.Token, lastToken)
						failed.Store(true)
					}
					lastToken = l.Token
					mu.Unlock()
					inside.Add(-1)
					done.Add(1)
					if err := s.Release(ctx, l); err != nil {
						t.Errorf("worker %d.%d: Release: %v", w, g, err)
						failed.Store(true)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	if !failed.Load() && done.Load() < int64(n) {
		t.Fatalf("%d acquisitions, want %d", done.Load(), n)
	}
	t.Logf("%s: %d acquisitions by %d workers", b.Name, done.Load(), 2*b.workers())
}

func testWaitWakes(t *testing.T, b Backend) {
	s, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 20*time.Second)
	k := key(t, "wake")
	l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan persistence.Lease, 1)
	errc := make(chan error, 1)
	go func() {
		l2, err := persistence.Acquire(ctx, s2, k, persistence.NewOwner(), time.Minute, persistence.WaitOptions{})
		if err != nil {
			errc <- err
			return
		}
		got <- l2
	}()
	select {
	case l2 := <-got:
		t.Fatalf("waiter acquired %v while the lock was held", l2)
	case err := <-errc:
		t.Fatalf("waiter: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := s.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	select {
	case l2 := <-got:
		if l2.Token <= l.Token {
			t.Fatalf("waiter's token %d, want > %d", l2.Token, l.Token)
		}
	case err := <-errc:
		t.Fatalf("waiter: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("waiter not woken 10s after the release")
	}
}

func testWaitGivesUp(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k := key(t, "giveup")
	if _, err := s.TryAcquire(ctx, k, persistence.NewOwner(), time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err := persistence.Acquire(ctx, s, k, persistence.NewOwner(), time.Minute,
		persistence.WaitOptions{Poll: schedule.Spaced(10 * time.Millisecond).Intersect(schedule.Recurs(3)).Delays()})
	if !errors.Is(err, persistence.ErrLocked) {
		t.Fatalf("Acquire with a stopping schedule: err = %v, want ErrLocked", err)
	}
}

func testInterruptedWaiter(t *testing.T, b Backend) {
	s, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 20*time.Second)
	k := key(t, "intw")
	l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := ctxWithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	owner := persistence.NewOwner()
	_, err = persistence.Acquire(wctx, s2, k, owner, time.Minute, persistence.WaitOptions{})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("waiter whose ctx ended: err = %v after %v, want an error soon after 150ms", err, time.Since(start))
	}
	if err := s.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	// The waiter holds nothing: the lock is free for a third owner.
	if _, err := s.TryAcquire(ctx, k, persistence.NewOwner(), time.Second); err != nil {
		t.Fatalf("TryAcquire after the waiter gave up: %v", err)
	}
}
