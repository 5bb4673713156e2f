package inspector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/inspector"
)

func ExampleNew() {
	app := appscope.New(struct{}{}, appscope.Options{})
	defer app.Shutdown(context.Background())
	insp := inspector.New(inspector.Options{App: app, Title: "orders"})
	defer insp.Close()

	_, end, _ := app.Begin(context.Background(), "GET /orders/7")
	defer end()
	s := insp.Snapshot()
	fmt.Println(s.Title, len(s.Requests), s.Requests[0].Label, s.Actions)
	// Output: orders 1 GET /orders/7 false
}

func ExampleInspector_Mount() {
	insp := inspector.New(inspector.Options{
		// Operators only: check a token, a client certificate, a header
		// set by your authenticating proxy...
		Authorize: func(r *http.Request) error {
			if r.Header.Get("X-Operator") == "" {
				return fmt.Errorf("not an operator")
			}
			return nil
		},
	})
	defer insp.Close()
	debug := http.NewServeMux() // served on an internal listener
	insp.Mount(debug, "/debug/gogoscope")

	for _, op := range []string{"", "alice"} {
		r := httptest.NewRequest("GET", "/debug/gogoscope/snapshot.json", nil)
		if op != "" {
			r.Header.Set("X-Operator", op)
		}
		w := httptest.NewRecorder()
		debug.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Content-Type"))
	}
	// Output:
	// 403 text/plain; charset=utf-8
	// 200 application/json
}

func ExampleSourceFunc() {
	// A source adds what it knows: here, a metric of the program's own.
	queued := 12
	insp := inspector.New(inspector.Options{Sources: []inspector.Source{
		inspector.SourceFunc(func(s *inspector.Snapshot) {
			s.Metrics = append(s.Metrics, inspector.Metric{Name: "jobs queued", Value: float64(queued)})
		}),
	}})
	defer insp.Close()
	for _, m := range insp.Snapshot().Metrics {
		if m.Name == "jobs queued" {
			fmt.Println(m.Name, m.Value)
		}
	}
	// Output: jobs queued 12
}
