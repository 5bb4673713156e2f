package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// client makes one connection per request: a dial that the transport
// makes ahead and never uses would hold the server's Shutdown for 5 s.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	return string(body)
}

// TestService runs the whole service on loopback: a request, a scrape of
// its metrics, a dump over HTTP and on the dump signal, then a shutdown;
// and checks its traces and logs.
func TestService(t *testing.T) {
	var out, traces, logs syncBuffer
	dump := make(chan os.Signal, 1)
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{addr: "127.0.0.1:0", out: &out, traces: &traces, logs: &logs, dump: dump, ready: ready})
	}()
	base := "http://" + <-ready

	if got := get(t, base+"/work?n=3"); got != "14\n" {
		t.Errorf("/work?n=3 = %q, want 14", got)
	}
	resp, err := client.Get(base + "/work?n=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("/work?n=x: %s", resp.Status)
	}

	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(get(t, base+"/metrics")))
	if err != nil {
		t.Fatal(err)
	}
	// Three runs of the Named "step" effect succeeded (on two worker
	// fibers: the limit is 2).
	steps := uint64(0)
	for _, m := range fams["gogoscope_named_duration_seconds"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["name"] == "step" && labels["outcome"] == "success" {
			steps += m.GetHistogram().GetSampleCount()
		}
	}
	if steps != 3 {
		t.Errorf("step runs that succeeded: %v, want 3", steps)
	}
	retries := fams["gogoscope_retries_total"].GetMetric()
	if len(retries) != 1 || retries[0].GetCounter().GetValue() != 1 {
		t.Errorf("retries: %v", retries)
	}
	// The admission semaphore, read at the scrape: 8 permits, none held.
	for _, fam := range []string{"gogoscope_semaphore_permits", "gogoscope_semaphore_available_permits"} {
		if m := fams[fam].GetMetric(); len(m) != 1 || m[0].GetGauge().GetValue() != 8 {
			t.Errorf("%s: %v", fam, m)
		}
	}

	if got := get(t, base+"/debug/fibers?format=mermaid"); !strings.HasPrefix(got, "flowchart TD\n  s1[\"scope #1 (runtime)\"]") {
		t.Errorf("mermaid dump:\n%s", got)
	}
	var tree map[string]any
	if err := json.Unmarshal([]byte(get(t, base+"/debug/fibers?format=json")), &tree); err != nil {
		t.Errorf("JSON dump: %v", err)
	}

	dump <- os.Interrupt // any signal value: the service does not look
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "== no deadlock"); {
		if time.Now().After(deadline) {
			t.Fatalf("no dump printed:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The watchdog's fiber is the one fiber alive between requests.
	if got := out.String(); !strings.HasPrefix(got, "== fibers\nscope #1 (runtime)\n  fiber #") || !strings.Contains(got, "suspended: sleep 1s") {
		t.Errorf("dump:\n%s", got)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Traces: the request's span and its three steps (one retried), in one
	// trace, the steps under the request.
	type span struct {
		Name        string
		SpanContext struct{ TraceID, SpanID string }
		Parent      struct{ TraceID, SpanID string }
		Events      []struct{ Name string }
	}
	var spans []span
	dec := json.NewDecoder(strings.NewReader(traces.String()))
	for dec.More() {
		var s span
		if err := dec.Decode(&s); err != nil {
			t.Fatal(err)
		}
		spans = append(spans, s)
	}
	var root span
	for _, s := range spans {
		if s.Name == "GET /work" {
			root = s
		}
	}
	if root.Name == "" {
		t.Fatalf("no request span in %d spans", len(spans))
	}
	retried := 0
	stepSpans := 0
	for _, s := range spans {
		if s.Name != "step" {
			continue
		}
		stepSpans++
		if s.Parent.SpanID != root.SpanContext.SpanID || s.SpanContext.TraceID != root.SpanContext.TraceID {
			t.Errorf("step span %+v not under the request %+v", s, root.SpanContext)
		}
		for _, ev := range s.Events {
			if ev.Name == "gogoscope.retry" {
				retried++
			}
		}
	}
	if stepSpans != 3 || retried != 1 {
		t.Errorf("%d step spans, %d retry events; want 3 and 1", stepSpans, retried)
	}

	// Logs: each step's record names its fiber, the request and the span.
	var stepLogs int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if rec["msg"] != "step" {
			continue
		}
		stepLogs++
		fiber, _ := rec["fiber"].(map[string]any)
		if rec["request"] != "r-1" || fiber["name"] != "step" || rec["trace_id"] != root.SpanContext.TraceID {
			t.Errorf("log record %v", rec)
		}
	}
	if stepLogs != 4 {
		t.Errorf("%d step records, want 4 (3 steps, one retried)", stepLogs)
	}
}
