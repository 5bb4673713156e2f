package stream

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// S is the stream type most tests use.
type S[A any] = Stream[any, error, A]

func ints(xs ...int) S[int] { return FromSlice[any, error](xs) }

func collect[A any](t *testing.T, s S[A]) []A {
	t.Helper()
	return run(t, s.Collect())
}

var errBoom = errors.New("boom")

func TestStreamOperators(t *testing.T) {
	double := func(i int) int { return 2 * i }
	even := func(i int) bool { return i%2 == 0 }
	tests := []struct {
		name string
		s    S[int]
		want []int
	}{
		{"of", Of[any, error](1, 2, 3), []int{1, 2, 3}},
		{"empty", Empty[any, error, int](), nil},
		{"zero stream is empty", S[int]{}, nil},
		{"range", Range[any, error](3, 7), []int{3, 4, 5, 6}},
		{"range over chunks", Range[any, error](0, 3000).Drop(2998), []int{2998, 2999}},
		{"map", ints(1, 2, 3).Map(double), []int{2, 4, 6}},
		{"filter", ints(1, 2, 3, 4, 5, 6).Filter(even), []int{2, 4, 6}},
		{"filter none", ints(1, 3, 5).Filter(even), nil},
		{"filter across chunks", Range[any, error](0, 5000).Filter(func(i int) bool { return i%1000 == 999 }), []int{999, 1999, 2999, 3999, 4999}},
		{"take", ints(1, 2, 3, 4).Take(2), []int{1, 2}},
		{"take more than there is", ints(1, 2).Take(5), []int{1, 2}},
		{"take zero", ints(1, 2).Take(0), nil},
		{"take across chunks", Range[any, error](0, 5000).Take(1500).Drop(1498), []int{1498, 1499}},
		{"take while", ints(1, 2, 3, 1).TakeWhile(func(i int) bool { return i < 3 }), []int{1, 2}},
		{"take while first fails", ints(5, 1).TakeWhile(func(i int) bool { return i < 3 }), nil},
		{"drop", ints(1, 2, 3, 4).Drop(3), []int{4}},
		{"drop all", ints(1, 2).Drop(3), nil},
		{"scan", ints(1, 2, 3).Scan(10, func(s, i int) int { return s + i }), []int{10, 11, 13, 16}},
		{"scan empty emits init", ints().Scan(7, func(s, i int) int { return s + i }), []int{7}},
		{"flat map", ints(1, 2, 3).FlatMap(func(i int) S[int] { return ints(slices.Repeat([]int{i}, i)...) }), []int{1, 2, 2, 3, 3, 3}},
		{"flat map to empty", ints(1, 2).FlatMap(func(int) S[int] { return Empty[any, error, int]() }), nil},
		{"concat", ints(1).Concat(ints(), ints(2, 3)), []int{1, 2, 3}},
		{"concat function", Concat(ints(1), ints(2)), []int{1, 2}},
		{"zip with", ints(1, 2, 3).ZipWith(Range[any, error](10, 12), func(a, b int) int { return a + b }), []int{11, 13}},
		{"map effect", ints(1, 2, 3).MapEffect(func(i int) Eff[int] { return effect.Succeed[any, error](i * i) }), []int{1, 4, 9}},
		{"unfold", Unfold[any, error](1, func(s int) (int, int, bool) { return s, s * 2, s < 100 }), []int{1, 2, 4, 8, 16, 32, 64}},
		{"from effect", FromEffect(effect.Succeed[any, error](5)), []int{5}},
		{"unwrap", Unwrap(effect.Succeed[any, error](ints(4, 5))), []int{4, 5}},
		{"catch", ints(1, 2).Concat(Fail[any, int](errBoom)).Catch(func(error) S[int] { return ints(9) }), []int{1, 2, 9}},
		{"catch when opening fails", Unwrap(effect.Fail[any, S[int]](errBoom)).Catch(func(error) S[int] { return ints(9) }), []int{9}},
		{"or else", Fail[any, int](errBoom).OrElse(ints(8)), []int{8}},
		{"catch without failure", ints(1).Catch(func(error) S[int] { return ints(9) }), []int{1}},
		{"from seq", FromSeq[any, error](slices.Values([]int{3, 1, 2})), []int{3, 1, 2}},
		{"merge one", Merge(ints(1, 2)), []int{1, 2}},
		{"merge none", Merge[any, error, int](), nil},
		{"buffer", Range[any, error](0, 3000).Buffer(16).Drop(2999), []int{2999}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(t, tt.s)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v want %v", got, tt.want)
			}
			// A stream is a reusable description: a second run gives the
			// same result.
			if again := collect(t, tt.s); !slices.Equal(again, tt.want) {
				t.Fatalf("second run: got %v want %v", again, tt.want)
			}
		})
	}
}

