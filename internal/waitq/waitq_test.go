package waitq

import (
	"slices"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// values returns q's values front to back, checking that the backward
// links agree (it returns nil, which no non-empty model equals, if not).
func values(q *Queue[int]) []int {
	var out []int
	for n := q.Front(); n != nil; n = n.Next() {
		out = append(out, n.Value)
	}
	var back []int
	for n := q.Back(); n != nil; n = n.Prev() {
		back = append(back, n.Value)
	}
	slices.Reverse(back)
	if !slices.Equal(out, back) {
		return []int{-1}
	}
	return out
}

func TestPushRemovePop(t *testing.T) {
	var q Queue[int]
	nodes := make([]*Node[int], 5)
	for i := range nodes {
		nodes[i] = &Node[int]{Value: i}
		q.Push(nodes[i])
	}
	if !q.Remove(nodes[2]) || q.Remove(nodes[2]) {
		t.Fatal("Remove: want true once, then false")
	}
	if got := values(&q); !slices.Equal(got, []int{0, 1, 3, 4}) || q.Len() != 4 {
		t.Fatalf("got %v (len %d)", got, q.Len())
	}
	if n := q.PopFront(); n.Value != 0 || n.Queued() {
		t.Fatalf("PopFront: got %v", n.Value)
	}
	q.Remove(nodes[4])
	if q.Back() != nodes[3] || q.Front() != nodes[1] {
		t.Fatal("front/back wrong after removing the back")
	}
	all := q.TakeAll()
	if len(all) != 2 || all[0] != nodes[1] || q.Len() != 0 || q.Front() != nil || all[1].Queued() {
		t.Fatalf("TakeAll: got %d nodes", len(all))
	}
	q.Push(nodes[1]) // a taken node can be queued again
	if q.Len() != 1 {
		t.Fatal("re-push failed")
	}
}

func TestPushQueuedPanics(t *testing.T) {
	var q Queue[int]
	n := &Node[int]{}
	q.Push(n)
	defer func() {
		if r := recover(); r != "waitq.Queue.Push: n is already queued" {
			t.Fatalf("panic %v", r)
		}
	}()
	q.Push(n)
}

// The queue behaves as a slice model under random pushes, removals and
// pops.
func TestQueueMatchesSliceModel(t *testing.T) {
	props := gopter.NewProperties(gopter.DefaultTestParameters())
	props.Property("queue == slice model", prop.ForAll(func(ops []int) bool {
		var q Queue[int]
		var model []int
		nodes := map[int]*Node[int]{}
		next := 0
		for _, op := range ops {
			switch {
			case op%3 == 0 || len(model) == 0:
				n := &Node[int]{Value: next}
				nodes[next] = n
				q.Push(n)
				model = append(model, next)
				next++
			case op%3 == 1:
				v := model[op%len(model)]
				q.Remove(nodes[v])
				model = slices.DeleteFunc(model, func(x int) bool { return x == v })
			default:
				if q.PopFront().Value != model[0] {
					return false
				}
				model = model[1:]
			}
			if !slices.Equal(values(&q), model) || q.Len() != len(model) {
				return false
			}
			if len(model) > 0 && (q.FrontValue() != model[0] || q.Back().Value != model[len(model)-1]) {
				return false
			}
			if len(model) == 0 && (q.FrontValue() != 0 || q.Front() != nil || q.Back() != nil) {
				return false
			}
		}
		return true
	}, gen.SliceOf(gen.IntRange(0, 1000))))
	props.TestingRun(t)
}

// A waiter that embeds its node is served through FrontValue, and a node
// that was served or taken is not removed twice.
func TestEmbeddedNodeFrontValue(t *testing.T) {
	type waiter struct {
		id   int
		link Node[*waiter]
	}
	var q Queue[*waiter]
	if q.FrontValue() != nil {
		t.Fatal("FrontValue of an empty queue: want nil")
	}
	ws := make([]*waiter, 3)
	for i := range ws {
		ws[i] = &waiter{id: i}
		ws[i].link.Value = ws[i]
		q.Push(&ws[i].link)
	}
	if w := q.FrontValue(); w != ws[0] {
		t.Fatalf("FrontValue: got %v, want waiter 0", w.id)
	}
	q.Remove(&ws[0].link)
	if w := q.FrontValue(); w != ws[1] {
		t.Fatalf("after removing the head: got %v, want waiter 1", w.id)
	}
	taken := q.TakeAll()
	if len(taken) != 2 || taken[0].Value != ws[1] || taken[1].Value != ws[2] {
		t.Fatal("TakeAll: want waiters 1 and 2, oldest first")
	}
	if q.Remove(&ws[1].link) || q.FrontValue() != nil || q.Len() != 0 {
		t.Fatal("a taken node must not be removed again; the queue must be empty")
	}
}
