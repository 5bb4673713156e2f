package metrics

import (
	"fmt"
	"slices"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// The name cap admits exactly the first max distinct names, always the
// same way, and maps every later one to OtherName.
func TestNameCapProperties(t *testing.T) {
	props := gopter.NewProperties(gopter.DefaultTestParameters())
	props.Property("the first max distinct names pass, the rest are OtherName", prop.ForAll(
		func(ids []int, limit int) bool {
			c := newNameCap(limit)
			var first []string
			for _, id := range ids {
				name := fmt.Sprintf("n%d", id)
				if !slices.Contains(first, name) && len(first) < limit {
					first = append(first, name)
				}
				want := OtherName
				if slices.Contains(first, name) {
					want = name
				}
				if got := c.admit(name); got != want {
					t.Logf("admit(%q) = %q, want %q", name, got, want)
					return false
				}
			}
			return c.admit("") == ""
		},
		gen.SliceOf(gen.IntRange(0, 30)),
		gen.IntRange(1, 12),
	))
	props.Property("percentiles are ordered and within the finite bounds", prop.ForAll(
		func(counts []uint8) bool {
			bounds := make([]float64, len(counts))
			cum := make([]uint64, len(counts))
			var total uint64
			for i, n := range counts {
				bounds[i] = float64(i+1) * 0.5
				total += uint64(n)
				cum[i] = total
			}
			h := Histogram{Count: total + 1} // one observation in +Inf
			h.setPercentiles(bounds, cum)
			ps := []float64{h.P50, h.P90, h.P95, h.P99}
			top := 0.0
			if len(bounds) > 0 {
				top = bounds[len(bounds)-1]
			}
			return slices.IsSorted(ps) && ps[0] >= 0 && ps[3] <= top
		},
		gen.SliceOf(gen.UInt8()),
	))
	props.TestingRun(t)
}
