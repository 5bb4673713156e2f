// Command distributed-lock runs two worker processes that share a lock, a
// fencing-checked counter and a circuit breaker through one backend:
// SQLite by default (a file in a temporary directory), or Redis, PostgreSQL
// or MySQL/MariaDB with -backend, reading REDIS_URL, POSTGRES_DSN or
// MYSQL_DSN.
//
//	go run ./examples/distributed-lock
//	go run ./examples/distributed-lock -backend redis -rounds 50
//
// Each worker increments the counter under the lock, rounds times; the
// counter file refuses writes whose fencing token is older than the last it
// saw, and reading then writing it without the lock would lose increments.
// Then worker 0 calls a failing payment service through a shared breaker
// until it opens, and worker 1 — another process — finds the breaker open
// and its call refused without running.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// workerEnv tells a process started by run that it is a worker.
const workerEnv = "DISTRIBUTED_LOCK_WORKER"

func main() {
	ctx := context.Background()
	var err error
	if os.Getenv(workerEnv) != "" {
		err = worker(ctx, os.Stdout)
	} else {
		err = run(ctx, os.Args[1:], os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "distributed-lock:", err)
		os.Exit(1)
	}
}

// run starts the workers as processes of this executable, waits for them,
// and prints what they did, in a stable order.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("distributed-lock", flag.ContinueOnError)
	backend := fs.String("backend", "sqlite", "sqlite, redis, postgres or mysql")
	rounds := fs.Int("rounds", 20, "increments per worker")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := dsnFor(*backend, ""); err != nil {
		return err
	}
	if *rounds <= 0 {
		return fmt.Errorf("-rounds must be > 0, got %d", *rounds)
	}
	dir, err := os.MkdirTemp("", "distributed-lock-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// A prefix per run keeps runs apart on servers that keep their data.
	prefix := fmt.Sprintf("example-%d-%d:", os.Getpid(), time.Now().UnixNano())
	const workers = 2
	outs := make([]strings.Builder, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, self)
			cmd.Env = append(os.Environ(), workerEnv+"=1", "DL_ID="+strconv.Itoa(i), "DL_BACKEND="+*backend,
				"DL_DIR="+dir, "DL_PREFIX="+prefix, "DL_ROUNDS="+strconv.Itoa(*rounds))
			cmd.Stdout = &outs[i]
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("worker %d: %v: %s", i, err, stderr.String())
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	var lines []string
	for i := range workers {
		lines = append(lines, strings.Split(strings.TrimSpace(outs[i].String()), "\n")...)
	}
	sort.Strings(lines)
	fmt.Fprintf(out, "backend: %s\n", *backend)
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	c, err := readCounter(filepath.Join(dir, "counter"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "counter: %d of %d increments, refused writes: %d\n", c.count, workers**rounds, c.refused)
	return nil
}