func TestFromGoChannel(t *testing.T) {
	s := FromGoChannel[any, error](goChan(1, 2, 3))
	if got := collect(t, s); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v want [1 2 3]", got)
	}
	if got := collect(t, s); len(got) != 0 {
		t.Fatalf("second run of a drained channel: got %v want nothing", got)
	}
}

func goChan(xs ...int) <-chan int {
	ch := make(chan int, len(xs))
	for _, x := range xs {
		ch <- x
	}
	close(ch)
	return ch
}

func TestStreamFailures(t *testing.T) {
	tests := []struct {
		name string
		s    S[int]
	}{
		{"fail", Fail[any, int](errBoom)},
		{"after elements", ints(1, 2).Concat(Fail[any, int](errBoom))},
		{"map effect", ints(1, 2).MapEffect(func(i int) Eff[int] { return effect.Fail[any, int](errBoom) })},
		{"tap", ints(1, 2).Tap(func(i int) Eff[int] { return effect.Fail[any, int](errBoom) })},
		{"from effect", FromEffect(effect.Fail[any, int](errBoom))},
		{"merged", Merge(ints(1), Fail[any, int](errBoom))},
		{"buffered", ints(1, 2).Concat(Fail[any, int](errBoom)).Buffer(4)},
		{"from seq2", FromSeq2[any](func(yield func(int, error) bool) {
			_ = yield(1, nil) && yield(0, errBoom)
		})},
		{"catch handler fails", Fail[any, int](errors.New("first")).Catch(func(error) S[int] { return Fail[any, int](errBoom) })},
		{"map error", Fail[any, int](errors.New("inner")).MapError(func(error) error { return errBoom })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := effect.Run(t.Context(), tt.s.Collect(), nil)
			if !errors.Is(err, errBoom) {
				t.Fatalf("got %v want boom", err)
			}
		})
	}
}

func TestFromSeq2EmitsValuesBeforeTheError(t *testing.T) {
	s := FromSeq2[any](func(yield func(int, error) bool) {
		_ = yield(1, nil) && yield(2, nil) && yield(0, errBoom) && yield(3, nil)
	})
	var got []int
	_, err := effect.Run(t.Context(), s.ForEach(func(i int) Eff[struct{}] {
		return unit(func() { got = append(got, i) })
	}), nil)
	if !errors.Is(err, errBoom) || !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("got %v, %v; want [1 2], boom", got, err)
	}
}

func TestGroupedAndZip(t *testing.T) {
	groups := run(t, Grouped(Range[any, error](0, 7), 3).Collect())
	if fmt.Sprint(groups) != "[[0 1 2] [3 4 5] [6]]" {
		t.Fatalf("Grouped: got %v", groups)
	}
	pairs := run(t, Zip(ints(1, 2, 3), FromSlice[any, error]([]string{"a", "b"})).Collect())
	if fmt.Sprint(pairs) != "[{1 a} {2 b}]" {
		t.Fatalf("Zip: got %v", pairs)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Grouped(0) did not panic")
		}
	}()
	Grouped(ints(), 0)
}

