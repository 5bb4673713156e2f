package scopegin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gogoscope/gogoscope/adapters/internal/adaptertest"
	"github.com/gogoscope/gogoscope/adapters/scopegin"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// ginPath turns "/users/{id}" into gin's "/users/:id".
func ginPath(p string) string {
	return strings.NewReplacer("{", ":", "}", "").Replace(p)
}

// harness mounts the table on a gin engine, in gin's idiom.
var harness = adaptertest.Harness{
	Name: "gin",
	Mount: func(ad *scopehttp.Adapter[adaptertest.Env], routes []adaptertest.Route) http.Handler {
		a := scopegin.Wrap(ad)
		r := gin.New()
		r.Use(a.Middleware())
		for _, rt := range routes {
			r.Handle(rt.Method, ginPath(rt.Path), a.Handler(func(c *gin.Context) adaptertest.Eff[scopehttp.Response] {
				return rt.Handle(c.Request, c.Param)
			}))
		}
		return r
	},
}

func TestTable(t *testing.T) { adaptertest.Run(t, harness) }
