package lfqueue

import (
	"unsafe"

	"github.com/lfkit/lfkit/internal/wait"
)

// This file is the one home of the stamp protocol. Every operation is built
// from two steps, as crossbeam-channel's array flavor splits start_send and
// write:
//
//   - a claim step (claimPush, claimPop) that reserves a run of positions
//     with one CAS on tail or head, or reports why it cannot (full, empty,
//     closed);
//   - a publish or release step (publish, release, evict) that moves the
//     values and hands each slot to the other side by storing its stamp.
//
// The try, blocking, force and batch operations differ only in what they do
// when the claim step cannot claim.
//
// Wake protocol. Blocked goroutines park on q.poppers or q.pushers (see
// blocking.go). A waiter registers first and then rechecks that head and tail
// still show the queue empty (or full); the claimer loads "anyone waiting?"
// after its claiming CAS. Registration, the CAS and both loads are
// sequentially consistent atomics, so either the waiter's recheck sees the
// claim or the claimer's load sees the registration. The stamp store that
// publishes the slot takes no part in this argument: it may be a release
// store (storeRelease), which orders nothing after it.

// claimMode says what a claim step does when it cannot claim at once.
type claimMode uint8

const (
	// claimTry decides exactly: full (empty) is reported only if the queue
	// was full (empty) at an instant during the call; a peer in the middle
	// of a step on the needed slot is waited for.
	claimTry claimMode = iota
	// claimForce is claimTry for pushes, except that a slot still holding
	// last lap's element is claimed (claimEvict).
	claimForce
	// claimWait is for Push and Pop, which wait anyway: as soon as the
	// needed slot is not ready it reports full (empty) without reading the
	// other side's counter, so that waiting does not pull that counter's
	// cache line away from the side that writes it. The caller watches the
	// slot's stamp, and decides with claimTry before it parks or returns.
	claimWait
)

// claimStatus is the result of a claim step.
type claimStatus uint8

const (
	claimOK     claimStatus = iota // positions claimed
	claimFull                      // push: the queue was full at an instant during the claim
	claimEmpty                     // pop: the queue was empty at an instant during the claim
	claimClosed                    // push: closed; pop: closed and empty
	claimEvict                     // force push: claimed a slot that still holds last lap's element
)

// notNewMsg is the panic value of every method called on a Queue not made by New.
const notNewMsg = "lfqueue: Queue used without New (the zero value is not usable)"

// claimPush claims up to max >= 1 consecutive positions starting at tail,
// without wrapping past the ring's end, with one CAS of tail. It returns the
// first position and how many it claimed. A slot that still holds last lap's
// element means full when head is a whole lap behind, and otherwise a
// consumer still moving the old value out, which is waited for; mode changes
// that (see claimMode).
func (q *Queue[T]) claimPush(max uint64, mode claimMode) (tail, k uint64, st claimStatus) {
	if max == 1 {
		if tail, ok := q.claimPushFast(); ok {
			return tail, 1, claimOK
		}
	}
	return q.claimPushLoop(max, mode)
}

// claimPushFast is the claim step's first attempt for one position, without
// the loop's setup: it claims tail if its slot is free for it and the CAS
// wins, and otherwise reports false (the caller then runs claimPushLoop,
// which also handles full, closed and the zero Queue). TryPush has a copy of
// it written out, since the compiler does not inline it.
func (q *Queue[T]) claimPushFast() (tail uint64, ok bool) {
	tail = q.tail.Load()
	if q.base == nil {
		return tail, false
	}
	stamp, _ := q.slot(tail & (q.mark - 1))
	if stamp.Load() != tail || !q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
		return tail, false
	}
	stall(stallQueuePushClaimed)
	return tail, true
}

// claimPushLoop is claimPush's general case.
func (q *Queue[T]) claimPushLoop(max uint64, mode claimMode) (tail, k uint64, st claimStatus) {
	if q.base == nil {
		panic(notNewMsg)
	}
	var b wait.Backoff
	tail = q.tail.Load()
	for {
		if tail&q.mark != 0 {
			return tail, 0, claimClosed
		}
		index := tail & (q.mark - 1)
		stamp, _ := q.slot(index)
		s := stamp.Load()
		switch {
		case s == tail:
			// Count the free slots that follow, up to the ring's end. A
			// slot whose stamp is its position changes only when that
			// position is claimed, so if the CAS succeeds all k are ours.
			k = 1
			if max > 1 {
				limit := min(max, q.cap-index)
				for k < limit {
					st, _ := q.slot(index + k)
					if st.Load() != tail+k {
						break
					}
					k++
				}
			}
			if q.tail.CompareAndSwap(tail, q.next(tail, k)) {
				stall(stallQueuePushClaimed)
				return tail, k, claimOK
			}
			b.Spin() // lost the race to another producer: retry
		case s+q.oneLap == tail+1:
			// The slot still holds last lap's value.
			if mode == claimWait {
				return tail, 0, claimFull // full, or a consumer is releasing it
			}
			if mode == claimForce {
				// Claim tail first. While the stamp says "full" no
				// producer or batch can claim this position, so the CAS
				// races only with Close and other ForcePushes; and with
				// tail claimed before head moves, Len never sees fewer
				// than Cap elements in a queue kept full.
				if q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
					stall(stallQueuePushClaimed)
					return tail, 1, claimEvict
				}
				b.Spin()
				break
			}
			// If head is a whole lap behind tail, the queue is full right
			// now (head was read after tail, and tail cannot run further
			// ahead of head).
			if q.head.Load()+q.oneLap == tail {
				return tail, 0, claimFull
			}
			b.Snooze() // a consumer is moving the value out: wait for it
		default:
			b.Snooze() // tail was stale
		}
		tail = q.tail.Load()
	}
}

