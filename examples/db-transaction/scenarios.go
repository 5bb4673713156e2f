package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// A scenario is one transfer of the program, described for the output.
type scenario struct {
	title string
	run   func(ctx context.Context) (Receipt, error)
}

// approve is a fraud check that approves at once.
func approve(context.Context, Transfer) error { return nil }

// hang is a fraud check that never answers: it returns only when its ctx
// is cancelled, as a remote call does.
func hang(ctx context.Context, _ Transfer) error {
	<-ctx.Done()
	return context.Cause(ctx)
}

// checkTimeout bounds a whole transfer in scenario 3.
const checkTimeout = 100 * time.Millisecond

func scenarios(b *Bank) []scenario {
	return []scenario{
		{"alice pays bob 30", func(ctx context.Context) (Receipt, error) {
			return eff.Run(ctx, b.Pay(Transfer{"alice", "bob", 30}, approve))
		}},
		{"bob pays alice 500, more than he has", func(ctx context.Context) (Receipt, error) {
			return eff.Run(ctx, b.Pay(Transfer{"bob", "alice", 500}, approve))
		}},
		{fmt.Sprintf("alice pays carol 20; the fraud check hangs, the transfer times out after %v", checkTimeout),
			func(ctx context.Context) (Receipt, error) {
				return eff.Run(ctx, b.Pay(Transfer{"alice", "carol", 20}, hang).Timeout(checkTimeout))
			}},
		{"bob pays carol 5 while a maintenance job holds the write lock", func(ctx context.Context) (Receipt, error) {
			return eff.Run(ctx, b.PayWhileLocked(Transfer{"bob", "carol", 5}, 50*time.Millisecond))
		}},
	}
}

// PayWhileLocked returns an effect that starts a maintenance job holding
// SQLite's write lock for hold, then pays t, retrying while the database
// is busy: each attempt is a whole new transaction.
func (b *Bank) PayWhileLocked(t Transfer, hold time.Duration) eff.Effect[Receipt] {
	locked := effect.NewDeferred[error, struct{}]()
	// The job takes a connection of its own and the write lock with it,
	// and gives both back when its scope closes.
	lock := eff.Acquire(func(ctx context.Context) (*sql.Conn, error) {
		conn, err := b.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}, func(ctx context.Context, conn *sql.Conn) error {
		_, err := conn.ExecContext(ctx, "COMMIT")
		return errors.Join(err, conn.Close())
	})
	job := lock.AndThen(eff.Sync(func() bool { return locked.Succeed(struct{}{}) })).
		AndThen(eff.Sleep(hold)).
		Scoped()

	retried := false
	policy := schedule.Spaced(10 * time.Millisecond).Intersect(schedule.Recurs(200)).
		WhileInput(IsBusy).
		Tap(func(d schedule.Decision[int]) {
			if d.Continue && !retried {
				retried = true
				b.logf("   the database is locked (%v): retrying every 10ms", d.Input)
			}
		})
	return eff.Fork(job).FlatMap(func(*eff.Fiber[struct{}]) eff.Effect[Receipt] {
		return effect.AndThen(locked.Await[any](), b.Pay(t, approve).Retry(policy))
	}).Scoped()
}

// rollbackReason says why a transaction was rolled back. Inside a
// Timeout, the scope's error is the timeout's interruption or, when the
// statement in flight saw its ctx's deadline first (the ctx of Try carries
// the deadline of an enclosing Timeout), that statement's
// context.DeadlineExceeded: both mean the deadline passed.
func rollbackReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "the deadline passed"
	}
	return describe(err)
}

// describe says why a transfer failed or was rolled back, in a line.
func describe(err error) string {
	var funds *InsufficientFunds
	var timeout *effect.TimeoutError
	switch {
	case errors.As(err, &funds):
		return fmt.Sprintf("insufficient funds (%s cannot pay %d)", funds.Account, funds.Amount)
	case errors.As(err, &timeout):
		return fmt.Sprintf("timed out after %v", timeout.After)
	case errors.Is(err, effect.ErrInterrupted):
		return fmt.Sprintf("interrupted (%v)", err)
	default:
		return err.Error()
	}
}
