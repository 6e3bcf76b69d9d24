package lfqueue

import (
	"context"
	"iter"
	"sync/atomic"
	"unsafe"
)

// Push appends v, waiting for room if the queue is full. It returns nil once
// v is in the queue, ErrClosed if the queue is or becomes closed first, or
// ctx.Err() if ctx is done first; in both error cases v was not pushed.
//
// While the queue is full, Push first watches the slot it needs for a short,
// adaptive while (spinning as long as spinning has recently paid off, see the
// package documentation); after that the goroutine parks until a pop makes
// room or the queue is closed, and uses no CPU while parked. ctx is
// consulted only when Push would wait: if there is room, Push succeeds even
// when ctx is already done (as golang.org/x/sync/semaphore does). Push does
// not allocate unless it parks. Push panics if ctx is nil.
func (q *Queue[T]) Push(ctx context.Context, v T) error {
	if ctx == nil {
		panic("lfqueue: Push called with nil Context")
	}
	// Fast path: claim tail and publish, written out as in TryPush (the
	// compiler inlines neither claimPushFast nor publish). Against the same
	// code going through claimPush and publish, in 4 interleaved rounds
	// (saturated handoff of int, -cpu 2, 2-vCPU host), it took 1x1 from
	// 22.2-23.8 to 18.9-22.3 ns per item, 2x2 from 26.1-27.0 to 19.5-21.2
	// and 8x8 from 21.8-22.8 to 18.2-21.4.
	tail := q.tail.Load()
	stamp, val := q.slot(tail & (q.mark - 1))
	if q.base != nil && stamp.Load() == tail && q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
		stall(stallQueuePushClaimed)
		wake := q.poppers.Waiting.Load() != 0 // ordered by the CAS, see claim.go
		*val = v
		storeRelease(stamp, tail+1)
		if wake {
			q.poppers.WakeN(1)
		}
		return nil
	}
	return q.pushSlow(ctx, v)
}

