package scopehttp_test

import (
	"net/http"
	"testing"

	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
)

// harness mounts the table on a ServeMux, the middleware around it.
var harness = adaptertest.Harness{
	Name: "net/http",
	Mount: func(ad *scopehttp.Adapter[adaptertest.Env], routes []adaptertest.Route) http.Handler {
		mux := http.NewServeMux()
		for _, rt := range routes {
			mux.Handle(rt.Method+" "+rt.Path, ad.Handler(func(r *http.Request) adaptertest.Eff[scopehttp.Response] {
				return rt.Handle(r, r.PathValue)
			}))
		}
		return ad.Middleware(mux)
	},
}

func TestTable(t *testing.T) { adaptertest.Run(t, harness) }

// The handler alone, without the middleware, opens a request scope of its
// own.
func TestTableHandlerOnly(t *testing.T) {
	adaptertest.RunRequests(t, adaptertest.Harness{
		Name: "net/http without middleware",
		Mount: func(ad *scopehttp.Adapter[adaptertest.Env], routes []adaptertest.Route) http.Handler {
			mux := http.NewServeMux()
			for _, rt := range routes {
				mux.Handle(rt.Method+" "+rt.Path, ad.Handler(func(r *http.Request) adaptertest.Eff[scopehttp.Response] {
					return rt.Handle(r, r.PathValue)
				}))
			}
			return mux
		},
	})
}
