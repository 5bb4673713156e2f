package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gogoscope/gogoscope/eff"
)

// InsufficientFunds is the failure of a transfer whose payer has less
// money than the amount.
type InsufficientFunds struct {
	Account string
	Amount  int
}

func (e *InsufficientFunds) Error() string {
	return fmt.Sprintf("bank: %s cannot pay %d", e.Account, e.Amount)
}

// ErrNoAccount is the failure of a transfer to or from an account that
// does not exist.
var ErrNoAccount = errors.New("bank: no such account")

// Transfer is a request to move Amount from From to To.
type Transfer struct {
	From, To string
	Amount   int
}

// Receipt is a committed transfer.
type Receipt struct {
	ID int64
	Transfer
}

func (r Receipt) String() string { return fmt.Sprintf("%s paid %s %d", r.From, r.To, r.Amount) }

// Bank is the database and the journal it prints to. Its methods are safe
// for concurrent use.
type Bank struct {
	db  *sql.DB
	mu  sync.Mutex // serializes the journal's lines
	out io.Writer
}

// OpenBank opens or creates the database file at path. SQLite transactions
// begin IMMEDIATE (they take the write lock at BEGIN, so two transfers
// never deadlock upgrading a read lock), and a writer that finds the lock
// taken fails with SQLITE_BUSY at once: the transfer's retry policy decides
// what to do about it, not a hidden busy timeout.
func OpenBank(ctx context.Context, path string, journal io.Writer) (*Bank, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	const schema = `
		CREATE TABLE IF NOT EXISTS accounts (
			name    TEXT PRIMARY KEY,
			balance INTEGER NOT NULL CHECK (balance >= 0)
		);
		CREATE TABLE IF NOT EXISTS transfers (
			id     INTEGER PRIMARY KEY AUTOINCREMENT,
			payer  TEXT NOT NULL REFERENCES accounts(name),
			payee  TEXT NOT NULL REFERENCES accounts(name),
			amount INTEGER NOT NULL CHECK (amount > 0)
		);`
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("bank: schema: %w", err)
	}
	return &Bank{db: db, out: journal}, nil
}

// Close closes the database.
func (b *Bank) Close() error { return b.db.Close() }

// Seed sets the balances of the accounts, creating them as needed.
func (b *Bank) Seed(ctx context.Context, balances map[string]int) error {
	for name, v := range balances {
		if _, err := b.db.ExecContext(ctx, `INSERT INTO accounts (name, balance) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET balance = excluded.balance`, name, v); err != nil {
			return fmt.Errorf("bank: seed %s: %w", name, err)
		}
	}
	return nil
}

// PrintBalances prints every account's balance, by name, and the number of
// committed transfers.
func (b *Bank) PrintBalances(ctx context.Context, title string) error {
	rows, err := b.db.QueryContext(ctx, `SELECT name, balance FROM accounts ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var name string
		var v int
		if err := rows.Scan(&name, &v); err != nil {
			return err
		}
		parts = append(parts, fmt.Sprintf("%s %d", name, v))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var n int
	if err := b.db.QueryRowContext(ctx, `SELECT count(*) FROM transfers`).Scan(&n); err != nil {
		return err
	}
	b.logf("   %s: %s; %d transfers committed", title, strings.Join(parts, ", "), n)
	return nil
}

func (b *Bank) logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.out, format+"\n", args...)
}

// Tx returns an effect that begins a transaction and registers its end in
// the current scope: commit when the scope's effect succeeded, rollback
// otherwise. BeginTx gets the acquire step's ctx, which lives until this
// release has run, so the transaction survives the steps that use it;
// each statement gets the ctx of its own step (an interruption cancels
// the statement, not the transaction). Use it inside Scoped.
func (b *Bank) Tx() eff.Effect[*sql.Tx] {
	begin := func(ctx context.Context) (*sql.Tx, error) {
		tx, err := b.db.BeginTx(ctx, nil)
		if err == nil {
			b.logf("   begin")
		}
		return tx, err
	}
	end := func(ctx context.Context, tx *sql.Tx, err error) error {
		if err == nil {
			if cerr := tx.Commit(); cerr != nil {
				return fmt.Errorf("bank: commit: %w", cerr)
			}
			b.logf("   commit")
			return nil
		}
		b.logf("   rollback, because: %v", rollbackReason(err))
		return tx.Rollback()
	}
	return eff.AcquireExit(begin, end)
}

// Debit returns an effect that takes amount from account inside tx, or
// fails with *InsufficientFunds (or ErrNoAccount) and writes nothing.
func (b *Bank) Debit(tx *sql.Tx, account string, amount int) eff.Effect[struct{}] {
	return eff.Do(func(ctx context.Context) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET balance = balance - ? WHERE name = ? AND balance >= ?`,
			amount, account, amount)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if !b.exists(ctx, tx, account) {
				return fmt.Errorf("%w: %s", ErrNoAccount, account)
			}
			return &InsufficientFunds{Account: account, Amount: amount}
		}
		b.logf("   debit %s %d", account, amount)
		return nil
	})
}

// Credit returns an effect that adds amount to account inside tx.
func (b *Bank) Credit(tx *sql.Tx, account string, amount int) eff.Effect[struct{}] {
	return eff.Do(func(ctx context.Context) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET balance = balance + ? WHERE name = ?`, amount, account)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: %s", ErrNoAccount, account)
		}
		b.logf("   credit %s %d", account, amount)
		return nil
	})
}

// Record returns an effect that journals t inside tx and succeeds with
// its receipt.
func (b *Bank) Record(tx *sql.Tx, t Transfer) eff.Effect[Receipt] {
	return eff.Try(func(ctx context.Context) (Receipt, error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO transfers (payer, payee, amount) VALUES (?, ?, ?)`, t.From, t.To, t.Amount)
		if err != nil {
			return Receipt{}, err
		}
		id, err := res.LastInsertId()
		return Receipt{ID: id, Transfer: t}, err
	})
}

func (b *Bank) exists(ctx context.Context, tx *sql.Tx, account string) bool {
	var one int
	return tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE name = ?`, account).Scan(&one) == nil
}

// Pay returns an effect that transfers t in one transaction: debit, then
// check (the fraud check, or any step that may fail or hang), credit and
// journal; commit if all succeeded, roll back otherwise.
func (b *Bank) Pay(t Transfer, check func(ctx context.Context, t Transfer) error) eff.Effect[Receipt] {
	return b.Tx().FlatMap(func(tx *sql.Tx) eff.Effect[Receipt] {
		return b.Debit(tx, t.From, t.Amount).
			AndThen(eff.Do(func(ctx context.Context) error { return check(ctx, t) })).
			AndThen(b.Credit(tx, t.To, t.Amount)).
			AndThen(b.Record(tx, t))
	}).Scoped()
}

// IsBusy reports whether err is SQLite's "database is locked": another
// connection holds the write lock, and trying again later may succeed.
func IsBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
