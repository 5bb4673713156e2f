package stream

// ring is a FIFO ring buffer that grows on demand up to a capacity (or
// without limit when the capacity is negative). Popped slots are zeroed so
// the buffer holds no stale references.
type ring[A any] struct {
	buf  []A
	head int
	n    int
}

func (r *ring[A]) grow(need, capacity int) {
	if need <= len(r.buf) {
		return
	}
	size := max(2*len(r.buf), 16, need)
	if capacity >= 0 {
		size = min(size, capacity)
	}
	buf := make([]A, size)
	r.copyOut(buf)
	r.buf, r.head = buf, 0
}

// copyOut copies the buffered elements, oldest first, into dst.
func (r *ring[A]) copyOut(dst []A) {
	if r.n == 0 {
		return
	}
	end := r.head + r.n
	if end <= len(r.buf) {
		copy(dst, r.buf[r.head:end])
		return
	}
	k := copy(dst, r.buf[r.head:])
	copy(dst[k:], r.buf[:end-len(r.buf)])
}

func (r *ring[A]) push(a A, capacity int) {
	if r.n == len(r.buf) {
		r.grow(r.n+1, capacity)
	}
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = a
	r.n++
}

func (r *ring[A]) pushAll(as []A, capacity int) {
	if len(as) == 0 {
		return
	}
	r.grow(r.n+len(as), capacity)
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	k := copy(r.buf[i:], as)
	copy(r.buf, as[k:])
	r.n += len(as)
}

func (r *ring[A]) pop() A {
	var zero A
	a := r.buf[r.head]
	r.buf[r.head] = zero
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return a
}

// popN removes and returns up to max elements, oldest first, in a new slice.
func (r *ring[A]) popN(max int) []A {
	k := min(max, r.n)
	out := make([]A, k)
	n := r.n
	r.n = k
	r.copyOut(out)
	r.n = n
	r.dropFront(k)
	return out
}

// dropFront removes up to k of the oldest elements and returns how many it
// removed.
func (r *ring[A]) dropFront(k int) int {
	k = min(k, r.n)
	var zero A
	for range k {
		r.buf[r.head] = zero
		r.head++
		if r.head == len(r.buf) {
			r.head = 0
		}
	}
	r.n -= k
	if r.n == 0 {
		r.head = 0
	}
	return k
}
