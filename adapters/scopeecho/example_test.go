package scopeecho_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopeecho"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

type Eff[A any] = effect.Effect[string, error, A]

func ExampleNew() {
	app := appscope.New("Hello", appscope.Options{})
	defer app.Shutdown(context.Background())
	ad := scopeecho.New(app, scopehttp.Options{})

	e := echo.New()
	e.Use(ad.Middleware())
	e.GET("/hello/:name", ad.Handler(func(c echo.Context) Eff[scopehttp.Response] {
		return effect.Access[string, error](func(greeting string) scopehttp.Response {
			return scopehttp.Text(http.StatusOK, greeting+", "+c.Param("name"))
		})
	}))
	// Failures go to echo's HTTPErrorHandler, as *echo.HTTPError.
	e.GET("/fail", ad.Handler(func(echo.Context) Eff[scopehttp.Response] {
		return effect.Fail[string, scopehttp.Response](error(scopehttp.NewError(http.StatusTeapot, "no coffee")))
	}))

	for _, path := range []string{"/hello/echo", "/fail"} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 Hello, echo
	// 418 {"message":"no coffee"}
}

func ExampleWrap() {
	app := appscope.New("Hi", appscope.Options{})
	defer app.Shutdown(context.Background())
	base := scopehttp.New(app, scopehttp.Options{})
	fmt.Println(scopeecho.Wrap(base).HTTP() == base)
	// Output: true
}
