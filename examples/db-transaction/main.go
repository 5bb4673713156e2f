// Command db-transaction moves money between accounts of a SQLite database
// (modernc.org/sqlite, embedded, no cgo) in transactions that commit when
// the transfer succeeds and roll back when it fails or is interrupted.
//
// A transfer is one effect: eff.AcquireExit begins the transaction with
// db.BeginTx on the acquire step's ctx — which lives until the release has
// run, so database/sql does not roll the transaction back under the
// transfer's feet — and its release commits after a success and rolls back
// after anything else, learning why. The program runs four transfers and
// prints the journal of the bank and the balances after each:
//
//  1. alice pays bob 30: committed;
//  2. bob tries to pay alice 500: the debit finds too little money, the
//     transfer fails with a typed *InsufficientFunds and rolls back;
//  3. alice pays carol 20 while the fraud check hangs: the transfer's
//     timeout interrupts it after the debit was written, and the release
//     rolls the debit back;
//  4. bob pays carol 5 while the database is locked by another
//     connection for a moment: SQLite answers "busy", and the retry runs the
//     whole transaction again.
//
// Ctrl-C interrupts a transfer in flight the same way as the timeout: the
// transaction is rolled back before the program exits.
//
//	go run ./examples/db-transaction
//	go run ./examples/db-transaction -db /tmp/bank.db   # keep the database
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
)

func main() {
	path := flag.String("db", "", "the SQLite database file (default: a new one in a temporary directory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *path); err != nil {
		fmt.Fprintln(os.Stderr, "db-transaction:", err)
		os.Exit(1)
	}
}

// run opens (or creates) the bank at path, or in a temporary directory
// when path is empty, runs the four transfers and prints what happened.
func run(ctx context.Context, w io.Writer, path string) error {
	if path == "" {
		dir, err := os.MkdirTemp("", "db-transaction-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "bank.db")
	}
	bank, err := OpenBank(ctx, path, w)
	if err != nil {
		return err
	}
	defer bank.Close()
	if err := bank.Seed(ctx, map[string]int{"alice": 100, "bob": 50, "carol": 0}); err != nil {
		return err
	}
	if err := bank.PrintBalances(ctx, "opening"); err != nil {
		return err
	}
	for i, s := range scenarios(bank) {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, s.title)
		receipt, err := s.run(ctx)
		if err != nil {
			fmt.Fprintf(w, "   transfer failed: %v\n", describe(err))
		} else {
			fmt.Fprintf(w, "   transfer %d done: %s\n", receipt.ID, receipt)
		}
		if ctx.Err() != nil {
			return ctx.Err() // Ctrl-C: the transfer was rolled back; stop here
		}
		if err := bank.PrintBalances(ctx, "balances"); err != nil {
			return err
		}
	}
	return nil
}
