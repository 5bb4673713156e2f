//go:build !gogoscope_currentfiber

package persistence

import "github.com/gogoscope/gogoscope/effect"

// Until effect.CurrentFiber lands on main: a lost lock closes Held.Lost
// but interrupts no one. Deleted at the merge.
type noHolder struct{}

func (noHolder) Interrupt(error) {}

func currentHolder[R any]() effect.Effect[R, error, interrupter] {
	return effect.Succeed[R, error, interrupter](noHolder{})
}
