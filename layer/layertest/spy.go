package layertest

import (
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/layer"
)

// Spy returns a test layer named name that builds svc, a fake service
// (typically one whose methods record into spy), and records in spy a call
// "build <name>" when the layer is built and "release <name>" when the
// scope that built it closes: after the program's last use of the service,
// on success, failure and interruption alike, and before the release of the
// layers it was built on. Like any layer it is built once per build of a
// graph, wherever it appears, unless made [layer.Fresh].
//
// Use it in place of the real service's layer, directly or through
// [layer.Layer.ReplaceWith] in a [layer.Override]. It panics when spy is
// nil.
func Spy[RIn, E, A any](spy *effecttest.Spy, name string, svc A) *layer.Layer[RIn, E, A] {
	if spy == nil {
		panic("layertest.Spy: spy must not be nil")
	}
	build := spy.Wrap("build "+name, effect.Succeed[RIn, E](svc))
	return layer.AcquireRelease(build, func(A) effect.Effect[RIn, E, struct{}] {
		return effect.Sync[RIn, E](func() struct{} { spy.Record("release " + name); return struct{}{} })
	}).Named(name)
}
