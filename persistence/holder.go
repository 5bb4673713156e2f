//go:build gogoscope_currentfiber

package persistence

import "github.com/gogoscope/gogoscope/effect"

// currentHolder returns the fiber running it: the one a lost lock
// interrupts.
func currentHolder[R any]() effect.Effect[R, error, interrupter] {
	return effect.Map(effect.CurrentFiber[R, error](), func(f *effect.FiberHandle) interrupter { return f })
}
