package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/metrics"
)

// A Collector registered with a Prometheus registry counts the fibers of
// the runtimes it watches; serve the registry with promhttp.HandlerFor.
func ExampleCollector_Watch() {
	m := metrics.New(metrics.Options{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)

	rt := effect.NewRuntime()
	defer m.Watch(rt)()
	job := func(err error) eff.Effect[int] {
		return eff.FromResult(1, err).Named("job")
	}
	prog := eff.Fork(job(nil)).FlatMap(eff.Join).FlatMap(func(int) eff.Effect[eff.Exit[int]] {
		return eff.Fork(job(errors.New("bad input"))).FlatMap(eff.Await)
	})
	_, _ = rt.Run(context.Background(), prog, nil)

	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP gogoscope_fibers_live Fibers started and not yet ended.
# TYPE gogoscope_fibers_live gauge
gogoscope_fibers_live 0
`), "gogoscope_fibers_live")
	fmt.Println(err)
	out, _ := testutil.CollectAndFormat(m, expfmt.TypeTextPlain, "gogoscope_fibers_ended_total")
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "gogoscope_") {
			fmt.Println(line)
		}
	}
	// Output:
	// <nil>
	// gogoscope_fibers_ended_total{name="",outcome="success"} 1
	// gogoscope_fibers_ended_total{name="job",outcome="failure"} 1
	// gogoscope_fibers_ended_total{name="job",outcome="success"} 1
}

// Outcome classifies errors as the "outcome" label does.
func ExampleOutcome() {
	_, err := eff.Run(context.Background(), eff.Sync(func() int { panic("bug") }))
	fmt.Println(metrics.Outcome(nil), metrics.Outcome(errors.New("x")), metrics.Outcome(err))
	// Output:
	// success failure defect
}
