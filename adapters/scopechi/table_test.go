package scopechi_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopechi"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
)

// harness mounts the table on a chi router, in chi's idiom.
var harness = adaptertest.Harness{
	Name: "chi",
	Mount: func(ad *scopehttp.Adapter[adaptertest.Env], routes []adaptertest.Route) http.Handler {
		a := scopechi.Wrap(ad)
		r := chi.NewRouter()
		r.Use(a.Middleware)
		for _, rt := range routes {
			r.Method(rt.Method, rt.Path, a.Handler(func(req *http.Request) adaptertest.Eff[scopehttp.Response] {
				return rt.Handle(req, func(name string) string { return chi.URLParam(req, name) })
			}))
		}
		return r
	},
}

func TestTable(t *testing.T) { adaptertest.Run(t, harness) }
