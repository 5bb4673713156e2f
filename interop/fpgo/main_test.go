package fpgo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	errBoom   = errors.New("boom")
	errReason = errors.New("client went away")
)

// recovered runs fn and returns what it panicked with, or nil.
func recovered(fn func()) (r any) {
	defer func() { r = recover() }()
	fn()
	return nil
}

// waitForCancel returns a function that waits an hour for its ctx to be
// cancelled and records the cancel cause it saw in seen.
func waitForCancel(seen *error) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		select {
		case <-ctx.Done():
			*seen = context.Cause(ctx)
			return 0, ctx.Err()
		case <-time.After(time.Hour):
			return 1, nil
		}
	}
}
