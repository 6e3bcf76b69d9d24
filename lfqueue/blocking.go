package lfqueue

import (
	"context"
	"iter"
	"sync/atomic"
	"unsafe"

	"github.com/lfkit/lfkit/internal/wait"
)

// Push appends v, waiting for room if the queue is full. It returns nil once
// v is in the queue, ErrClosed if the queue is or becomes closed first, or
// ctx.Err() if ctx is done first; in both error cases v was not pushed.
//
// While the queue is full, Push may first watch the slot it needs, but only
// while spinning can pay without taking CPU from the rest of the program
// (the process has an idle processor, and spinning has recently paid off;
// see the package documentation); then the goroutine parks until a pop
// makes room or the queue is closed, and uses no CPU while parked. Before
// it parks it may yield its processor a few times, but only while no
// consumer is parked: the consumers are then running and make room without
// being woken. If
// the slot it needs is held by a pop that is stopped in the middle of
// releasing it, Push polls with short sleeps until that pop resumes, and
// returns ctx.Err() if ctx ends first. ctx is consulted only when Push would
// wait: if there is room, Push succeeds even when ctx is already done (as
// golang.org/x/sync/semaphore does). Push does not allocate unless it
// parks. Push panics if ctx is nil.
func (q *Queue[T]) Push(ctx context.Context, v T) error {
	if ctx == nil {
		panic("lfqueue: Push called with nil Context")
	}
	// Fast path: claim tail and publish, written out as in TryPush (the
	// compiler inlines neither claimPushFast nor publish).
	tail := q.tail.Load()
	stamp, val := q.slot(tail & (q.mark - 1))
	if q.base != nil && stamp.Load() == tail && q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
		stall(stallQueuePushClaimed)
		*val = v
		storeRelease(stamp, tail+1)
		if q.poppers.Waiting.Load() != 0 { // ordered after the CAS, see claim.go
			q.poppers.WakeN(1)
		}
		return nil
	}
	return q.pushSlow(ctx, v)
}

// pushSlow is Push after its fast path could not claim: it retries, watches
// the slot, and parks.
func (q *Queue[T]) pushSlow(ctx context.Context, v T) error {
	var peer peerWait
	yields := 0
	for {
		pos, _, st := q.claimPush(1, claimWait)
		if st == claimFull {
			// The slot at pos still holds last lap's element: the queue
			// is full, or the element's consumer is moving it out.
			// Watch the slot (see pushWatch) for as long as the spin
			// policy allows, unless ctx is already done.
			if ctx.Err() == nil && q.pushSpin.wait(q.pushWatch(pos)) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if !q.fullAt(pos) {
				if q.tail.Load() != pos {
					continue // other pushes claimed pos and on, or Close: retry at once
				}
				// A consumer has claimed the slot and not released it
				// yet. It does not wake anyone when it does (its wake
				// check came before), so poll, with ctx in view.
				peer.snooze(pos)
				continue
			}
			if yieldForRoom(q.poppers.Waiting.Load() != 0, &yields) {
				continue
			}
			// Register, then recheck. A pop that claims after the
			// recheck (CAS of head) sees the registration and wakes a
			// waiter.
			q.pushers.Register()
			if !q.fullNow() {
				q.pushers.Cancel()
				continue
			}
			if err := q.pushers.Park(ctx); err != nil {
				return err
			}
			continue
		}
		switch st {
		case claimOK:
			q.publish(pos, unsafe.Slice(&v, 1))
			return nil
		case claimClosed:
			return ErrClosed
		}
	}
}

// Pop removes and returns the oldest element, waiting for one if the queue
// is empty. It returns ErrClosed once the queue is closed and empty, or
// ctx.Err() if ctx is done first; in both error cases nothing was removed.
//
// While the queue is empty, Pop waits as Push does: it may watch the slot
// it needs while spinning can pay, then parks until a push arrives or the
// queue is closed, and uses no CPU while parked; a push that arrives finds
// it parked and wakes it, as a channel send wakes a receiver. If the slot
// it needs was claimed by a push that is stopped before publishing it, Pop
// polls with short sleeps until that push resumes, and returns ctx.Err() if
// ctx ends first. ctx is consulted only when Pop would wait. Pop does not
// allocate unless it parks. Pop panics if ctx is nil.
func (q *Queue[T]) Pop(ctx context.Context) (v T, err error) {
	if ctx == nil {
		panic("lfqueue: Pop called with nil Context")
	}
	// Fast path: claim head and release, written out as in TryPop.
	head := q.head.Load()
	stamp, val := q.slot(head & (q.mark - 1))
	if q.base != nil && stamp.Load() == head+1 && q.head.CompareAndSwap(head, q.next(head, 1)) {
		stall(stallQueuePopClaimed)
		v = *val
		var zero T
		*val = zero
		storeRelease(stamp, head+q.oneLap)
		if q.pushers.Waiting.Load() != 0 { // ordered after the CAS, see claim.go
			q.pushers.WakeN(1)
		}
		return v, nil
	}
	return q.popSlow(ctx)
}

