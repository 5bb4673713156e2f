package schedule_test

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// Union with a Spaced schedule caps a backoff without ever stopping it.
func ExampleSchedule_Union() {
	s := schedule.Exponential(100 * time.Millisecond).Union(schedule.Spaced(time.Second))
	d := s.Start(time.Now())
	for range 6 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 100ms 200ms 400ms 800ms 1s 1s
}

func ExampleUnion() {
	// Fast retries for three attempts, but keep going every minute.
	s := schedule.Union(schedule.Spaced(10*time.Millisecond).Intersect(schedule.Recurs(3)), schedule.Spaced(time.Minute))
	d := s.Start(time.Now())
	for range 5 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 10ms 10ms 10ms 1m0s 1m0s
}

// Intersect with Recurs bounds a backoff: at most 3 retries, with the output of the backoff.
func ExampleSchedule_Intersect() {
	s := schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(3))
	d := s.Start(time.Now())
	for range 4 {
		delay, out, ok := d.Next(time.Now(), nil)
		fmt.Println(delay, out, ok)
	}
	// Output:
	// 100ms 100ms true
	// 200ms 200ms true
	// 400ms 400ms true
	// 0s 800ms false
}

func ExampleIntersect() {
	// Never faster than every 300ms.
	s := schedule.Intersect(schedule.Exponential(100*time.Millisecond), schedule.Spaced(300*time.Millisecond))
	d := s.Start(time.Now())
	for range 4 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 300ms 300ms 400ms 800ms
}

func ExampleSchedule_AndThen() {
	quick := schedule.Spaced(100 * time.Millisecond).Intersect(schedule.Recurs(2))
	slow := schedule.Spaced(5 * time.Second).Intersect(schedule.Recurs(2))
	d := quick.AndThen(slow).Start(time.Now())
	for range 5 {
		delay, _, ok := d.Next(time.Now(), nil)
		fmt.Println(delay, ok)
	}
	// Output:
	// 100ms true
	// 100ms true
	// 5s true
	// 5s true
	// 0s false
}

func ExampleAndThen() {
	// Delays gives two schedules of different outputs a common one.
	s := schedule.AndThen(schedule.Recurs(1).Delays(), schedule.Linear(time.Second))
	d := s.Start(time.Now())
	for range 3 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 0s 1s 2s
}

// UpTo stops once the next attempt would begin past the budget.
func ExampleSchedule_UpTo() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	d := schedule.Exponential(100 * time.Millisecond).UpTo(time.Second).Start(start)
	for {
		delay, _, ok := d.Next(now, nil)
		if !ok {
			fmt.Println("stopped at", now.Sub(start))
			break
		}
		now = now.Add(delay)
		fmt.Println("next attempt at", now.Sub(start))
	}
	// Output:
	// next attempt at 100ms
	// next attempt at 300ms
	// next attempt at 700ms
	// stopped at 700ms
}

