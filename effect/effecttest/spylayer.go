package effecttest

import (
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// SpyLayer returns a test layer that builds svc, a fake service (typically
// one whose methods record into spy), and records in spy a call named
// "build <name>" when the layer is built and "release <name>" when the
// scope that built it closes. Use it in place of the real service's layer,
// directly or through [layer.Layer.Replace] in an [layer.Override]: the test
// then asserts, on one spy, both how the program used the service and that
// the graph built it once and released it after use.
func SpyLayer[RIn, E, A any](spy *Spy, name string, svc A) *layer.Layer[RIn, E, A] {
	build := spy.Wrap("build "+name, effect.Succeed[RIn, E](svc))
	return layer.AcquireRelease(build, func(A) effect.Effect[RIn, E, struct{}] {
		return effect.Sync[RIn, E](func() struct{} { spy.Record("release " + name); return struct{}{} })
	}).Named(name)
}
