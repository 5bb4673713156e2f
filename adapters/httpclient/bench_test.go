package httpclient_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/adapters/httpclient"
	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// benchSetup starts a loopback server that answers "ok" and returns it
// with a runtime, a circuit breaker and a semaphore of 1,000 permits, all
// closed when b ends.
func benchSetup(b *testing.B) (*httptest.Server, *effect.Runtime, *resource.CircuitBreaker, *resource.Semaphore) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	rt := effect.NewRuntime()
	scope := rt.NewScope()
	b.Cleanup(func() {
		scope.Close(context.Background())
		rt.Shutdown(context.Background())
		srv.Close()
	})
	cb, _ := rt.Run(context.Background(), effect.Extend(scope, resource.NewCircuitBreaker[any, error](resource.BreakerOptions{})), nil)
	sem, _ := rt.Run(context.Background(), effect.Extend(scope, resource.NewSemaphore[any, error](1000)), nil)
	return srv, rt, cb, sem
}

// BenchmarkRoundTrip measures GET on loopback through a bare
// http.Transport and through httpclient.Transport, without and with every
// policy.
func BenchmarkRoundTrip(b *testing.B) {
	srv, rt, cb, sem := benchSetup(b)
	base := func() *http.Transport { return &http.Transport{MaxIdleConnsPerHost: 64} }
	cases := []struct {
		name string
		tr   func() http.RoundTripper
	}{
		{"bare", func() http.RoundTripper { return base() }},
		{"transport", func() http.RoundTripper { return httpclient.New(httpclient.Options{Base: base(), Runtime: rt}) }},
		{"all policies", func() http.RoundTripper {
			return httpclient.New(httpclient.Options{Base: base(), Runtime: rt, Breaker: cb, Limit: sem, AttemptTimeout: time.Second})
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			client := &http.Client{Transport: c.tr()}
			defer client.CloseIdleConnections()
			b.SetParallelism(8)
			b.ReportAllocs()
			start := time.Now()
			cpu := adaptertest.CPUTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(srv.URL)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
			adaptertest.ReportCPU(b, cpu)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}

// BenchmarkRoundTripAB compares a bare http.Transport with
// httpclient.Transport, without and with every policy, in alternating
// blocks of requests to one loopback server (adaptertest.BenchAB), so that
// the machine's load falls on both alike.
func BenchmarkRoundTripAB(b *testing.B) {
	srv, rt, cb, sem := benchSetup(b)
	par := 8 * runtime.GOMAXPROCS(0)
	get := func(tr http.RoundTripper) func() error {
		client := &http.Client{Transport: tr}
		b.Cleanup(client.CloseIdleConnections)
		return func() error { return adaptertest.Get(client, srv.URL) }
	}
	base := func() *http.Transport { return &http.Transport{MaxIdleConnsPerHost: par} }
	b.Run("transport", func(b *testing.B) {
		adaptertest.BenchAB(b, par, get(base()), get(httpclient.New(httpclient.Options{Base: base(), Runtime: rt})))
	})
	b.Run("all policies", func(b *testing.B) {
		adaptertest.BenchAB(b, par, get(base()), get(httpclient.New(httpclient.Options{Base: base(), Runtime: rt,
			Breaker: cb, Limit: sem, AttemptTimeout: time.Second})))
	})
}
