package advanced_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/schedule"
)

// throttled is a server's 429: try again after RetryAfter.
type throttled struct{ RetryAfter time.Duration }

func (e *throttled) Error() string { return fmt.Sprintf("429, retry after %v", e.RetryAfter) }

func Example_customSchedule() {
	// A schedule written from its delay function: wait what the server
	// asked for, else back off linearly; stop at errors that are not
	// worth retrying, and after 4 retries.
	honorRetryAfter := schedule.FromOptions(schedule.Options{
		MaxRetries: 4,
		Delay: func(attempt int, in any) time.Duration {
			var t *throttled
			if err, ok := in.(error); ok && errors.As(err, &t) {
				return t.RetryAfter
			}
			return time.Duration(attempt) * time.Millisecond
		},
		RetryIf: func(err error) bool { return !errors.Is(err, errForbidden) },
		OnRetry: func(err error, attempt int, delay time.Duration) {
			fmt.Printf("retry %d in %v after: %v\n", attempt, delay, err)
		},
	})
	answers := []error{&throttled{RetryAfter: 3 * time.Millisecond}, errors.New("connection reset"), nil}
	calls := 0
	call := eff.Try(func(context.Context) (string, error) {
		err := answers[calls]
		calls++
		return "ok", err
	})
	fmt.Println(eff.Run(context.Background(), call.Retry(honorRetryAfter)))

	// A schedule composed from parts, read through its driver: four quick
	// tries, then a steady pace.
	warmup := schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(4)).
		AndThen(schedule.Spaced(30 * time.Second).Delays())
	d := warmup.Start(time.Time{})
	for range 6 {
		delay, _, _ := d.Next(time.Time{}, nil)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// retry 1 in 3ms after: 429, retry after 3ms
	// retry 2 in 2ms after: connection reset
	// ok <nil>
	// 100ms 200ms 400ms 800ms 30s 30s
}

var errForbidden = errors.New("403 forbidden")
