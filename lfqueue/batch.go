package lfqueue

import "github.com/lfkit/lfkit/internal/wait"

// TryPushBatch appends a prefix of vs, in order, and returns its length. A
// run of consecutive free slots (up to the end of the ring) is claimed with a
// single CAS of tail, so a batch costs one CAS per run plus one publishing
// store per element. It returns less than len(vs) only if the queue was full,
// or closed, at some instant during the call. Batches of different producers
// may interleave between runs; each batch's elements stay in order.
func (q *Queue[T]) TryPushBatch(vs []T) int {
	n := 0
	for n < len(vs) {
		k := q.pushRun(vs[n:])
		if k == 0 {
			break
		}
		n += k
	}
	if n > 0 && q.poppers.Any() {
		q.poppers.WakeN(n)
	}
	return n
}

// pushRun pushes up to len(vs) > 0 elements into consecutive slots without
// wrapping, with one CAS; it returns 0 when full or closed.
func (q *Queue[T]) pushRun(vs []T) int {
	var b wait.Backoff
	tail := q.tail.Load()
	for {
		if tail&q.mark != 0 {
			return 0
		}
		index := tail & (q.mark - 1)
		stamp, _ := q.slot(index)
		s := stamp.Load()
		switch {
		case s == tail:
			// Count the free slots that follow, up to the ring's end. A
			// slot whose stamp is its position can change only when its
			// position is claimed, so if the CAS below succeeds all k
			// slots are ours.
			limit := min(uint64(len(vs)), q.cap-index)
			k := uint64(1)
			for k < limit {
				st, _ := q.slot(index + k)
				if st.Load() != tail+k {
					break
				}
				k++
			}
			if q.tail.CompareAndSwap(tail, q.next(tail, k)) {
				for j := uint64(0); j < k; j++ {
					st, val := q.slot(index + j)
					*val = vs[j]
					st.Store(tail + j + 1)
				}
				return int(k)
			}
			b.Spin()
		case s+q.oneLap == tail+1:
			if q.head.Load()+q.oneLap == tail {
				return 0
			}
			b.Snooze()
		default:
			b.Snooze()
		}
		tail = q.tail.Load()
	}
}

// TryPopBatch removes up to len(dst) of the oldest elements into dst, in FIFO
// order, and returns how many. A run of consecutive published slots (up to the
// end of the ring) is claimed with a single CAS of head. It returns less than
// len(dst) only if the queue became empty at some instant during the call.
// The slots are zeroed.
func (q *Queue[T]) TryPopBatch(dst []T) int {
	n := 0
	for n < len(dst) {
		k := q.popRun(dst[n:])
		if k == 0 {
			break
		}
		n += k
	}
	if n > 0 && q.pushers.Any() {
		q.pushers.WakeN(n)
	}
	return n
}

// popRun pops up to len(dst) > 0 elements from consecutive slots without
// wrapping, with one CAS; it returns 0 when empty.
func (q *Queue[T]) popRun(dst []T) int {
	var b wait.Backoff
	head := q.head.Load()
	for {
		index := head & (q.mark - 1)
		stamp, _ := q.slot(index)
		s := stamp.Load()
		switch {
		case s == head+1:
			// A published slot stays published until its position is
			// claimed, so if the CAS succeeds all k slots are ours.
			limit := min(uint64(len(dst)), q.cap-index)
			k := uint64(1)
			for k < limit {
				st, _ := q.slot(index + k)
				if st.Load() != head+k+1 {
					break
				}
				k++
			}
			if q.head.CompareAndSwap(head, q.next(head, k)) {
				var zero T
				for j := uint64(0); j < k; j++ {
					st, val := q.slot(index + j)
					dst[j] = *val
					*val = zero
					st.Store(head + j + q.oneLap)
				}
				return int(k)
			}
			b.Spin()
		case s == head:
			if tail := q.tail.Load(); tail&^q.mark == head {
				return 0
			}
			b.Snooze()
		default:
			b.Snooze()
		}
		head = q.head.Load()
	}
}
