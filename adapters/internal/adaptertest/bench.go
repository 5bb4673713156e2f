package adaptertest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loopbackServer serves h on 127.0.0.1 with keep-alive clients for par
// concurrent requests; stop shuts it down.
type loopbackServer struct {
	url    string
	client *http.Client
	stop   func()
}

func serveLoopback(b *testing.B, h http.Handler, path string, par int) loopbackServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	tr := &http.Transport{MaxIdleConnsPerHost: par}
	return loopbackServer{
		url:    "http://" + ln.Addr().String() + path,
		client: &http.Client{Transport: tr},
		stop: func() {
			tr.CloseIdleConnections()
			srv.Shutdown(context.Background())
			<-served
		},
	}
}

// get requests s.url once and checks the answer.
func (s loopbackServer) get() error { return Get(s.client, s.url) }

// Get sends GET url with client, reads the body to its end and closes it
// (so the connection is reused), and returns an error unless the answer
// was 200.
func Get(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	if err := resp.Body.Close(); err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return nil
}

// BenchLoopbackAB compares bare and adapter, two handlers of GET path
// served on 127.0.0.1 by real http.Servers, with [BenchAB]: in
// alternating blocks of requests from 8 keep-alive clients per
// GOMAXPROCS.
func BenchLoopbackAB(b *testing.B, bare, adapter http.Handler, path string) {
	par := 8 * runtime.GOMAXPROCS(0)
	sb, sa := serveLoopback(b, bare, path, par), serveLoopback(b, adapter, path, par)
	defer sa.stop()
	defer sb.stop()
	BenchAB(b, par, sb.get, sa.get)
}

// BenchAB compares two ways of doing one request, bare and adapter, under
// the same conditions: the b.N requests go in alternating blocks of
// [ABBlock], one block to bare, the next to adapter, each from par
// concurrent callers, with only that side busy. So a load that comes and
// goes on a shared machine falls on both sides alike, where two
// benchmarks run one after the other can differ by ±15 % between runs
// (an A/A run, bare against itself, gives 1.00 ± 0.02). It reports each
// side's requests per second and CPU time per request (the process's:
// client and server, garbage collection included), and their ratios
// adapter/bare: "req/s-ratio" (1 is no overhead, 0.95 is 5 % fewer
// requests per second) and "cpu-ratio". Each side is first warmed up
// with 2×par requests. A request's error fails the benchmark.
func BenchAB(b *testing.B, par int, bare, adapter func() error) {
	sides := [2]func() error{bare, adapter}
	for _, do := range sides {
		if err := runBlock(do, par, 2*par); err != nil {
			b.Fatal(err)
		}
	}
	var (
		n    [2]int
		wall [2]time.Duration
		cpu  [2]time.Duration
	)
	b.ReportAllocs()
	b.ResetTimer()
	for done, side := 0, 0; done < b.N; side = 1 - side {
		k := min(ABBlock, b.N-done)
		start, c := time.Now(), CPUTime()
		if err := runBlock(sides[side], par, k); err != nil {
			b.Fatal(err)
		}
		wall[side] += time.Since(start)
		cpu[side] += CPUTime() - c
		n[side] += k
		done += k
	}
	b.StopTimer()
	if n[0] == 0 || n[1] == 0 {
		return // a calibration round of one block
	}
	rate := func(i int) float64 { return float64(n[i]) / wall[i].Seconds() }
	perReq := func(i int) float64 { return float64(cpu[i]) / float64(n[i]) }
	b.ReportMetric(rate(0), "bare-req/s")
	b.ReportMetric(rate(1), "adapter-req/s")
	b.ReportMetric(rate(1)/rate(0), "req/s-ratio")
	if cpu[0] > 0 {
		b.ReportMetric(perReq(0), "bare-cpu-ns/req")
		b.ReportMetric(perReq(1), "adapter-cpu-ns/req")
		b.ReportMetric(perReq(1)/perReq(0), "cpu-ratio")
	}
}

// ABBlock is how many requests one block of [BenchAB] sends to one side
// before it turns to the other.
const ABBlock = 1000

// runBlock makes k requests with do from par concurrent callers and
// returns the first error.
func runBlock(do func() error, par, k int) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		first atomic.Pointer[error]
	)
	for range min(par, k) {
		wg.Go(func() {
			for next.Add(1) <= int64(k) {
				if err := do(); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		return *p
	}
	return nil
}

// BenchLoopback measures GET path against h served on 127.0.0.1 by a
// real http.Server, from 8 keep-alive clients per GOMAXPROCS, and
// reports requests per second beside ns/op.
func BenchLoopback(b *testing.B, h http.Handler, path string) {
	par := 8
	s := serveLoopback(b, h, path, par*runtime.GOMAXPROCS(0))
	defer s.stop()
	b.SetParallelism(par)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	cpu := CPUTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.get(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	ReportCPU(b, cpu)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// ReportCPU reports the process's CPU time per operation since since (a
// CPUTime reading), as cpu-ns/op: on a machine shared with other work,
// this is the steadier measure of what a request costs, where ns/op and
// req/s also count the time spent waiting for a core.
func ReportCPU(b *testing.B, since time.Duration) {
	if now := CPUTime(); now > 0 {
		b.ReportMetric(float64(now-since)/float64(b.N), "cpu-ns/op")
	}
}

// BenchInProcess measures h.ServeHTTP for GET path with a recorder, no
// network: what the adapter adds per request, without the noise of the
// connection.
func BenchInProcess(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest("GET", path, nil)
	b.ReportAllocs()
	cpu := CPUTime()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
	ReportCPU(b, cpu)
}