func ExampleUpTo() {
	s := schedule.UpTo(schedule.Spaced(400*time.Millisecond), time.Second)
	now := time.Now()
	d := s.Start(now)
	for {
		delay, _, ok := d.Next(now, nil)
		if !ok {
			break
		}
		now = now.Add(delay)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 400ms 400ms
}

func ExampleSchedule_Capped() {
	d := schedule.Exponential(time.Second).Capped(5 * time.Second).Start(time.Now())
	for range 5 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 1s 2s 4s 5s 5s
}

func ExampleCapped() {
	d := schedule.Capped(schedule.Linear(time.Second), 2*time.Second).Start(time.Now())
	for range 3 {
		delay, _, _ := d.Next(time.Now(), nil)
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 1s 2s 2s
}

func ExampleSchedule_Jitter() {
	d := schedule.Spaced(time.Second).Jitter(0.2).Start(time.Now())
	inBounds := true
	for range 100 {
		delay, _, _ := d.Next(time.Now(), nil)
		inBounds = inBounds && delay >= 800*time.Millisecond && delay <= 1200*time.Millisecond
	}
	fmt.Println("every delay within 1s ± 20%:", inBounds)
	// Output:
	// every delay within 1s ± 20%: true
}

func ExampleJitter() {
	s := schedule.Jitter(schedule.Exponential(100*time.Millisecond), 0.5)
	delay, _, _ := s.Start(time.Now()).Next(time.Now(), nil)
	fmt.Println(delay >= 50*time.Millisecond && delay <= 150*time.Millisecond)
	// Output:
	// true
}

func ExampleSchedule_FullJitter() {
	d := schedule.Exponential(100 * time.Millisecond).Capped(time.Second).FullJitter().Start(time.Now())
	inBounds := true
	for n := range 10 {
		delay, _, _ := d.Next(time.Now(), nil)
		inBounds = inBounds && delay <= min(100*time.Millisecond<<n, time.Second)
	}
	fmt.Println("every delay within [0, min(100ms·2ⁿ, 1s)]:", inBounds)
	// Output:
	// every delay within [0, min(100ms·2ⁿ, 1s)]: true
}

func ExampleFullJitter() {
	delay, _, _ := schedule.FullJitter(schedule.Spaced(time.Second)).Start(time.Now()).Next(time.Now(), nil)
	fmt.Println(delay <= time.Second)
	// Output:
	// true
}

func ExampleSchedule_EqualJitter() {
	d := schedule.Spaced(time.Second).EqualJitter().Start(time.Now())
	inBounds := true
	for range 100 {
		delay, _, _ := d.Next(time.Now(), nil)
		inBounds = inBounds && delay >= 500*time.Millisecond && delay <= time.Second
	}
	fmt.Println("every delay within [500ms, 1s]:", inBounds)
	// Output:
	// every delay within [500ms, 1s]: true
}

func ExampleEqualJitter() {
	delay, _, _ := schedule.EqualJitter(schedule.Spaced(time.Second)).Start(time.Now()).Next(time.Now(), nil)
	fmt.Println(delay >= 500*time.Millisecond)
	// Output:
	// true
}

// Seed makes jitter reproducible: every driver of a seeded schedule draws the same delays.
func ExampleSchedule_Seed() {
	s := schedule.Exponential(100 * time.Millisecond).FullJitter().Seed(42)
	run := func() []time.Duration {
		d := s.Start(time.Now())
		var delays []time.Duration
		for range 5 {
			delay, _, _ := d.Next(time.Now(), nil)
			delays = append(delays, delay)
		}
		return delays
	}
	first, second := run(), run()
	fmt.Println(slices.Equal(first, second))
	// Output:
	// true
}

func ExampleSeed() {
	s := schedule.Seed(schedule.DecorrelatedJitter(time.Second, time.Minute), 7)
	a, _, _ := s.Start(time.Now()).Next(time.Now(), nil)
	b, _, _ := s.Start(time.Now()).Next(time.Now(), nil)
	fmt.Println(a == b)
	// Output:
	// true
}

var errForbidden = errors.New("forbidden")

// WhileInput is go-go-scope's retryCondition: retry only the errors worth retrying.
func ExampleWhileInput() {
	s := schedule.WhileInput(schedule.Spaced(time.Second), func(err error) bool {
		return !errors.Is(err, errForbidden)
	})
	d := s.Start(time.Now())
	for _, err := range []error{errors.New("timeout"), errForbidden} {
		_, _, ok := d.Next(time.Now(), err)
		fmt.Println(err, ok)
	}
	// Output:
	// timeout true
	// forbidden false
}

func ExampleSchedule_WhileInput() {
	// For a repeat, the input is the attempt's value: poll while the job is running.
	s := schedule.Spaced(time.Second).WhileInput(func(status string) bool { return status == "running" })
	d := s.Start(time.Now())
	for _, status := range []string{"running", "done"} {
		_, _, ok := d.Next(time.Now(), status)
		fmt.Println(status, ok)
	}
	// Output:
	// running true
	// done false
}

func ExampleUntilInput() {
	s := schedule.UntilInput(schedule.Forever(), func(err error) bool { return errors.Is(err, errForbidden) })
	_, _, ok := s.Start(time.Now()).Next(time.Now(), errForbidden)
	fmt.Println(ok)
	// Output:
	// false
}

func ExampleSchedule_UntilInput() {
	s := schedule.Spaced(time.Second).UntilInput(func(n int) bool { return n >= 3 })
	d := s.Start(time.Now())
	for n := 1; n <= 3; n++ {
		_, _, ok := d.Next(time.Now(), n)
		fmt.Println(n, ok)
	}
	// Output:
	// 1 true
	// 2 true
	// 3 false
}

func ExampleSchedule_WhileOutput() {
	s := schedule.Exponential(time.Second).WhileOutput(func(d time.Duration) bool { return d < 5*time.Second })
	d := s.Start(time.Now())
	for {
		delay, _, ok := d.Next(time.Now(), nil)
		if !ok {
			break
		}
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 1s 2s 4s
}

func ExampleWhileOutput() {
	s := schedule.WhileOutput(schedule.Forever(), func(count int) bool { return count <= 2 })
	d := s.Start(time.Now())
	for range 3 {
		_, count, ok := d.Next(time.Now(), nil)
		fmt.Println(count, ok)
	}
	// Output:
	// 1 true
	// 2 true
	// 3 false
}

func ExampleSchedule_UntilOutput() {
	s := schedule.Fibonacci(time.Second).UntilOutput(func(d time.Duration) bool { return d > 2*time.Second })
	d := s.Start(time.Now())
	for {
		delay, _, ok := d.Next(time.Now(), nil)
		if !ok {
			break
		}
		fmt.Print(delay, " ")
	}
	fmt.Println()
	// Output:
	// 1s 1s 2s
}

func ExampleUntilOutput() {
	s := schedule.UntilOutput(schedule.Forever(), func(count int) bool { return count == 2 })
	d := s.Start(time.Now())
	for range 2 {
		_, _, ok := d.Next(time.Now(), nil)
		fmt.Println(ok)
	}
	// Output:
	// true
	// false
}

// Tap is go-go-scope's onRetry: it sees every decision.
func ExampleSchedule_Tap() {
	s := schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(2)).
		Tap(func(d schedule.Decision[time.Duration]) {
			if d.Continue {
				fmt.Printf("attempt %d failed (%v), retrying in %v\n", d.Attempt, d.Input, d.Delay)
			} else {
				fmt.Printf("attempt %d failed (%v), giving up\n", d.Attempt, d.Input)
			}
		})
	d := s.Start(time.Now())
	for _, err := range []error{errors.New("e1"), errors.New("e2"), errors.New("e3")} {
		d.Next(time.Now(), err)
	}
	// Output:
	// attempt 1 failed (e1), retrying in 100ms
	// attempt 2 failed (e2), retrying in 200ms
	// attempt 3 failed (e3), giving up
}

func ExampleTap() {
	total := time.Duration(0)
	s := schedule.Tap(schedule.Linear(time.Second).Intersect(schedule.Recurs(3)), func(d schedule.Decision[time.Duration]) {
		total += d.Delay
	})
	d := s.Start(time.Now())
	for {
		if _, _, ok := d.Next(time.Now(), nil); !ok {
			break
		}
	}
	fmt.Println("waited", total)
	// Output:
	// waited 6s
}

func ExampleSchedule_Map() {
	s := schedule.Recurs(2).Map(func(n int) string { return fmt.Sprintf("retry #%d", n) })
	d := s.Start(time.Now())
	_, label, _ := d.Next(time.Now(), nil)
	fmt.Println(label)
	// Output:
	// retry #1
}

func ExampleMap() {
	s := schedule.Map(schedule.Exponential(time.Second), time.Duration.Seconds)
	_, seconds, _ := s.Start(time.Now()).Next(time.Now(), nil)
	fmt.Println(seconds)
	// Output:
	// 1
}

func ExampleSchedule_Delays() {
	// Exponential outputs its uncapped delay; Delays outputs the one actually waited.
	s := schedule.Exponential(time.Second).Capped(3 * time.Second)
	d, delays := s.Start(time.Now()), s.Delays().Start(time.Now())
	for range 3 {
		_, out, _ := d.Next(time.Now(), nil)
		_, waited, _ := delays.Next(time.Now(), nil)
		fmt.Println(out, waited)
	}
	// Output:
	// 1s 1s
	// 2s 2s
	// 4s 3s
}

func ExampleDelays() {
	_, out, _ := schedule.Delays(schedule.Spaced(time.Second)).Start(time.Now()).Next(time.Now(), nil)
	fmt.Println(out)
	// Output:
	// 1s
}

// ResetAfter starts the backoff over once an attempt has run for a minute without failing.
func ExampleSchedule_ResetAfter() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	d := schedule.Exponential(time.Second).ResetAfter(time.Minute).Start(start)
	for _, ran := range []time.Duration{time.Second, time.Second, time.Second, time.Hour, time.Second} {
		now = now.Add(ran)
		delay, _, _ := d.Next(now, errors.New("disconnected"))
		fmt.Printf("ran %v, reconnecting in %v\n", ran, delay)
		now = now.Add(delay)
	}
	// Output:
	// ran 1s, reconnecting in 1s
	// ran 1s, reconnecting in 2s
	// ran 1s, reconnecting in 4s
	// ran 1h0m0s, reconnecting in 1s
	// ran 1s, reconnecting in 2s
}

func ExampleResetAfter() {
	s := schedule.ResetAfter(schedule.Recurs(1), time.Minute)
	now := time.Now()
	d := s.Start(now)
	_, _, first := d.Next(now, nil)
	_, _, second := d.Next(now.Add(2*time.Minute), nil)
	fmt.Println(first, second)
	// Output:
	// true true
}
