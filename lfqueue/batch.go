package lfqueue

// TryPushBatch appends a prefix of vs, in order, and returns its length. A
// run of consecutive free slots (up to the end of the ring) is claimed with a
// single CAS of tail, so a batch costs one CAS per run plus one publishing
// store per element. It returns less than len(vs) only if the queue was full,
// or closed, at some instant during the call. Batches of different producers
// may interleave between runs; each batch's elements stay in order.
func (q *Queue[T]) TryPushBatch(vs []T) int {
	n := 0
	for n < len(vs) {
		pos, k, st := q.claimPush(uint64(len(vs)-n), claimTry)
		if st != claimOK {
			break
		}
		q.publish(pos, vs[n:n+int(k)])
		n += int(k)
	}
	return n
}

// TryPopBatch removes up to len(dst) of the oldest elements into dst, in FIFO
// order, and returns how many. A run of consecutive published slots (up to the
// end of the ring) is claimed with a single CAS of head. It returns less than
// len(dst) only if the queue became empty at some instant during the call.
// The slots are zeroed.
func (q *Queue[T]) TryPopBatch(dst []T) int {
	n := 0
	for n < len(dst) {
		pos, k, st := q.claimPop(uint64(len(dst)-n), claimTry)
		if st != claimOK {
			break
		}
		q.release(pos, dst[n:n+int(k)])
		n += int(k)
	}
	return n
}
