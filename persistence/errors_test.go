package persistence_test

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
)

// TestSecretsNeverPrinted prints errors, leases and secrets every way a log
// or a dump would, and finds neither the password nor the owner token.
func TestSecretsNeverPrinted(t *testing.T) {
	const password, owner = "hunter2-pa55", "0123456789abcdef-owner"
	driverErr := fmt.Errorf("auth failed for user app with password %s", password)
	be := persistence.NewBackendError("postgres", "Open", driverErr, password)
	if !errors.Is(be, persistence.ErrUnavailable) || !errors.Is(be, driverErr) {
		t.Fatalf("BackendError does not match ErrUnavailable and the driver's error")
	}
	lease := persistence.Lease{Key: "k", Owner: owner, Token: 7, TTL: time.Second}
	type holder struct {
		S persistence.Secret
		s persistence.Secret
	}
	h := holder{persistence.NewSecret(password), persistence.NewSecret(password)}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "lease", lease, "err", be, "secret", h.S)
	for _, out := range []string{
		be.Error(), fmt.Sprintf("%v %+v %#v %s", be, be, be, be),
		fmt.Sprintf("%v %+v %#v %s", lease, lease, lease, lease),
		fmt.Sprintf("%v %+v %#v", h, h, h), logged.String(),
	} {
		if strings.Contains(out, password) || strings.Contains(out, owner) {
			t.Errorf("a secret was printed: %s", out)
		}
	}
	if h.S.Reveal() != password || persistence.NewSecret("").String() != "" {
		t.Fatal("Secret does not keep its password")
	}
}

func TestErrorMessages(t *testing.T) {
	long := strings.Repeat("k", 10<<10)
	for _, c := range []struct {
		err  error
		want string
		is   error
	}{
		{&persistence.LockedError{Key: "job"}, `persistence: lock "job" is held`, persistence.ErrLocked},
		{&persistence.LockedError{Key: "job", Semaphore: true}, `persistence: no permit left for "job"`, persistence.ErrNoPermits},
		{&persistence.LockLostError{Key: "job", Token: 3, Err: persistence.ErrNotHeld}, `persistence: lock "job" lost (token 3): persistence: lease not held`, persistence.ErrLockLost},
		{&persistence.InvalidError{Op: "x.TryAcquire", Rule: "key must not be empty"}, `persistence: x.TryAcquire: key must not be empty`, persistence.ErrInvalid},
		{&persistence.LockedError{Key: long}, `persistence: lock "` + long[:64] + `"…(10240 bytes) is held`, persistence.ErrLocked},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
		if !errors.Is(c.err, c.is) {
			t.Errorf("%v does not match %v", c.err, c.is)
		}
	}
	if errors.Is(&persistence.LockedError{Key: "k"}, persistence.ErrNoPermits) {
		t.Error("a lock's LockedError matches ErrNoPermits")
	}
}

func TestNewOwner(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		o := persistence.NewOwner()
		if len(o) != 32 || seen[o] {
			t.Fatalf("owner %q: want 32 hex digits, never repeated", o)
		}
		seen[o] = true
	}
}
