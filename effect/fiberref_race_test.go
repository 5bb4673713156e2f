package effect

import (
	"testing"
	"testing/synctest"
	"time"
)

// What a Race leaves in the parent's FiberRefs (docs/fiberref.md, "Race").
// race.go runs the first contestant inline, on the calling fiber itself,
// and the others on forked children, and merges no child's values back. So
// what the parent reads after the race is what the first contestant wrote
// before it ended, won or lost (stopped at its next interruption point),
// and never what a forked contestant wrote — even with MergeOnJoin. Each
// contestant starts with the parent's values.
func TestFiberRefAfterRace(t *testing.T) {
	sum := func(p, c int) int { return p + c }
	q := time.Millisecond
	// contestant sets ref to v after d, then sleeps s and succeeds with v
	// (fails, if v < 0); it first checks that it started with the
	// parent's 1.
	contestant := func(ref *FiberRef[int], v int, d, s time.Duration) Effect[any, error, int] {
		end := Succeed[any, error](v)
		if v < 0 {
			end = Fail[any, int](errBoom)
		}
		return FlatMap(get(ref), func(start int) Effect[any, error, int] {
			if start != 1 {
				return Die[any, error, int]("a contestant started with a value other than the parent's")
			}
			return AndThen(Sleep[any, error](d), AndThen(set(ref, v), AndThen(Sleep[any, error](s), end)))
		})
	}
	type race func(a, b Effect[any, error, int]) Effect[any, error, int]
	cases := []struct {
		name      string
		merge     bool
		race      race
		a, b      func(ref *FiberRef[int]) Effect[any, error, int]
		winner    int // the race's value; < 0 a failure
		wantAfter int
	}{
		{"the inline contestant wins: its value stays", false, Race[any, error, int],
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 10, 0, q) },
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 20, 0, 3*q) },
			10, 10},
		{"a forked contestant wins: the parent keeps its own", false, Race[any, error, int],
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 10, 3*q, q) },
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 20, 0, q) },
			20, 1},
		{"with MergeOnJoin, a forked winner still merges nothing", true, Race[any, error, int],
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 10, 3*q, q) },
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 20, 0, q) },
			20, 1},
		{"the inline contestant loses after its Set: its value stays", false, Race[any, error, int],
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 10, 0, 5*q) },
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 20, 0, 2*q) },
			20, 10},
		{"the inline contestant fails after its Set: its value stays", false, Race[any, error, int],
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, -1, 0, q) },
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 20, 0, 2*q) },
			20, -1},
		{"RaceFirst: a forked contestant ends first", false, RaceFirst[any, error, int],
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 10, 3*q, q) },
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, -1, 0, q) },
			-1, 1},
		{"RaceAll: a forked contestant wins", true, func(a, b Effect[any, error, int]) Effect[any, error, int] {
			return RaceAll([]Effect[any, error, int]{a, b})
		},
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 10, 3*q, q) },
			func(r *FiberRef[int]) Effect[any, error, int] { return contestant(r, 20, 0, q) },
			20, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ref := NewFiberRef(0)
				if c.merge {
					ref = NewFiberRef(0, MergeOnJoin(sum))
				}
				raced := Catch(c.race(c.a(ref), c.b(ref)), func(error) Effect[any, error, int] { return Succeed[any, error](-1) })
				prog := AndThen(set(ref, 1), FlatMap(raced, func(w int) Effect[any, error, [2]int] {
					return Map(get(ref), func(after int) [2]int { return [2]int{w, after} })
				}))
				got := mustRun(t, prog)
				if got != [2]int{c.winner, c.wantAfter} {
					t.Fatalf("race ended with %d and left %d; want %d and %d", got[0], got[1], c.winner, c.wantAfter)
				}
			})
		})
	}
}
