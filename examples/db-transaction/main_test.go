package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const want = `   opening: alice 100, bob 50, carol 0; 0 transfers committed

1. alice pays bob 30
   begin
   debit alice 30
   credit bob 30
   commit
   transfer 1 done: alice paid bob 30
   balances: alice 70, bob 80, carol 0; 1 transfers committed

2. bob pays alice 500, more than he has
   begin
   rollback, because: insufficient funds (bob cannot pay 500)
   transfer failed: insufficient funds (bob cannot pay 500)
   balances: alice 70, bob 80, carol 0; 1 transfers committed

3. alice pays carol 20; the fraud check hangs, the transfer times out after 100ms
   begin
   debit alice 20
   rollback, because: the deadline passed
   transfer failed: timed out after 100ms
   balances: alice 70, bob 80, carol 0; 1 transfers committed

4. bob pays carol 5 while a maintenance job holds the write lock
   the database is locked (database is locked (5) (SQLITE_BUSY)): retrying every 10ms
   begin
   debit bob 5
   credit carol 5
   commit
   transfer 2 done: bob paid carol 5
   balances: alice 70, bob 75, carol 5; 2 transfers committed
`

// TestRun runs the program as `go run` does and checks every line: the
// commits, the rollbacks and why, and the balances after each transfer.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, filepath.Join(t.TempDir(), "bank.db")); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestInterruptedByTheCaller cancels Run's ctx while a transfer waits on
// its fraud check, after the debit: the transaction is rolled back before
// Run returns, and Run's error reads as the cancelled ctx.
func TestInterruptedByTheCaller(t *testing.T) {
	ctx := context.Background()
	var journal strings.Builder
	b, err := OpenBank(ctx, filepath.Join(t.TempDir(), "bank.db"), &journal)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Seed(ctx, map[string]int{"alice": 100, "bob": 0}); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	checking := make(chan struct{})
	check := func(ctx context.Context, _ Transfer) error {
		close(checking)
		<-ctx.Done()
		return context.Cause(ctx)
	}
	go func() { <-checking; cancel() }()
	_, err = eff.Run(runCtx, b.Pay(Transfer{"alice", "bob", 60}, check))
	if !errors.Is(err, context.Canceled) || !errors.Is(err, effect.ErrInterrupted) {
		t.Fatalf("got %v, want an interruption matching context.Canceled", err)
	}
	lines := strings.Split(strings.TrimSpace(journal.String()), "\n")
	if len(lines) != 3 || strings.TrimSpace(lines[1]) != "debit alice 60" || !strings.Contains(lines[2], "rollback, because: interrupted (context canceled)") {
		t.Fatalf("journal:\n%s", journal.String())
	}
	var alice, n int
	if err := b.db.QueryRow(`SELECT balance FROM accounts WHERE name = 'alice'`).Scan(&alice); err != nil {
		t.Fatal(err)
	}
	if err := b.db.QueryRow(`SELECT count(*) FROM transfers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if alice != 100 || n != 0 {
		t.Fatalf("after the rollback: alice has %d and %d transfers are recorded, want 100 and 0", alice, n)
	}
}

// TestUnknownAccount: the credit fails after the debit; the debit is
// rolled back and the error says which account.
func TestUnknownAccount(t *testing.T) {
	ctx := context.Background()
	b, err := OpenBank(ctx, filepath.Join(t.TempDir(), "bank.db"), &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Seed(ctx, map[string]int{"alice": 10}); err != nil {
		t.Fatal(err)
	}
	_, err = eff.Run(ctx, b.Pay(Transfer{"alice", "mallory", 5}, approve))
	if !errors.Is(err, ErrNoAccount) || !strings.Contains(err.Error(), "mallory") {
		t.Fatalf("got %v, want ErrNoAccount naming mallory", err)
	}
	var alice int
	if err := b.db.QueryRow(`SELECT balance FROM accounts WHERE name = 'alice'`).Scan(&alice); err != nil || alice != 10 {
		t.Fatalf("alice has %d (%v), want 10", alice, err)
	}
}
