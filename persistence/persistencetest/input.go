package persistencetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

func testBadInput(t *testing.T, b Backend) {
	s := b.New(t)
	ctx := ctxFor(t, 10*time.Second)
	o := persistence.NewOwner()
	good := persistence.Lease{Key: "k", Owner: o, Token: 1, TTL: time.Second}
	checks := []struct {
		name string
		err  error
	}{
		{"TryAcquire empty key", func() error { _, err := s.TryAcquire(ctx, "", o, time.Second); return err }()},
		{"TryAcquire zero ttl", func() error { _, err := s.TryAcquire(ctx, "k", o, 0); return err }()},
		{"TryAcquire negative ttl", func() error { _, err := s.TryAcquire(ctx, "k", o, -time.Second); return err }()},
		{"TryAcquire sub-millisecond ttl", func() error { _, err := s.TryAcquire(ctx, "k", o, time.Microsecond); return err }()},
		{"TryAcquire empty owner", func() error { _, err := s.TryAcquire(ctx, "k", "", time.Second); return err }()},
		{"TryAcquire key too long", func() error {
			_, err := s.TryAcquire(ctx, strings.Repeat("k", persistence.MaxKeyLen+1), o, time.Second)
			return err
		}()},
		{"Release empty key", s.Release(ctx, persistence.Lease{Owner: o})},
		{"Release empty owner", s.Release(ctx, persistence.Lease{Key: "k"})},
		{"Extend zero ttl", func() error { _, err := s.Extend(ctx, good, 0); return err }()},
		{"ForceRelease empty key", func() error { _, err := s.ForceRelease(ctx, ""); return err }()},
		{"Inspect empty key", func() error { _, err := s.Inspect(ctx, ""); return err }()},
		{"TryAcquirePermit zero limit", func() error { _, err := s.TryAcquirePermit(ctx, "k", o, 0, time.Second); return err }()},
		{"TryAcquirePermit negative ttl", func() error { _, err := s.TryAcquirePermit(ctx, "k", o, 1, -1); return err }()},
		{"ExtendPermit zero ttl", func() error { _, err := s.ExtendPermit(ctx, good, 0); return err }()},
		{"InspectPermits empty key", func() error { _, err := s.InspectPermits(ctx, ""); return err }()},
		{"Load empty name", func() error { _, err := s.Load(ctx, ""); return err }()},
		{"Update empty name", func() error {
			_, err := s.Update(ctx, "", func(r resource.BreakerRecord) resource.BreakerRecord { return r })
			return err
		}()},
		{"WatchBreaker empty name", s.WatchBreaker(ctx, "", func(resource.BreakerRecord) {})},
	}
	for _, c := range checks {
		var ie *persistence.InvalidError
		if !errors.As(c.err, &ie) || !errors.Is(c.err, persistence.ErrInvalid) {
			t.Errorf("%s: err = %v, want an *InvalidError matching ErrInvalid", c.name, c.err)
			continue
		}
		if !strings.HasPrefix(c.err.Error(), "persistence: ") || len(c.err.Error()) > 200 {
			t.Errorf("%s: message %q, want a short one starting with \"persistence: \"", c.name, c.err)
		}
	}
}

// HostileKeys are keys that would break a query or a script that spliced
// them into its text: quotes, comment and statement separators, NUL,
// invalid UTF-8, Lua and Redis syntax, and 10 KB.
var HostileKeys = []string{
	"'", `"`, "`", "';DROP TABLE x;--", `"); DROP TABLE x; --`, "a\x00b", "\x00",
	"\xff\xfe invalid utf-8", "]]..redis.call('FLUSHALL')..[[", "{tag}", "*", "?", "%_", `\`, "\n\r\t",
	"$1", "😀 ünïcödé", strings.Repeat("x", 10<<10), strings.Repeat("'\x00;", 3<<10),
}

func testHostileKeys(t *testing.T, b Backend) {
	s, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 30*time.Second)
	prefix := key(t, "hostile")
	for i, h := range HostileKeys {
		k := prefix + h
		l, err := s.TryAcquire(ctx, k, persistence.NewOwner(), 10*time.Second)
		if err != nil {
			t.Fatalf("key %d: TryAcquire: %v", i, err)
		}
		if l.Key != k {
			t.Fatalf("key %d: lease key differs from the key asked for", i)
		}
		// A key that differs only by the hostile suffix is another lock.
		if _, err := s2.TryAcquire(ctx, k, persistence.NewOwner(), time.Second); !errors.Is(err, persistence.ErrLocked) {
			t.Fatalf("key %d: second TryAcquire: err = %v, want ErrLocked", i, err)
		}
		if info, err := s2.Inspect(ctx, k); err != nil || !info.Held || info.Token != l.Token {
			t.Fatalf("key %d: Inspect = %+v, %v; want held by %d", i, info, err, l.Token)
		}
		if _, err := s.TryAcquirePermit(ctx, k, persistence.NewOwner(), 1, time.Second); err != nil {
			t.Fatalf("key %d: TryAcquirePermit: %v", i, err)
		}
		if err := s.Release(ctx, l); err != nil {
			t.Fatalf("key %d: Release: %v", i, err)
		}
	}
	// Every lock above was its own: the prefix alone was never locked.
	if info, err := s.Inspect(ctx, prefix); err != nil || info.Held || info.Token != 0 {
		t.Fatalf("Inspect of the bare prefix = %+v, %v; want never used", info, err)
	}
}
