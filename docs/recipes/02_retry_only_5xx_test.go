package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/schedule"
)

// statusError is what the client returns for a response other than 200.
type statusError struct{ Code int }

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.Code) }

func Example_retryOnlyOn5xx() {
	codes := []int{503, 502, 404, 200} // what the server answers, in turn
	attempts := 0
	get := eff.Try(func(ctx context.Context) (string, error) {
		code := codes[attempts]
		attempts++
		if code != 200 {
			return "", &statusError{Code: code}
		}
		return "ok", nil
	})
	// Retry a 5xx; stop at once on anything else.
	serverError := func(err error) bool {
		var se *statusError
		return errors.As(err, &se) && se.Code >= 500
	}
	policy := schedule.Exponential(time.Millisecond).Intersect(schedule.Recurs(5)).WhileInput(serverError)
	_, err := eff.Run(context.Background(), get.Retry(policy))
	fmt.Println(err, "after", attempts, "attempts")
	// Output: HTTP 404 after 3 attempts
}
