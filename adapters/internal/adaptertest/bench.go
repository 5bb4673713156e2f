package adaptertest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// BenchLoopback measures GET path against h served on 127.0.0.1 by a
// real http.Server, from 8 keep-alive clients per GOMAXPROCS, and
// reports requests per second beside ns/op.
func BenchLoopback(b *testing.B, h http.Handler, path string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		srv.Shutdown(context.Background())
		<-served
	}()
	par := 8
	tr := &http.Transport{MaxIdleConnsPerHost: par * runtime.GOMAXPROCS(0)}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := "http://" + ln.Addr().String() + path
	b.SetParallelism(par)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	cpu := CPUTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
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