// pushSlow is Push after its fast path could not claim: it retries, watches
// the slot, and parks.
func (q *Queue[T]) pushSlow(ctx context.Context, v T) error {
	for {
		pos, _, st := q.claimPush(1, claimWait)
		if st == claimFull {
			// The slot at pos still holds last lap's element. Watch it
			// until its consumer releases it, for as long as the spin
			// limit allows, unless ctx is already done.
			if w := q.pushWatch(pos); ctx.Err() == nil && q.pushSpin.wait(q.stampOf(w), w+1-q.oneLap, pos) {
				continue
			}
			// Decide exactly: full, or room after all.
			pos, _, st = q.claimPush(1, claimTry)
		}
		switch st {
		case claimOK:
			q.publish(pos, unsafe.Slice(&v, 1))
			return nil
		case claimClosed:
			return ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Register, then recheck. A pop that claims after the recheck
		// (CAS of head) sees the registration and wakes a waiter.
		w := q.pushers.Register()
		if !q.fullNow() {
			q.pushers.Cancel(w)
			continue
		}
		if err := q.pushers.Park(ctx, w); err != nil {
			return err
		}
	}
}

// Pop removes and returns the oldest element, waiting for one if the queue
// is empty. It returns ErrClosed once the queue is closed and empty, or
// ctx.Err() if ctx is done first; in both error cases nothing was removed.
//
// While the queue is empty, Pop first watches the slot it needs for a short,
// adaptive while; after that the goroutine parks until a push arrives or the
// queue is closed, and uses no CPU while parked. ctx is consulted only when
// Pop would wait. Pop does not allocate unless it parks. Pop panics if ctx is
// nil.
func (q *Queue[T]) Pop(ctx context.Context) (v T, err error) {
	if ctx == nil {
		panic("lfqueue: Pop called with nil Context")
	}
	// Fast path: claim head and release, written out as in TryPop.
	head := q.head.Load()
	stamp, val := q.slot(head & (q.mark - 1))
	if q.base != nil && stamp.Load() == head+1 && q.head.CompareAndSwap(head, q.next(head, 1)) {
		stall(stallQueuePopClaimed)
		wake := q.pushers.Waiting.Load() != 0 // ordered by the CAS, see claim.go
		v = *val
		var zero T
		*val = zero
		storeRelease(stamp, head+q.oneLap)
		if wake {
			q.pushers.WakeN(1)
		}
		return v, nil
	}
	return q.popSlow(ctx)
}

// popSlow is Pop after its fast path could not claim.
func (q *Queue[T]) popSlow(ctx context.Context) (v T, err error) {
	for {
		pos, _, st := q.claimPop(1, claimWait)
		if st == claimEmpty {
			// Nothing published at pos yet: watch the slot until a
			// producer publishes into it, unless ctx is already done.
			if ctx.Err() == nil && q.popSpin.wait(q.stampOf(pos), pos, pos) {
				continue
			}
			// Decide exactly: empty, closed, or an element after all.
			pos, _, st = q.claimPop(1, claimTry)
		}
		switch st {
		case claimOK:
			q.release(pos, unsafe.Slice(&v, 1))
			return v, nil
		case claimClosed:
			return v, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return v, err
		}
		w := q.poppers.Register()
		if !q.emptyNow() {
			q.poppers.Cancel(w)
			continue
		}
		if err := q.poppers.Park(ctx, w); err != nil {
			return v, err
		}
	}
}

// pushWatch returns the position whose slot a Push blocked at position pos
// (full: pos's slot still holds last lap's element) watches while it spins:
// the last position of pos's run of q.run consecutive positions (clamped to
// the ring's end). With the Compact layout a run shares a cache line, so the
// producer waits for the consumers to leave the line before it writes there,
// instead of taking the line back after every pop (saturated 1x1 handoff of
// int at -cpu 2: 24-27 ns per item instead of 29-32). It only delays the
// spin phase: the
// blocked Push then claims pos as soon as it is free, decides exactly with
// the try claim before it parks, and a run of 1 watches pos itself.
func (q *Queue[T]) pushWatch(pos uint64) uint64 {
	index := pos & (q.mark - 1)
	end := min(index|(q.run-1), q.cap-1)
	return pos + (end - index)
}

// stampOf returns the stamp of position pos's slot.
func (q *Queue[T]) stampOf(pos uint64) *atomic.Uint64 {
	stamp, _ := q.slot(pos & (q.mark - 1))
	return stamp
}

// emptyNow is a waiting Pop's recheck after it registered: the queue is open
// and no position is claimed for pushing beyond head (a claimed but not yet
// published position counts as "not empty": its producer's claim came before
// this load, so it may have missed the registration and will not wake us,
// and the waiter retries instead).
func (q *Queue[T]) emptyNow() bool {
	head := q.head.Load()
	return q.tail.Load() == head // a closed tail has the mark: never equal
}

// fullNow is a waiting Push's recheck: the queue is open and tail is a whole
// lap ahead of head, so every slot is claimed by a push and none by a pop.
func (q *Queue[T]) fullNow() bool {
	head := q.head.Load()
	return q.tail.Load() == head+q.oneLap
}

// All returns an iterator over the elements popped from q, for use with
// range, like ranging over a channel: each iteration blocks in Pop, and the
// loop ends when the queue is closed and drained, or as soon as ctx is done
// (checked before every element, even while elements keep arriving).
// Breaking out of the loop loses nothing: an element is popped only to be
// yielded. All panics if ctx is nil.
func (q *Queue[T]) All(ctx context.Context) iter.Seq[T] {
	if ctx == nil {
		panic("lfqueue: All called with nil Context")
	}
	return popAll(ctx, q.Pop)
}

// popAll is All for any queue's Pop: it yields popped elements until pop
// fails (closed and drained, or ctx done) or the loop breaks, and checks ctx
// before every element, so that a queue that never drains cannot keep it
// running after ctx is done.
func popAll[T any](ctx context.Context, pop func(context.Context) (T, error)) iter.Seq[T] {
	return func(yield func(T) bool) {
		done := ctx.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			v, err := pop(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}
