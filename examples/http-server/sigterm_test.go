//go:build unix

package main

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSIGTERMStopsGracefully(t *testing.T) {
	s := start(t, func(cfg Config, ln, dln net.Listener) error { return runUntilSignal(cfg, ln, dln, 5*time.Second) })
	// A report in flight when SIGTERM arrives is let finish.
	result := make(chan int, 1)
	go func() {
		status, _ := s.do(t, "GET", "/report", "")
		result <- status
	}()
	s.waitForRequest(t, "GET /report")
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-s.done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if status := <-result; status != 200 {
		t.Errorf("the report in flight at SIGTERM: got %d, want 200", status)
	}
	if !strings.Contains(s.logs.String(), "store closed") {
		t.Errorf("the store was not closed:\n%s", s.logs)
	}
}
