package main

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// counterFile is the resource the lock protects: a count, the highest
// fencing token that wrote it, and how many writes it refused.
type counterFile struct {
	count   int
	token   uint64
	refused int
}

func readCounter(path string) (counterFile, error) {
	var c counterFile
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	_, err = fmt.Sscanf(string(b), "%d %d %d", &c.count, &c.token, &c.refused)
	return c, err
}

// addOne reads the counter, waits a little (so that two writers without the
// lock would interleave and lose increments), and writes it back plus one —
// unless token is older than the newest token the file has seen: then it
// records a refused write and fails.
func addOne(path string, token uint64) error {
	c, err := readCounter(path)
	if err != nil {
		return err
	}
	time.Sleep(time.Millisecond)
	if token < c.token {
		c.refused++
		err = fmt.Errorf("stale fencing token %d < %d", token, c.token)
	} else {
		c.count++
		c.token = token
	}
	tmp := path + ".tmp"
	if werr := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d %d", c.count, c.token, c.refused), 0o644); werr != nil {
		return werr
	}
	if rerr := os.Rename(tmp, path); rerr != nil {
		return rerr
	}
	return err
}
