package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

func Example_collectEveryFailure() {
	rows := []string{"12", "x7", "40", "", "3"}
	parse := func(s string) eff.Effect[int] { return eff.FromResult(strconv.Atoi(s)) }
	// Collect: every row runs, and every failure is kept, in input order.
	_, err := eff.Run(context.Background(), eff.ForEachPar(rows, parse, eff.Par{Limit: 2, Mode: effect.Collect}))
	var c effect.Cause[error]
	if errors.As(err, &c) {
		for _, f := range c.Failures() {
			fmt.Println(f)
		}
	}
	// Output:
	// strconv.Atoi: parsing "x7": invalid syntax
	// strconv.Atoi: parsing "": invalid syntax
}
