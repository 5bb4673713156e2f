package logging_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/observe/logging"
)

// A record logged with the ctx that Try hands to plain Go names the fiber,
// its Named effect, its scope path and the annotations in force.
func ExampleNewHandler() {
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(logging.NewHandler(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime})))

	save := eff.Do(func(ctx context.Context) error {
		log.InfoContext(ctx, "saved", "rows", 3)
		return nil
	}).Named("save order").Annotate(slog.String("order", "o-17"))

	_, _ = effect.NewRuntime().Run(context.Background(), save, nil)
	// Output:
	// level=INFO msg=saved rows=3 fiber.id=1 fiber.name="save order" fiber.scope=1 order=o-17
}

// Attrs are the attributes the handler adds, for handlers of your own.
func ExampleAttrs() {
	l := effect.FiberLabels{ID: 7, Name: "worker", ScopePath: []effect.ScopeID{1, 3}}
	for _, a := range logging.Attrs(l) {
		fmt.Println(a)
	}
	// Output:
	// fiber=[id=7 name=worker scope=1/3]
}
