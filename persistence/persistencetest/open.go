package persistencetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
)

// OpenChecks are the bad-input checks of a backend's constructor.
type OpenChecks struct {
	// Open opens a store for dsn within ctx, closes it if it opened, and
	// returns the error.
	Open func(ctx context.Context, dsn string) error
	// Secret is the password that the DSNs below carry.
	Secret string
	// Malformed DSNs must fail with ErrInvalid.
	Malformed []string
	// Unreachable is a DSN of a port where nothing listens: it must fail
	// with ErrUnavailable within a 2s deadline.
	Unreachable string
	// WrongPassword, if set, is a DSN of the real server with Secret as a
	// wrong password: it must fail with ErrUnavailable.
	WrongPassword string
}

// CheckOpen runs c's checks; none of the errors may show the password, by
// Error or by a dump (%+v, %#v) of any error of its chain.
func CheckOpen(t *testing.T, c OpenChecks) {
	t.Helper()
	clean := func(what string, err error) {
		t.Helper()
		for e := err; e != nil; e = errors.Unwrap(e) {
			if out := fmt.Sprintf("%v %+v %#v", e, e, e); strings.Contains(out, c.Secret) {
				t.Errorf("%s: the error shows the password: %s", what, out)
			}
		}
	}
	ctx := context.Background()
	for _, d := range c.Malformed {
		err := c.Open(ctx, d)
		if !errors.Is(err, persistence.ErrInvalid) {
			t.Errorf("Open(malformed DSN): err = %v, want ErrInvalid", err)
		}
		clean("malformed DSN", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	err := c.Open(cctx, c.Unreachable)
	if !errors.Is(err, persistence.ErrUnavailable) {
		t.Errorf("Open(unreachable): err = %v, want ErrUnavailable", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Open(unreachable) took %v, want within its 2s deadline", el)
	}
	clean("unreachable server", err)
	if c.WrongPassword != "" {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := c.Open(wctx, c.WrongPassword)
		if !errors.Is(err, persistence.ErrUnavailable) {
			t.Errorf("Open with a wrong password: err = %v, want ErrUnavailable", err)
		}
		clean("wrong password", err)
	}
}
