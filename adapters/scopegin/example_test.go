package scopegin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopegin"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

type Eff[A any] = effect.Effect[string, error, A]

func ExampleNew() {
	app := appscope.New("Hello", appscope.Options{})
	defer app.Shutdown(context.Background())
	ad := scopegin.New(app, scopehttp.Options{})

	r := gin.New()
	r.Use(ad.Middleware())
	r.GET("/hello/:name", ad.Handler(func(c *gin.Context) Eff[scopehttp.Response] {
		return effect.Access[string, error](func(greeting string) scopehttp.Response {
			return scopehttp.Text(http.StatusOK, greeting+", "+c.Param("name"))
		})
	}))
	r.GET("/fail", ad.Handler(func(*gin.Context) Eff[scopehttp.Response] {
		return effect.Fail[string, scopehttp.Response](error(scopehttp.NewError(http.StatusTeapot, "no coffee")))
	}))

	for _, path := range []string{"/hello/gin", "/fail"} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 Hello, gin
	// 418 no coffee
}

func ExampleWrap() {
	app := appscope.New("Hi", appscope.Options{})
	defer app.Shutdown(context.Background())
	base := scopehttp.New(app, scopehttp.Options{})
	fmt.Println(scopegin.Wrap(base).HTTP() == base)
	// Output: true
}
