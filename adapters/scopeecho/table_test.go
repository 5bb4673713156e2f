package scopeecho_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopeecho"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
)

// echoPath turns "/users/{id}" into echo's "/users/:id".
func echoPath(p string) string {
	return strings.NewReplacer("{", ":", "}", "").Replace(p)
}

// harness mounts the table on an echo instance, in echo's idiom.
var harness = adaptertest.Harness{
	Name: "echo",
	Mount: func(ad *scopehttp.Adapter[adaptertest.Env], routes []adaptertest.Route) http.Handler {
		a := scopeecho.Wrap(ad)
		e := echo.New()
		e.Use(a.Middleware())
		for _, rt := range routes {
			e.Add(rt.Method, echoPath(rt.Path), a.Handler(func(c echo.Context) adaptertest.Eff[scopehttp.Response] {
				return rt.Handle(c.Request(), c.Param)
			}))
		}
		return e
	},
}

func TestTable(t *testing.T) { adaptertest.Run(t, harness) }
