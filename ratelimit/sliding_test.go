package ratelimit

import (
	"testing"
	"time"
)

// TestSlidingLogIsBounded: admissions closer than Window/1024 share a
// record, so a large limit does not make a large log; the limit still holds.
func TestSlidingLogIsBounded(t *testing.T) {
	s := SlidingWindow{Limit: 1_000_000, Window: time.Second}.policy("test").(*sliding)
	now, admitted := int64(0), int64(0)
	for range 200_000 {
		now += int64(7 * time.Microsecond)
		if s.delay(now, 10) == 0 {
			s.take(now, 10)
			admitted += 10
		}
	}
	if n := len(s.log) - s.head; n > slidingRecords+1 {
		t.Fatalf("%d records, want at most %d", n, slidingRecords+1)
	}
	if s.sum > s.limit || admitted < s.limit {
		t.Fatalf("in the window %d (limit %d); admitted %d in 1.4s", s.sum, s.limit, admitted)
	}
}
