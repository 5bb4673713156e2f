package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

func Example_cleanupRunsOnCancel() {
	ctx, cancel := context.WithCancel(context.Background())
	upload := eff.Do(func(context.Context) error { fmt.Println("temp file created"); return nil }).
		AndThen(eff.Defer(func(ctx context.Context, err error) error {
			// Runs however the upload ends, with why; its ctx is never
			// cancelled, so the cleanup can do I/O.
			fmt.Println("temp file removed after:", err)
			return nil
		})).
		AndThen(eff.Do(func(context.Context) error { cancel(); return nil })). // the caller gives up
		AndThen(eff.Sleep(time.Hour)).
		Scoped()
	_, err := eff.Run(ctx, upload)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// temp file created
	// temp file removed after: context canceled
	// true
}
