// Package layertest is the test kit of package layer: layers of fake
// services that record, on an [effecttest.Spy], when the layer is built and
// when it is released, beside the calls the fake itself records.
//
// It sits above layer and effecttest, so that effecttest, the test kit of
// the core, never imports what is built on the core.
//
// A test swaps a service of a real graph for a spied fake with
// [layer.Layer.ReplaceWith] in a [layer.Override], or provides the fake
// layer directly with [layer.Provide]; then it asserts, on one spy, both how
// the program used the service and that the graph built it once and
// released it after use:
//
//	var spy effecttest.Spy
//	fake := layertest.Spy[Config, error, Mailer](&spy, "mailer", fakeMailer{&spy})
//	app := layer.Override(appLayer, mailerLayer.ReplaceWith(fake))
//	effecttest.Run(t, layer.Provide(program, app))
//	spy.AssertOrder(t, "build mailer", "Send", "release mailer")
//
// # Which to use
//
//   - Use [Spy] when the test asserts that a service was built, how often,
//     and released after its last use.
//   - Use [layer.Layer.Replace] with a plain fake when only the calls
//     matter: the fake's own spy records them.
package layertest
