package schedule_test

import (
	"slices"
	"testing"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestRecurs(t *testing.T) {
	tests := []struct {
		name string
		s    schedule.Schedule[int]
		want []decision[int]
	}{
		{"Recurs(0)", schedule.Recurs(0), []decision[int]{{0, 0, false}}},
		{"Recurs(1)", schedule.Recurs(1), []decision[int]{{0, 1, true}, {0, 1, false}}},
		{"Once", schedule.Once(), []decision[int]{{0, 1, true}, {0, 1, false}}},
		{"Recurs(3)", schedule.Recurs(3), []decision[int]{{0, 1, true}, {0, 2, true}, {0, 3, true}, {0, 3, false}}},
		{"Forever", schedule.Forever(), []decision[int]{{0, 1, true}, {0, 2, true}, {0, 3, true}, {0, 4, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := simulate(tt.s, 4, 0, errBoom); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
