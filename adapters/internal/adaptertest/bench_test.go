package adaptertest

import (
	"errors"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestBenchABAlternatesBlocks runs BenchAB on two sides that record the
// order of their calls: the requests are split evenly, in blocks of
// ABBlock that alternate, after a warm-up of each side, and the ratios are
// reported.
func TestBenchABAlternatesBlocks(t *testing.T) {
	const par = 4
	var (
		mu    sync.Mutex
		order []int // the side of each call, in order
	)
	side := func(i int) func() error {
		return func() error {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			return nil
		}
	}
	var n int
	res := testing.Benchmark(func(b *testing.B) {
		mu.Lock()
		order = order[:0]
		mu.Unlock()
		n = b.N
		BenchAB(b, par, side(0), side(1))
	})
	if res.N == 0 || res.N != n {
		t.Fatalf("the benchmark did not run: %+v", res)
	}
	for _, m := range []string{"bare-req/s", "adapter-req/s", "req/s-ratio", "cpu-ratio"} {
		if _, ok := res.Extra[m]; !ok && res.N > ABBlock {
			t.Errorf("metric %q not reported: %v", m, res.Extra)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	warm := order[:4*par]
	for i, s := range warm {
		if want := i / (2 * par); s != want {
			t.Fatalf("warm-up: call %d went to side %d, want %d", i, s, want)
		}
	}
	rest := order[4*par:]
	if len(rest) != n {
		t.Fatalf("%d calls after the warm-up, want b.N = %d", len(rest), n)
	}
	counts := [2]int{}
	for i, s := range rest {
		if want := (i / ABBlock) % 2; s != want {
			t.Fatalf("call %d went to side %d, want %d (blocks of %d, bare first)", i, s, want, ABBlock)
		}
		counts[s]++
	}
	if d := counts[0] - counts[1]; d < 0 || d > ABBlock {
		t.Errorf("calls per side %v: not split evenly", counts)
	}
}

// TestBenchABFailsOnAnError: a side's error fails the benchmark.
func TestBenchABFailsOnAnError(t *testing.T) {
	res := testing.Benchmark(func(b *testing.B) {
		BenchAB(b, 2, func() error { return nil }, func() error { return errors.New("refused") })
	})
	if res.N != 0 {
		t.Errorf("a failing side: the benchmark reported %+v", res)
	}
}
