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

func testSemaphoreLimit(t *testing.T, b Backend) {
	s, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	k := key(t, "sem")
	var leases []persistence.Lease
	var last uint64
	for i := range 3 {
		l, err := s.TryAcquirePermit(ctx, k, persistence.NewOwner(), 3, 10*time.Second)
		if err != nil {
			t.Fatalf("permit %d of 3: %v", i, err)
		}
		if l.Token <= last {
			t.Fatalf("permit %d: token %d after %d, want strictly greater", i, l.Token, last)
		}
		last = l.Token
		leases = append(leases, l)
	}
	_, err := s2.TryAcquirePermit(ctx, k, persistence.NewOwner(), 3, 10*time.Second)
	var le *persistence.LockedError
	if !errors.As(err, &le) || !errors.Is(err, persistence.ErrNoPermits) || errors.Is(err, persistence.ErrLocked) {
		t.Fatalf("fourth permit of 3: err = %v, want a *LockedError matching ErrNoPermits only", err)
	}
	if info, err := s2.InspectPermits(ctx, k); err != nil || info.Held != 3 || info.TTL <= 0 || info.TTL > 10*time.Second {
		t.Fatalf("InspectPermits = %+v, %v; want 3 held, TTL in (0, 10s]", info, err)
	}
	forged := leases[0]
	forged.Owner = persistence.NewOwner()
	if err := s2.ReleasePermit(ctx, forged); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("ReleasePermit by a wrong owner: err = %v, want ErrNotHeld", err)
	}
	if _, err := s2.ExtendPermit(ctx, forged, time.Minute); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("ExtendPermit by a wrong owner: err = %v, want ErrNotHeld", err)
	}
	if err := s.ReleasePermit(ctx, leases[1]); err != nil {
		t.Fatalf("ReleasePermit: %v", err)
	}
	if err := s.ReleasePermit(ctx, leases[1]); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("second ReleasePermit: err = %v, want ErrNotHeld", err)
	}
	if _, err := s2.TryAcquirePermit(ctx, k, persistence.NewOwner(), 3, 10*time.Second); err != nil {
		t.Fatalf("permit after a release: %v", err)
	}
}

func testSemaphoreExpiry(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 20*time.Second)
	k := key(t, "semexp")
	short, err := s.TryAcquirePermit(ctx, k, persistence.NewOwner(), 2, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	long, err := s.TryAcquirePermit(ctx, k, persistence.NewOwner(), 2, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	long, err = s.ExtendPermit(ctx, long, 10*time.Second)
	if err != nil {
		t.Fatalf("ExtendPermit: %v", err)
	}
	eventually(t, 10*time.Second, "the short permit expires", func() bool {
		_, err := s.TryAcquirePermit(ctx, k, persistence.NewOwner(), 2, 10*time.Second)
		return err == nil
	})
	if err := s.ReleasePermit(ctx, short); !errors.Is(err, persistence.ErrNotHeld) {
		t.Fatalf("ReleasePermit of the expired permit: err = %v, want ErrNotHeld", err)
	}
	if err := s.ReleasePermit(ctx, long); err != nil {
		t.Fatalf("ReleasePermit of the extended permit: %v", err)
	}
}

// testSemaphoreContention has several stores take permits of one key with
// a limit of 3 and checks that no more than 3 are ever held at once.
func testSemaphoreContention(t *testing.T, b Backend) {
	const limit, n = 3, 160
	k := key(t, "semc")
	ctx := ctxFor(t, 2*time.Minute)
	var inside, peak, done atomic.Int64
	var wg sync.WaitGroup
	poll := schedule.Exponential(200 * time.Microsecond).Capped(5 * time.Millisecond).FullJitter()
	for w := range b.workers() {
		s := b.New(t)
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done.Load() < n {
					l, err := persistence.AcquirePermit(ctx, s, k, persistence.NewOwner(), limit, 10*time.Second, persistence.WaitOptions{Poll: poll})
					if err != nil {
						t.Errorf("worker %d.%d: AcquirePermit: %v", w, g, err)
						return
					}
					c := inside.Add(1)
					for p := peak.Load(); c > p && !peak.CompareAndSwap(p, c); p = peak.Load() {
					}
					time.Sleep(time.Millisecond)
					inside.Add(-1)
					done.Add(1)
					if err := s.ReleasePermit(ctx, l); err != nil {
						t.Errorf("worker %d.%d: ReleasePermit: %v", w, g, err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	if p := peak.Load(); p > limit {
		t.Fatalf("%d permits held at once, limit %d", p, limit)
	}
	// That limit permits can be held at once is SemaphoreLimit's check;
	// here the peak depends on the timing.
	t.Logf("%s: peak of %d permits held at once, limit %d", b.Name, peak.Load(), limit)
}