func TestPaginate(t *testing.T) {
	pages := map[string]Page[string, int]{
		"":  {Items: []int{1, 2}, Next: "b", More: true},
		"b": {Items: nil, Next: "c", More: true},
		"c": {Items: []int{3}, Next: "", More: false},
	}
	var fetched []string
	s := Paginate[any, error]("", func(cursor string) Eff[Page[string, int]] {
		return do(func() Page[string, int] { fetched = append(fetched, cursor); return pages[cursor] })
	})
	if got := collect(t, s); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v want [1 2 3]", got)
	}
	fetched = nil
	if got := collect(t, s.Take(1)); !slices.Equal(got, []int{1}) || !slices.Equal(fetched, []string{""}) {
		t.Fatalf("take 1: got %v, fetched pages %q; want [1], only the first page", got, fetched)
	}
}

func TestSinks(t *testing.T) {
	s := ints(3, 1, 4, 1, 5)
	if got := run(t, s.Fold(0, func(a, b int) int { return a + b })); got != 14 {
		t.Fatalf("Fold: got %d want 14", got)
	}
	if got := run(t, s.Reduce(func(a, b int) int { return max(a, b) })); got != effect.Some(5) {
		t.Fatalf("Reduce: got %v", got)
	}
	if got := run(t, ints().Reduce(func(a, b int) int { return a })); got.OK {
		t.Fatalf("Reduce of empty: got %v want None", got)
	}
	if got := run(t, s.Count()); got != 5 {
		t.Fatalf("Count: got %d", got)
	}
	if got := run(t, s.First()); got != effect.Some(3) {
		t.Fatalf("First: got %v", got)
	}
	if got := run(t, s.Last()); got != effect.Some(5) {
		t.Fatalf("Last: got %v", got)
	}
	if got := run(t, ints().First()); got.OK {
		t.Fatalf("First of empty: got %v", got)
	}
	var seen []int
	run(t, s.ForEach(func(i int) Eff[struct{}] { return unit(func() { seen = append(seen, i) }) }))
	if !slices.Equal(seen, []int{3, 1, 4, 1, 5}) {
		t.Fatalf("ForEach: got %v", seen)
	}
	seen = nil
	run(t, s.Tap(func(i int) Eff[struct{}] { return unit(func() { seen = append(seen, i) }) }).Drain())
	if len(seen) != 5 {
		t.Fatalf("Drain ran %d taps, want 5", len(seen))
	}
}

func TestIntoChannel(t *testing.T) {
	ch := NewChannel[int](2)
	prog := effect.FlatMap(effect.Fork(Range[any, error](0, 100).IntoChannel(ch)), func(fb *effect.Fiber[error, struct{}]) Eff[[]int] {
		return effect.FlatMap(FromChannel[any, error](ch).Collect(), func(got []int) Eff[[]int] {
			return effect.As(effect.Join[any](fb), got)
		})
	})
	got := run(t, prog)
	if len(got) != 100 || got[0] != 0 || got[99] != 99 || !slices.IsSorted(got) {
		t.Fatalf("got %d elements %v...", len(got), got[:min(5, len(got))])
	}
	if !ch.IsClosed() {
		t.Fatal("IntoChannel did not close the channel")
	}
}

func TestAllIterator(t *testing.T) {
	var got []string
	for v, err := range Range[any, error](0, 5000).Map(strconv.Itoa).All(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		if len(got) == 3 {
			break
		}
	}
	if !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Fatalf("got %v", got)
	}
	var errs []error
	for _, err := range ints(1).Concat(Fail[any, int](errBoom)).All(t.Context(), nil) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || errs[0] != nil || !errors.Is(errs[1], errBoom) {
		t.Fatalf("got %v want [nil boom]", errs)
	}
}

func TestAllWithEnvironment(t *testing.T) {
	type env struct{ prefix string }
	s := Stream[env, error, int](FromSlice[env, error]([]int{1, 2})).MapEffect(func(i int) effect.Effect[env, error, string] {
		return effect.Access[env, error](func(e env) string { return e.prefix + strconv.Itoa(i) })
	})
	next, stop := iter.Pull2(s.All(t.Context(), env{prefix: "#"}))
	defer stop()
	v, err, ok := next()
	if !ok || err != nil || v != "#1" {
		t.Fatalf("got %q %v %v", v, err, ok)
	}
}
