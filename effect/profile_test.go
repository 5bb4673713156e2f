package effect

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestProfilerTable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		p := NewProfiler()
		defer rt.AddHooks(p.Hooks())()
		fetch := Named(Sleep[any, error](100*time.Millisecond), "fetch")
		failures := 0
		load := Try[any](func(context.Context) (struct{}, error) {
			failures++
			if failures%3 != 0 {
				return struct{}{}, errFlaky
			}
			return struct{}{}, nil
		}).Retry(schedule.Spaced(10 * time.Millisecond)).Named("load")
		cleanup := AddFinalizer(func(error) Effect[any, error, struct{}] { return Sleep[any, error](5 * time.Millisecond) })
		pipeline := Named(Scoped(AndThen(cleanup, AndThen(fetch, load))), "pipeline")
		for range 2 {
			if _, err := rt.Run(context.Background(), pipeline, nil); err != nil {
				t.Fatal(err)
			}
		}
		var b strings.Builder
		if err := p.Profile().WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		want := `NAME      COUNT  FAILED  TOTAL  MEAN   MAX    RUNNING  WAITING      RETRIES  RETRY DELAY  FINALIZERS
pipeline  2      0       250ms  125ms  125ms  0s       sleep 10ms   0        0s           10ms
fetch     2      0       200ms  100ms  100ms  0s       sleep 200ms  0        0s           0s
load      2      0       40ms   20ms   20ms   0s       retry 40ms   4        40ms         0s
`
		if b.String() != want {
			t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
		}
		js, err := json.Marshal(p.Profile().Rows[2])
		if err != nil {
			t.Fatal(err)
		}
		wantJSON := `{"name":"load","count":2,"failures":0,"total":40000000,"max":20000000,"running":0,"waiting":{"retry":40000000},"retries":4,"retryDelay":40000000,"finalizers":0}`
		if string(js) != wantJSON {
			t.Errorf("JSON:\n%s\nwant:\n%s", js, wantJSON)
		}
		p.Reset()
		if rows := p.Profile().Rows; len(rows) != 0 {
			t.Errorf("rows after Reset: %v", rows)
		}
	})
}
