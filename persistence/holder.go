package persistence

import "github.com/gogoscope/gogoscope/effect"

// interrupter is the fiber that holds a lock: what a lost lock interrupts.
type interrupter interface{ Interrupt(reason error) }

// currentHolder returns the fiber running it: the one a lost lock
// interrupts.
func currentHolder[R any]() effect.Effect[R, error, interrupter] {
	return effect.Map(effect.CurrentFiber[R, error](), func(f effect.FiberHandle) interrupter { return f })
}
