package gen

import (
	"errors"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/leanovate/gopter"
)

// ErrReason is the reason of some generated interruptions.
var ErrReason = errors.New("gen: interrupted for a generated reason")

// Causes returns a generator of effect.Cause[E] values: never empty; leaves
// are expected failures of failures (a generator of E), defects of
// opts.Defects and interruptions (by fiber 0 to 9, with no reason or with
// [ErrReason]); nodes join them with [effect.Cause.Then] and
// [effect.Cause.Both], up to opts.Depth deep.
func Causes[E any](failures gopter.Gen, opts Options) gopter.Gen {
	defects := opts.defects()
	var at func(depth int) gopter.Gen
	at = func(depth int) gopter.Gen {
		return func(p *gopter.GenParameters) *gopter.GenResult {
			if depth == 0 || p.Rng.Intn(2) == 0 {
				switch p.Rng.Intn(3) {
				case 0:
					return result(effect.CauseFail(sample[E](failures, p)))
				case 1:
					return result(effect.CauseDie[E](sample[any](defects, p)))
				default:
					var reason error
					if p.NextBool() {
						reason = ErrReason
					}
					return result(effect.CauseInterrupt[E](effect.FiberID(p.Rng.Intn(10)), reason))
				}
			}
			l := sample[effect.Cause[E]](at(depth-1), p)
			r := sample[effect.Cause[E]](at(depth-1), p)
			if p.NextBool() {
				return result(l.Then(r))
			}
			return result(l.Both(r))
		}
	}
	return at(opts.depth())
}
