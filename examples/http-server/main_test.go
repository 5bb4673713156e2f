package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/adapters/inspector"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// logBuf is a log output safe for concurrent use.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// service is the program running on loopback listeners.
type service struct {
	url, debugURL string
	logs          *logBuf
	done          chan error
	client        *http.Client
}

func start(t *testing.T, runner func(cfg Config, ln, dln net.Listener) error) *service {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuf{}
	cfg := Config{Log: slog.New(slog.NewTextHandler(logs, nil)), Reports: 1, ReportTime: 300 * time.Millisecond}
	s := &service{url: "http://" + ln.Addr().String(), debugURL: "http://" + dln.Addr().String(),
		logs: logs, done: make(chan error, 1), client: &http.Client{Transport: &http.Transport{}}}
	go func() { s.done <- runner(cfg, ln, dln) }()
	t.Cleanup(s.client.CloseIdleConnections)
	// Wait until it answers.
	for range 200 {
		if resp, err := s.client.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the service never answered")
	return nil
}

func (s *service) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// waitForRequest waits until the inspector lists a request in flight
// labelled label.
func (s *service) waitForRequest(t *testing.T, label string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		resp, err := s.client.Get(s.debugURL + "/debug/gogoscope/snapshot.json")
		if err != nil {
			t.Fatal(err)
		}
		var snap inspector.Snapshot
		err = json.NewDecoder(resp.Body).Decode(&snap)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range snap.Requests {
			if r.Label == label {
				return
			}
		}
	}
	t.Fatalf("%s never showed in flight", label)
}

func TestTheService(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := start(t, func(cfg Config, ln, dln net.Listener) error { return run(ctx, cfg, ln, dln, 5*time.Second) })

	for _, tt := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/items", `{"name":"tea"}`, 201, `{"id":1,"name":"tea"}`},
		{"POST", "/items", `{"name":"milk"}`, 201, `{"id":2,"name":"milk"}`},
		{"GET", "/items/1", "", 200, `{"id":1,"name":"tea"}`},
		{"GET", "/items", "", 200, `[{"id":1,"name":"tea"},{"id":2,"name":"milk"}]`},
		{"GET", "/items/99", "", 404, "Not Found"},
		{"GET", "/items/x", "", 400, "the id must be a number"},
		{"POST", "/items", `{}`, 400, `send {"name": "..."}`},
	} {
		if status, body := s.do(t, tt.method, tt.path, tt.body); status != tt.status || body != tt.want {
			t.Errorf("%s %s: got %d %q, want %d %q", tt.method, tt.path, status, body, tt.status, tt.want)
		}
	}
	if !strings.Contains(s.logs.String(), `msg="request done" request="GET /items/1"`) {
		t.Errorf("the audit resource of the request scope was not released:\n%s", s.logs)
	}

	// Two reports at once with one permit: one waits, and the inspector
	// shows it.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if status, body := s.do(t, "GET", "/report", ""); status != 200 || body != `{"first":2,"second":4}` {
				t.Errorf("GET /report: %d %q", status, body)
			}
		})
	}
	seen := false
	for deadline := time.Now().Add(10 * time.Second); !seen && time.Now().Before(deadline); {
		resp, err := s.client.Get(s.debugURL + "/debug/gogoscope/snapshot.json")
		if err != nil {
			t.Fatal(err)
		}
		var snap inspector.Snapshot
		json.NewDecoder(resp.Body).Decode(&snap)
		resp.Body.Close()
		for _, f := range snap.Fibers {
			if f.Name == "GET /report" && f.Status == "suspended" {
				seen = true
			}
		}
	}
	if !seen {
		t.Errorf("the inspector never showed a report waiting")
	}
	wg.Wait()

	cancel()
	if err := <-s.done; err != nil {
		t.Fatalf("run: %v", err)
	}
	logs := s.logs.String()
	if i, j := strings.LastIndex(logs, "request done"), strings.Index(logs, "store closed"); i < 0 || j < i {
		t.Errorf("the store was closed before the last request ended:\n%s", logs)
	}
}
