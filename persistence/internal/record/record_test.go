package record

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/resource"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func genRecord() gopter.Gen {
	return gopter.CombineGens(
		gen.UInt8Range(0, 2), gen.UInt64(), gen.IntRange(0, 1000), gen.SliceOf(gen.Bool()),
		gen.Int64Range(0, 1<<62), gen.IntRange(0, 10), gen.IntRange(0, 10),
	).Map(func(v []any) resource.BreakerRecord {
		r := resource.BreakerRecord{State: resource.BreakerState(v[0].(uint8)), Generation: v[1].(uint64),
			Failures: v[2].(int), Trials: v[5].(int), Successes: v[6].(int)}
		if w := v[3].([]bool); len(w) > 0 {
			r.Window = w
		}
		if ns := v[4].(int64); ns != 0 {
			r.OpenedAt = time.Unix(0, ns)
		}
		return r
	})
}

// TestRoundTrip: Decode(Encode(r)) is r, for any record.
func TestRoundTrip(t *testing.T) {
	p := gopter.NewProperties(gopter.DefaultTestParameters())
	p.Property("Decode inverts Encode", prop.ForAll(func(r resource.BreakerRecord) bool {
		got, err := Decode(Encode(r))
		return err == nil && Equal(got, r)
	}, genRecord()))
	p.TestingRun(t)
}

// FuzzDecode feeds Decode bytes as a server could return them: it never
// panics, and what it accepts encodes back to an equal record.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"s":1,"g":3,"o":1700000000000000000}`))
	f.Add([]byte(`{"s":0,"g":1,"f":2,"w":"0110"}`))
	f.Add([]byte(``))
	f.Add([]byte(`{`))
	f.Add([]byte(`{"w":"\u0000x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Decode(Encode(r))
		if err != nil || !Equal(again, r) {
			t.Fatalf("Decode(Encode(%+v)) = %+v, %v", r, again, err)
		}
	})
}

// TestUpdateRetriesConflicts: the compare-and-set loop applies fn again
// after a conflict and skips the write of an unchanged record.
func TestUpdateRetriesConflicts(t *testing.T) {
	ctx := context.Background()
	stored := Versioned{Version: 1, Record: resource.BreakerRecord{Failures: 1}}
	conflicts, writes := 2, 0
	r, err := Update(ctx, func() (Versioned, error) { return stored, nil },
		func(old Versioned, r resource.BreakerRecord) (bool, error) {
			writes++
			if conflicts > 0 {
				conflicts--
				stored = Versioned{Version: old.Version + 1, Record: resource.BreakerRecord{Failures: stored.Record.Failures + 1}}
				return false, nil
			}
			stored = Versioned{Version: old.Version + 1, Record: r}
			return true, nil
		},
		func(r resource.BreakerRecord) resource.BreakerRecord { r.Failures++; return r })
	if err != nil || r.Failures != 4 || stored.Record.Failures != 4 || writes != 3 {
		t.Fatalf("after two conflicts: %+v, %v, stored %+v, %d writes; want 4 failures in 3 writes", r, err, stored, writes)
	}
	writes = 0
	if _, err := Update(ctx, func() (Versioned, error) { return stored, nil },
		func(Versioned, resource.BreakerRecord) (bool, error) { writes++; return true, nil },
		func(r resource.BreakerRecord) resource.BreakerRecord { return r }); err != nil || writes != 0 {
		t.Fatalf("unchanged record: %d writes, %v; want none", writes, err)
	}
	boom := errors.New("boom")
	if _, err := Update(ctx, func() (Versioned, error) { return Versioned{}, boom }, nil, nil); !errors.Is(err, boom) {
		t.Fatalf("failed load: %v", err)
	}
	if _, err := Decode([]byte("{")); err == nil {
		t.Fatal("Decode of a corrupt record succeeded")
	}
}
