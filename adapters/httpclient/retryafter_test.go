package httpclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/adapters/httpclient"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// scripted is a base transport that answers from a script and records
// when each attempt came; its bodies count their closing.
type scripted struct {
	answers []func() (*http.Response, error)
	times   []time.Time
	closed  atomic.Int64
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	s.times = append(s.times, time.Now())
	resp, err := s.answers[len(s.times)-1]()
	if resp != nil {
		resp.Body = &countedBody{ReadCloser: resp.Body, closed: &s.closed}
		resp.Request = req
	}
	return resp, err
}

func answer(code int, retryAfter string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: code, Status: fmt.Sprint(code), Header: h,
			Body: io.NopCloser(strings.NewReader("body"))}, nil
	}
}

func TestRetryAfterDelaysAreExact(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		answers    []func() (*http.Response, error)
		wantStatus int
		wantWaits  []time.Duration // between attempts
	}{
		{"seconds", []func() (*http.Response, error){answer(503, "3"), answer(200, "")}, 200, []time.Duration{3 * time.Second}},
		{"date", []func() (*http.Response, error){answer(429, "DATE+5"), answer(200, "")}, 200, []time.Duration{5 * time.Second}},
		{"shorter than the schedule", []func() (*http.Response, error){answer(502, "0"), answer(504, ""), answer(200, "")}, 200,
			[]time.Duration{100 * time.Millisecond, 100 * time.Millisecond}},
		{"beyond MaxRetryAfter", []func() (*http.Response, error){answer(503, "120")}, 503, nil},
		{"malformed", []func() (*http.Response, error){answer(503, "soon")}, 503, nil},
		{"not a retry status", []func() (*http.Response, error){answer(500, "")}, 500, nil},
		{"schedule exhausted", []func() (*http.Response, error){answer(503, ""), answer(503, ""), answer(503, ""), answer(503, "")}, 503,
			[]time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				time.Sleep(time.Until(start))
				base := &scripted{answers: tt.answers}
				for i, a := range base.answers {
					if r, _ := a(); r.Header.Get("Retry-After") == "DATE+5" {
						code := r.StatusCode
						base.answers[i] = answer(code, time.Now().Add(5*time.Second).UTC().Format(http.TimeFormat))
					}
				}
				tr := httpclient.New(httpclient.Options{Base: base, MaxRetryAfter: time.Minute,
					Retry: schedule.Delays(schedule.Spaced(100 * time.Millisecond).Intersect(schedule.Recurs(3)))})
				req, _ := http.NewRequest("GET", "http://example.test/", nil)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tt.wantStatus {
					t.Errorf("status: got %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				var waits []time.Duration
				for i := 1; i < len(base.times); i++ {
					waits = append(waits, base.times[i].Sub(base.times[i-1]))
				}
				if fmt.Sprint(waits) != fmt.Sprint(tt.wantWaits) && !(len(waits) == 0 && len(tt.wantWaits) == 0) {
					t.Errorf("waits: got %v, want %v", waits, tt.wantWaits)
				}
				if c := base.closed.Load(); c != int64(len(base.times)) {
					t.Errorf("bodies closed: %d of %d", c, len(base.times))
				}
			})
		})
	}
}

func TestRetriesStopAtTheRequestsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		base := &scripted{answers: []func() (*http.Response, error){answer(503, "10"), answer(200, "")}}
		tr := httpclient.New(httpclient.Options{Base: base, Retry: schedule.Delays(schedule.Recurs(3))})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://example.test/", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 || len(base.times) != 1 {
			t.Errorf("got %d after %d attempts; a wait of 10s past a deadline in 5s must not be taken", resp.StatusCode, len(base.times))
		}
	})
}

func TestTheAttemptTimeoutIsExactAndRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stall := func() (*http.Response, error) { return nil, nil } // replaced below
		base := &scripted{}
		var blocked atomic.Bool
		hang := &hanging{scripted: base, first: &blocked}
		base.answers = []func() (*http.Response, error){stall, answer(200, "")}
		tr := httpclient.New(httpclient.Options{Base: hang, AttemptTimeout: 2 * time.Second,
			Retry: schedule.Delays(schedule.Recurs(1))})
		req, _ := http.NewRequest("GET", "http://example.test/", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || len(base.times) != 2 {
			t.Fatalf("got %d after %d attempts", resp.StatusCode, len(base.times))
		}
		if d := base.times[1].Sub(base.times[0]); d != 2*time.Second {
			t.Errorf("the second attempt came %v after the first, want the attempt timeout of 2s", d)
		}
		if !errors.Is(hang.err, context.Canceled) {
			t.Errorf("the hung attempt saw %v, want its context cancelled", hang.err)
		}
	})
}

// hanging blocks its first attempt until the attempt's context ends.
type hanging struct {
	*scripted
	first *atomic.Bool
	err   error
}

func (h *hanging) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.first.CompareAndSwap(false, true) {
		h.times = append(h.times, time.Now())
		<-req.Context().Done()
		h.err = req.Context().Err()
		return nil, h.err
	}
	return h.scripted.RoundTrip(req)
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, true},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999999999", 0, false},
		{"9223372036854775807", time.Duration(1<<63 - 1), true},
	}
	for _, tt := range tests {
		got, ok := httpclient.RetryAfter(http.Header{"Retry-After": {tt.header}}, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q): got %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "x", "1e9", "18446744073709551616"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := httpclient.RetryAfter(http.Header{"Retry-After": {v}}, now)
		if d < 0 || (!ok && d != 0) {
			t.Errorf("RetryAfter(%q) = %v, %v", v, d, ok)
		}
	})
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{io.ErrUnexpectedEOF, true},
		{&effect.TimeoutError{After: time.Second}, true},
		{errors.New("unsupported protocol scheme"), false},
		{context.Canceled, false},
	}
	for _, tt := range tests {
		if got := httpclient.Retryable(tt.err); got != tt.want {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
