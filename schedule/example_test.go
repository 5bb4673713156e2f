package schedule_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// This example drives a schedule by hand, the way effect.Retry does: start a driver before the
// first attempt, ask it after each failure, and wait the delay it returns.
func Example() {
	policy := schedule.Exponential(time.Millisecond).Intersect(schedule.Recurs(3))

	attempts := 0
	call := func() error {
		attempts++
		if attempts < 3 {
			return errors.New("unavailable")
		}
		return nil
	}

	d := policy.Start(time.Now())
	for {
		err := call()
		if err == nil {
			fmt.Println("succeeded after", attempts, "attempts")
			return
		}
		delay, _, ok := d.Next(time.Now(), err)
		if !ok {
			fmt.Println("gave up:", err)
			return
		}
		fmt.Println("retry", d.Attempt(), "in", delay)
		time.Sleep(delay)
	}
	// Output:
	// retry 1 in 1ms
	// retry 2 in 2ms
	// succeeded after 3 attempts
}

func ExampleRecurs() {
	d := schedule.Recurs(2).Start(time.Now())
	for range 3 {
		delay, count, ok := d.Next(time.Now(), errors.New("failed"))
		fmt.Println(delay, count, ok)
	}
	// Output:
	// 0s 1 true
	// 0s 2 true
	// 0s 2 false
}

func ExampleOnce() {
	d := schedule.Once().Start(time.Now())
	for range 2 {
		_, _, ok := d.Next(time.Now(), nil)
		fmt.Println(ok)
	}
	// Output:
	// true
	// false
}

func ExampleForever() {
	d := schedule.Forever().Start(time.Now())
	for range 3 {
		delay, count, ok := d.Next(time.Now(), nil)
		fmt.Println(delay, count, ok)
	}
	// Output:
	// 0s 1 true
	// 0s 2 true
	// 0s 3 true
}

func ExampleSpaced() {
	d := schedule.Spaced(2 * time.Second).Start(time.Now())
	for range 3 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Println(delay)
	}
	// Output:
	// 2s
	// 2s
	// 2s
}

// Fixed keeps a 10s grid: attempts that end early wait for the next boundary, and one that overruns
// a boundary waits for the following one instead of piling up.
func ExampleFixed() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := schedule.Fixed(10 * time.Second).Start(start)
	for _, end := range []time.Duration{3 * time.Second, 12 * time.Second, 34 * time.Second} {
		delay, _, _ := d.Next(start.Add(end), nil)
		fmt.Printf("attempt ended at %v: next at %v\n", end, end+delay)
	}
	// Output:
	// attempt ended at 3s: next at 10s
	// attempt ended at 12s: next at 20s
	// attempt ended at 34s: next at 40s
}

func ExampleLinear() {
	d := schedule.Linear(100 * time.Millisecond).Start(time.Now())
	for range 4 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Println(delay)
	}
	// Output:
	// 100ms
	// 200ms
	// 300ms
	// 400ms
}

func ExampleLinearWith() {
	d := schedule.LinearWith(100*time.Millisecond, 50*time.Millisecond).Start(time.Now())
	for range 4 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Println(delay)
	}
	// Output:
	// 100ms
	// 150ms
	// 200ms
	// 250ms
}

func ExampleExponential() {
	d := schedule.Exponential(100 * time.Millisecond).Start(time.Now())
	for range 5 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Println(delay)
	}
	// Output:
	// 100ms
	// 200ms
	// 400ms
	// 800ms
	// 1.6s
}

func ExampleExponentialWith() {
	d := schedule.ExponentialWith(100*time.Millisecond, 1.5).Start(time.Now())
	for range 4 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Println(delay)
	}
	// Output:
	// 100ms
	// 150ms
	// 225ms
	// 337.5ms
}

func ExampleFibonacci() {
	d := schedule.Fibonacci(100 * time.Millisecond).Start(time.Now())
	for range 6 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Println(delay)
	}
	// Output:
	// 100ms
	// 100ms
	// 200ms
	// 300ms
	// 500ms
	// 800ms
}

func ExampleElapsed() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := schedule.Elapsed().Start(start)
	for _, at := range []time.Duration{time.Second, 90 * time.Second} {
		_, elapsed, _ := d.Next(start.Add(at), nil)
		fmt.Println(elapsed)
	}
	// Output:
	// 1s
	// 1m30s
}

func ExampleDecorrelatedJitter() {
	base, maxDelay := 100*time.Millisecond, 2*time.Second
	d := schedule.DecorrelatedJitter(base, maxDelay).Start(time.Now())
	previous, inBounds := base, true
	for range 100 {
		delay, _, _ := d.Next(time.Now(), nil)
		inBounds = inBounds && delay >= base && delay <= min(maxDelay, 3*previous)
		previous = delay
	}
	fmt.Println("every delay within [base, min(max, 3·previous)]:", inBounds)
	// Output:
	// every delay within [base, min(max, 3·previous)]: true
}

// FromOptions turns go-go-scope's retry options into a schedule.
func ExampleFromOptions() {
	errNotFound := errors.New("not found")
	s := schedule.FromOptions(schedule.Options{
		MaxRetries: 4,
		Strategy:   schedule.StrategyExponential,
		Initial:    100 * time.Millisecond,
		Max:        300 * time.Millisecond,
		RetryIf:    func(err error) bool { return !errors.Is(err, errNotFound) },
		OnRetry: func(err error, attempt int, delay time.Duration) {
			fmt.Printf("retry %d after %q in %v\n", attempt, err, delay)
		},
	})
	d := s.Start(time.Now())
	for _, err := range []error{errors.New("timeout"), errors.New("timeout"), errors.New("timeout"), errNotFound} {
		if _, _, ok := d.Next(time.Now(), err); !ok {
			fmt.Printf("gave up on %q\n", err)
		}
	}
	// Output:
	// retry 1 after "timeout" in 100ms
	// retry 2 after "timeout" in 200ms
	// retry 3 after "timeout" in 300ms
	// gave up on "not found"
}

// Start builds an independent driver for each run of one shared schedule.
func ExampleSchedule_Start() {
	s := schedule.Exponential(time.Second)
	first, second := s.Start(time.Now()), s.Start(time.Now())
	first.Next(time.Now(), nil)
	a, _, _ := first.Next(time.Now(), nil)
	b, _, _ := second.Next(time.Now(), nil)
	fmt.Println(a, b)
	// Output:
	// 2s 1s
}

// Once a driver has decided to stop, it keeps stopping.
func ExampleDriver_Next() {
	d := schedule.Recurs(1).Start(time.Now())
	for range 3 {
		delay, count, ok := d.Next(time.Now(), errors.New("failed"))
		fmt.Println(delay, count, ok)
	}
	// Output:
	// 0s 1 true
	// 0s 1 false
	// 0s 1 false
}

func ExampleDriver_Attempt() {
	d := schedule.Spaced(time.Second).Start(time.Now())
	d.Next(time.Now(), nil)
	d.Next(time.Now(), nil)
	fmt.Println(d.Attempt())
	// Output:
	// 2
}

func ExampleDriver_Reset() {
	d := schedule.Exponential(time.Second).Start(time.Now())
	d.Next(time.Now(), nil)
	d.Next(time.Now(), nil)
	d.Reset(time.Now())
	delay, _, _ := d.Next(time.Now(), nil)
	fmt.Println(delay, d.Attempt())
	// Output:
	// 1s 1
}