// claimPop claims up to max >= 1 consecutive published positions starting
// at head, without wrapping past the ring's end, with one CAS of head. A
// producer that has claimed head but not yet published it is waited for.
func (q *Queue[T]) claimPop(max uint64, mode claimMode) (head, k uint64, st claimStatus) {
	if max == 1 {
		if head, ok := q.claimPopFast(); ok {
			return head, 1, claimOK
		}
	}
	return q.claimPopLoop(max, mode)
}

// claimPopFast is the claim step's first attempt for one position, as
// claimPushFast is for pushes (TryPop has a copy of it written out).
func (q *Queue[T]) claimPopFast() (head uint64, ok bool) {
	head = q.head.Load()
	if q.base == nil {
		return head, false
	}
	stamp, _ := q.slot(head & (q.mark - 1))
	if stamp.Load() != head+1 || !q.head.CompareAndSwap(head, q.next(head, 1)) {
		return head, false
	}
	stall(stallQueuePopClaimed)
	return head, true
}

// claimPopLoop is claimPop's general case.
func (q *Queue[T]) claimPopLoop(max uint64, mode claimMode) (head, k uint64, st claimStatus) {
	if q.base == nil {
		panic(notNewMsg)
	}
	var b wait.Backoff
	head = q.head.Load()
	for {
		index := head & (q.mark - 1)
		stamp, _ := q.slot(index)
		s := stamp.Load()
		switch {
		case s == head+1:
			// A published slot stays published until its position is
			// claimed, so if the CAS succeeds all k slots are ours.
			k = 1
			if max > 1 {
				limit := min(max, q.cap-index)
				for k < limit {
					st, _ := q.slot(index + k)
					if st.Load() != head+k+1 {
						break
					}
					k++
				}
			}
			if q.head.CompareAndSwap(head, q.next(head, k)) {
				stall(stallQueuePopClaimed)
				return head, k, claimOK
			}
			b.Spin()
		case s == head:
			// Nothing published at head. Empty if tail is at head too;
			// otherwise a producer has claimed head and is writing.
			if mode == claimWait {
				return head, 0, claimEmpty // empty, or a producer is writing
			}
			if tail := q.tail.Load(); tail&^q.mark == head {
				if tail&q.mark != 0 {
					return head, 0, claimClosed
				}
				return head, 0, claimEmpty
			}
			b.Snooze()
		default:
			b.Snooze() // head was stale
		}
		head = q.head.Load()
	}
}

// publish writes vs into the len(vs) slots claimed from position pos and
// hands each to consumers, then wakes up to len(vs) parked Pops.
func (q *Queue[T]) publish(pos uint64, vs []T) {
	index := pos & (q.mark - 1)
	for j := range vs {
		stamp, val := q.slot(index + uint64(j))
		*val = vs[j]
		storeRelease(stamp, pos+uint64(j)+1)
	}
	if q.poppers.Waiting.Load() != 0 { // ordered by the claiming CAS, see above
		q.poppers.WakeN(len(vs))
	}
}

// release moves the len(dst) values claimed from position pos into dst,
// zeroes their slots so the GC can free what they referenced, and hands each
// slot to the producer of the next lap; then it wakes up to len(dst) parked
// Pushes.
func (q *Queue[T]) release(pos uint64, dst []T) {
	index := pos & (q.mark - 1)
	var zero T
	for j := range dst {
		stamp, val := q.slot(index + uint64(j))
		dst[j] = *val
		*val = zero
		storeRelease(stamp, pos+uint64(j)+q.oneLap)
	}
	if q.pushers.Waiting.Load() != 0 { // ordered by the claiming CAS, see above
		q.pushers.WakeN(len(dst))
	}
}

// evict finishes a force push that claimed position tail while its slot
// still held the element of position tail-oneLap. Either it takes that
// element's position as a consumer would (CAS on head) and swaps in *v, or a
// consumer took it first, and it waits for the slot's release and publishes
// *v as an ordinary push.
func (q *Queue[T]) evict(tail uint64, v *T) (old T, evicted bool) {
	var b wait.Backoff
	stamp, val := q.slot(tail & (q.mark - 1))
	oldPos := tail - q.oneLap
	for {
		if stamp.Load() == tail {
			q.publish(tail, unsafe.Slice(v, 1))
			return old, false
		}
		if q.head.CompareAndSwap(oldPos, q.next(oldPos, 1)) {
			stall(stallQueuePopClaimed)
			old = *val
			*val = *v
			storeRelease(stamp, tail+1)
			return old, true
		}
		b.Snooze() // a consumer holds the old element: wait for its release
	}
}
