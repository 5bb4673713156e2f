// Package bad has broken links: [Missing], [Thing.Nope], [errors.Nope],
// [nosuchpkg.Name], [context.Context.Nope], [nosuchpkg] and
// [example.com/no/such/pkg].
package bad

// Thing is a thing. Its doc links to [Thing.Gone].
type Thing struct{}

// Run runs; see [Fiber.Interrupt].
func Run() {}
