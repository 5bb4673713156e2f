package stm

import (
	"hash/maphash"
	"iter"
	"sync/atomic"
)

// TMap is a hash map whose operations are parts of transactions. Each bucket
// is a TRef holding an immutable slice of entries, so transactions that
// touch keys of different buckets do not conflict; the map grows (doubling
// its buckets, in a transaction of its own) as it fills, as ZIO's TMap does.
//
// Operations on one key read and write one bucket. [TMap.Size] and
// [TMap.All] read every bucket, so a transaction that calls them conflicts
// with every concurrent writer: keep them out of hot transactions.
type TMap[K comparable, V any] struct {
	table TRef[*table[K, V]]
	seed  maphash.Seed
	count atomic.Int64 // committed size, kept after each commit: a hint to grow
}

type table[K comparable, V any] struct {
	buckets []TRef[[]kv[K, V]]
}

type kv[K comparable, V any] struct {
	k K
	v V
}

const (
	initialBuckets = 16
	growBucketLen  = 4 // a bucket longer than this, in a full enough map, grows it
)

// NewTMap returns an empty map.
func NewTMap[K comparable, V any]() *TMap[K, V] {
	m := &TMap[K, V]{seed: maphash.MakeSeed()}
	m.table.c.Store(&cell[*table[K, V]]{val: &table[K, V]{buckets: make([]TRef[[]kv[K, V]], initialBuckets)}})
	return m
}

func (m *TMap[K, V]) bucket(tx *Tx, k K) (*TRef[[]kv[K, V]], *table[K, V]) {
	t := m.table.Get(tx)
	h := maphash.Comparable(m.seed, k)
	return &t.buckets[h&uint64(len(t.buckets)-1)], t
}

// Get returns the value of k in tx and true, or the zero value and false if
// k is not in the map.
func (m *TMap[K, V]) Get(tx *Tx, k K) (V, bool) {
	b, _ := m.bucket(tx, k)
	for _, e := range b.Get(tx) {
		if e.k == k {
			return e.v, true
		}
	}
	var zero V
	return zero, false
}

// Has reports whether k is in the map, in tx.
func (m *TMap[K, V]) Has(tx *Tx, k K) bool {
	_, ok := m.Get(tx, k)
	return ok
}

// Put sets the value of k to v in tx.
func (m *TMap[K, V]) Put(tx *Tx, k K, v V) {
	m.Update(tx, k, func(V, bool) (V, bool) { return v, true })
}

// Delete removes k from the map in tx and reports whether it was there.
func (m *TMap[K, V]) Delete(tx *Tx, k K) bool {
	var was bool
	m.Update(tx, k, func(_ V, ok bool) (V, bool) {
		was = ok
		var zero V
		return zero, false
	})
	return was
}

// Update sets k in tx to what f returns given its current value (and
// whether it is there): the new value, and false to remove k instead. It
// returns the new value and whether k is in the map afterwards.
func (m *TMap[K, V]) Update(tx *Tx, k K, f func(v V, ok bool) (V, bool)) (V, bool) {
	b, t := m.bucket(tx, k)
	old := b.Get(tx)
	i := 0
	for i < len(old) && old[i].k != k {
		i++
	}
	var cur V
	found := i < len(old)
	if found {
		cur = old[i].v
	}
	v, keep := f(cur, found)
	switch {
	case keep && found:
		next := append([]kv[K, V](nil), old...)
		next[i].v = v
		b.Set(tx, next)
	case keep:
		next := make([]kv[K, V], len(old), len(old)+1)
		copy(next, old)
		b.Set(tx, append(next, kv[K, V]{k, v}))
		tx.afterCommit(func() { m.count.Add(1) })
		if len(next) >= growBucketLen && m.count.Load() >= int64(2*len(t.buckets)) {
			m.grow(tx, t)
		}
	case found:
		next := make([]kv[K, V], 0, len(old)-1)
		next = append(append(next, old[:i]...), old[i+1:]...)
		b.Set(tx, next)
		tx.afterCommit(func() { m.count.Add(-1) })
	default:
		var zero V
		return zero, false
	}
	return v, keep
}

// grow doubles the buckets of t, in tx.
func (m *TMap[K, V]) grow(tx *Tx, t *table[K, V]) {
	nt := &table[K, V]{buckets: make([]TRef[[]kv[K, V]], 2*len(t.buckets))}
	mask := uint64(len(nt.buckets) - 1)
	staged := make([][]kv[K, V], len(nt.buckets))
	for i := range t.buckets {
		for _, e := range t.buckets[i].Get(tx) {
			j := maphash.Comparable(m.seed, e.k) & mask
			staged[j] = append(staged[j], e)
		}
	}
	for i, es := range staged {
		nt.buckets[i].c.Store(&cell[[]kv[K, V]]{val: es}) // private until the commit publishes nt
	}
	m.table.Set(tx, nt)
}

// Size returns the number of keys in the map, in tx. It reads every bucket.
func (m *TMap[K, V]) Size(tx *Tx) int {
	t := m.table.Get(tx)
	n := 0
	for i := range t.buckets {
		n += len(t.buckets[i].Get(tx))
	}
	return n
}

// All returns an iterator over the map's keys and values in tx, in no
// particular order. It reads every bucket; it must be used within the
// transaction function (it panics afterwards, as tx does).
func (m *TMap[K, V]) All(tx *Tx) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		t := m.table.Get(tx)
		for i := range t.buckets {
			for _, e := range t.buckets[i].Get(tx) {
				if !yield(e.k, e.v) {
					return
				}
			}
		}
	}
}
