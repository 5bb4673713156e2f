package effecttest

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// A named fiber sleeps for a second: the log has the start and end of its
// wait, in order, with its duration; the dump, taken while it sleeps,
// names it and its wait.
func TestRecordWaitsAndDumpText(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		log, remove := RecordWaits(rt)
		fb := rt.Start(context.Background(), effect.Sleep[any, error](time.Second).Named("nap"), nil)
		synctest.Wait()
		dump := DumpText(t, rt)
		<-fb.Done()
		remove()
		_, _ = rt.Run(context.Background(), effect.Sleep[any, error](time.Second).Named("unseen"), nil)
		want := []string{"start nap: sleep", "end nap: sleep after 1s"}
		if got := log.Lines(); !slices.Equal(got, want) {
			t.Errorf("lines %q, want %q", got, want)
		}
		if !log.Has(want[1], want[0]) || log.Has("start unseen: sleep") {
			t.Errorf("Has disagrees with lines %q", log.Lines())
		}
		wantDump := "scope #1 (runtime)\n  fiber #1 \"nap\" suspended: sleep 1s for 0s\n"
		if dump != wantDump {
			t.Errorf("dump:\n%s\nwant:\n%s", dump, wantDump)
		}
	})
}
