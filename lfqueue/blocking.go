package lfqueue

import (
	"context"
	"iter"

	"github.com/lfkit/lfkit/internal/wait"
)

// Push appends v, waiting for room if the queue is full. It returns nil once
// v is in the queue, ErrClosed if the queue is or becomes closed first, or
// ctx.Err() if ctx is done first; in both error cases v was not pushed.
//
// A full queue is first retried for a short while (spinning for about a
// microsecond); after that the goroutine parks until a pop makes room, and
// uses no CPU while parked. ctx is consulted only when Push would block: if
// there is room, Push succeeds even when ctx is already done (as
// golang.org/x/sync/semaphore does). Push does not allocate unless it parks.
func (q *Queue[T]) Push(ctx context.Context, v T) error {
	var b wait.Backoff
	for {
		switch q.push(&v) {
		case ok:
			if q.poppers.Any() {
				q.poppers.WakeOne()
			}
			return nil
		case closed:
			return ErrClosed
		}
		if waitBriefly(&b) {
			continue
		}
		// Register, then recheck: a pop that makes room after the
		// recheck sees the registration and wakes a waiter.
		w := q.pushers.Register()
		switch q.push(&v) {
		case ok:
			q.pushers.Cancel(w)
			if q.poppers.Any() {
				q.poppers.WakeOne()
			}
			return nil
		case closed:
			q.pushers.Cancel(w)
			return ErrClosed
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
// An empty queue is first retried for a short while (spinning for about a
// microsecond); after that the goroutine parks until a push arrives or the
// queue is closed, and uses no CPU while parked. ctx is consulted only when
// Pop would block. Pop does not allocate unless it parks.
func (q *Queue[T]) Pop(ctx context.Context) (T, error) {
	var b wait.Backoff
	for {
		var v T
		switch q.pop(&v) {
		case ok:
			if q.pushers.Any() {
				q.pushers.WakeOne()
			}
			return v, nil
		case closed:
			return v, ErrClosed
		}
		if waitBriefly(&b) {
			continue
		}
		w := q.poppers.Register()
		switch q.pop(&v) {
		case ok:
			q.poppers.Cancel(w)
			if q.pushers.Any() {
				q.pushers.WakeOne()
			}
			return v, nil
		case closed:
			q.poppers.Cancel(w)
			return v, ErrClosed
		}
		if err := q.poppers.Park(ctx, w); err != nil {
			return v, err
		}
	}
}

// blockSpins is how many growing spins (wait.Backoff.Spin, up to about
// a microsecond in all) Push and Pop try before they park. They spin rather
// than yield: runtime.Gosched goes through the scheduler's global run queue
// lock, which costs more than it saves when both sides are busy.
const blockSpins = 16

// waitBriefly waits a little before the caller retries, and reports false
// when the caller should park instead.
func waitBriefly(b *wait.Backoff) bool {
	if b.Tries() >= blockSpins {
		return false
	}
	b.Spin()
	return true
}

// All returns an iterator over the elements popped from q, for use with
// range, like ranging over a channel: each iteration blocks in Pop, and the
// loop ends when the queue is closed and drained or ctx is done. Breaking out
// of the loop loses nothing: an element is popped only to be yielded.
func (q *Queue[T]) All(ctx context.Context) iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, err := q.Pop(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}