// popSlow is Pop after its fast path could not claim.
func (q *Queue[T]) popSlow(ctx context.Context) (v T, err error) {
	var peer peerWait
	for {
		pos, _, st := q.claimPop(1, claimWait)
		if st == claimEmpty {
			// Nothing published at pos yet: watch the slot until a
			// producer publishes into it, unless ctx is already done.
			if ctx.Err() == nil && q.popSpin.wait(q.stampOf(pos), pos, pos) {
				continue
			}
			switch tail := q.tail.Load(); {
			case tail == pos|q.mark:
				return v, ErrClosed // closed, and nothing claimed beyond head
			case tail != pos:
				if q.head.Load() != pos {
					continue // other pops took pos: retry at once
				}
				// A producer has claimed pos and not published it yet:
				// poll, with ctx in view.
				if err := ctx.Err(); err != nil {
					return v, err
				}
				peer.snooze(pos)
				continue
			}
			if err := ctx.Err(); err != nil {
				return v, err
			}
			q.poppers.Register()
			if !q.emptyNow() {
				q.poppers.Cancel()
				continue
			}
			if err := q.poppers.Park(ctx); err != nil {
				return v, err
			}
			continue
		}
		switch st {
		case claimOK:
			q.release(pos, unsafe.Slice(&v, 1))
			return v, nil
		case claimClosed:
			return v, ErrClosed
		}
	}
}

// peerWait paces a blocked Push or Pop whose slot is held by a peer in the
// middle of a step (a push that claimed it and has not published, a pop that
// claimed it and has not released): it backs off from spinning to yielding
// to short sleeps (wait.Backoff.Snooze) while the same position stays held,
// and starts over at a new position, so that one slow peer does not make
// every later wait of the same call sleep.
type peerWait struct {
	pos uint64
	b   wait.Backoff
}

func (w *peerWait) snooze(pos uint64) {
	if pos != w.pos {
		w.pos, w.b = pos, wait.Backoff{}
	}
	w.b.Snooze()
}

// pushWatch returns what a Push blocked at position pos (pos's slot still
// holds last lap's element) watches while it spins, in the form
// spinLimit.wait takes: a stamp, the value it holds while the Push should
// keep waiting, and pos.
//
// It watches the last position of pos's run of q.slotsPerRange consecutive positions
// (clamped to the ring's end), which with the Compact layout share a cache
// line: the producer waits for the consumers to leave the line before it
// writes there, instead of taking the line back after every pop. If that
// slot has been released already (its consumer overtook the one of pos's
// slot, which may be stopped in the middle of its release), it watches
// pos's own slot instead, so that the wait cannot return at once, again and
// again, without the slot it needs having changed. It only shapes the spin
// phase: the Push claims pos as soon as it is free, and decides exactly
// before it parks.
func (q *Queue[T]) pushWatch(pos uint64) (*atomic.Uint64, uint64, uint64) {
	index := pos & (q.mark - 1)
	end := pos + min(index|(q.slotsPerRange-1), q.cap-1) - index
	if stamp := q.stampOf(end); stamp.Load() == end+1-q.oneLap {
		return stamp, end + 1 - q.oneLap, pos
	}
	return q.stampOf(pos), pos + 1 - q.oneLap, pos
}

// fullAt reports whether a push that found position pos's slot holding last
// lap's element found the queue full: head is a whole lap behind pos (head
// is read after the slot, and tail cannot run further ahead of head). If
// not, the slot's consumer has claimed it and is releasing it.
func (q *Queue[T]) fullAt(pos uint64) bool { return q.head.Load()+q.oneLap == pos }

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
	if q.oneLap == 0 {
		panic(notNewMsg)
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
