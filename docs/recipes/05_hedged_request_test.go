package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

func Example_hedgedRequest() {
	// Ask a second replica if the first has not answered within after; the
	// first answer wins and the other call is interrupted.
	hedged := func(primary, backup eff.Effect[string], after time.Duration) eff.Effect[string] {
		return eff.Race(primary, eff.Sleep(after).AndThen(backup))
	}
	replica := func(name string, d time.Duration) eff.Effect[string] {
		return eff.Sync(func() string { fmt.Println("calling", name); return name }).
			FlatMap(func(n string) eff.Effect[string] { return eff.Sleep(d).AndThen(eff.Succeed(n)) })
	}
	ctx := context.Background()
	fmt.Println(eff.Run(ctx, hedged(replica("fast primary", time.Millisecond), replica("backup", time.Millisecond), 100*time.Millisecond)))
	fmt.Println(eff.Run(ctx, hedged(replica("stuck primary", time.Hour), replica("backup", time.Millisecond), 20*time.Millisecond)))
	// Output:
	// calling fast primary
	// fast primary <nil>
	// calling stuck primary
	// calling backup
	// backup <nil>
}
