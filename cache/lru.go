package cache

// lru is the list of the entries that hold a stored exit, most recently
// used first: an intrusive doubly linked list, so that a hit moves its
// entry in O(1) without allocating.
type lru[K comparable, V, E any] struct {
	head, tail *entry[K, V, E]
	n          int
}

// pushFront adds e, which is not in the list, at the front.
func (l *lru[K, V, E]) pushFront(e *entry[K, V, E]) {
	e.prev, e.next = nil, l.head
	if l.head != nil {
		l.head.prev = e
	} else {
		l.tail = e
	}
	l.head = e
	l.n++
}

// remove takes e, which is in the list, out of it.
func (l *lru[K, V, E]) remove(e *entry[K, V, E]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = nil, nil
	l.n--
}

// moveToFront makes e, which is in the list, its first element.
func (l *lru[K, V, E]) moveToFront(e *entry[K, V, E]) {
	if l.head == e {
		return
	}
	l.remove(e)
	l.pushFront(e)
}

// back returns the least recently used entry, or nil.
func (l *lru[K, V, E]) back() *entry[K, V, E] { return l.tail }
