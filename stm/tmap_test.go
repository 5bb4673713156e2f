package stm

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

type mapOp struct{ Kind, K, V int }

// TestPropertyTMapModel: random puts, deletes, updates and gets, several
// per transaction, behave as a Go map, through growth; an undone OrElse
// branch changes nothing.
func TestPropertyTMapModel(t *testing.T) {
	props := gopter.NewProperties(nil)
	props.Property("tmap = map", prop.ForAll(func(ops []mapOp) string {
		m := NewTMap[int, int]()
		model := map[int]int{}
		for i := 0; i < len(ops); i += 3 {
			batch := ops[i:min(i+3, len(ops))]
			got := commit(t, func(tx *Tx) string {
				out := ""
				for _, o := range batch {
					switch o.Kind {
					case 0:
						m.Put(tx, o.K, o.V)
					case 1:
						out += fmt.Sprint(m.Delete(tx, o.K))
					case 2:
						v, ok := m.Update(tx, o.K, func(v int, ok bool) (int, bool) { return v + o.V, o.V%2 == 0 })
						out += fmt.Sprint(v, ok)
					case 3:
						OrElse(func(tx *Tx) int { m.Put(tx, o.K, -1); m.Delete(tx, o.K+1); tx.Retry(); return 0 }, func(*Tx) int { return 0 })(tx)
					default:
						v, ok := m.Get(tx, o.K)
						out += fmt.Sprint(v, ok, m.Has(tx, o.K))
					}
				}
				return out + fmt.Sprint(m.Size(tx))
			})
			want := ""
			for _, o := range batch {
				switch o.Kind {
				case 0:
					model[o.K] = o.V
				case 1:
					_, ok := model[o.K]
					delete(model, o.K)
					want += fmt.Sprint(ok)
				case 2:
					v := model[o.K] + o.V
					if o.V%2 == 0 {
						model[o.K] = v
						want += fmt.Sprint(v, true)
					} else {
						_, was := model[o.K]
						delete(model, o.K)
						if was {
							want += fmt.Sprint(v, false)
						} else {
							want += fmt.Sprint(0, false)
						}
					}
				case 3:
				default:
					v, ok := model[o.K]
					want += fmt.Sprint(v, ok, ok)
				}
			}
			want += fmt.Sprint(len(model))
			if got != want {
				return fmt.Sprintf("batch at %d: got %s, want %s", i, got, want)
			}
		}
		all := commit(t, func(tx *Tx) map[int]int { return maps.Collect(m.All(tx)) })
		if !maps.Equal(all, model) {
			return fmt.Sprintf("All: %v, want %v", all, model)
		}
		if int(m.count.Load()) != len(model) {
			return fmt.Sprintf("size hint %d, want %d", m.count.Load(), len(model))
		}
		return ""
	}, gen.SliceOf(gen.Struct(reflectType[mapOp](), map[string]gopter.Gen{
		"Kind": gen.IntRange(0, 5), "K": gen.IntRange(0, 120), "V": gen.IntRange(0, 9),
	}))))
	props.TestingRun(t)
}

// TestTMapConcurrentPutsGrow: many fibers put distinct keys at once, the map
// grows meanwhile, and every key is there once.
func TestTMapConcurrentPutsGrow(t *testing.T) {
	m := NewTMap[string, int]()
	keys := seq(0, 2000)
	_, err := effect.Run(context.Background(), effect.ForEachPar(keys, func(k int) eff[int] {
		return Atomically[any](func(tx *Tx) int { m.Put(tx, fmt.Sprint("k", k), k); return k })
	}, effect.Par{Limit: 8}), nil)
	if err != nil {
		t.Fatal(err)
	}
	size, buckets := commit(t, m.Size), len(m.table.Load().buckets)
	if size != len(keys) || buckets <= initialBuckets {
		t.Fatalf("size %d, buckets %d; want %d keys and growth", size, buckets, len(keys))
	}
	for _, k := range keys {
		if v, ok := commit(t, func(tx *Tx) int { v, _ := m.Get(tx, fmt.Sprint("k", k)); return v }), true; v != k || !ok {
			t.Fatalf("key %d: %d", k, v)
		}
	}
}
