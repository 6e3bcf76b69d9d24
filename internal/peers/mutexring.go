package peers

import (
	"context"
	"sync"
)

// MutexRing is the bounded FIFO queue many programs write by hand: a
// slice used as a ring under a sync.Mutex, with two sync.Conds for the
// operations that wait, each signalled only when a goroutine waits on
// it, and batch forms that move a batch under one lock. Its capacity is
// exact. It is safe for concurrent use by any number of goroutines.
//
// A MutexRing is a value that refers to its ring, as a channel does:
// copies share it, and NewMutexRing makes one (the zero value has no
// ring). Its methods take it by value, as Chan's do, so that a caller
// holds one word for either and pays the same for each call.
type MutexRing[T any] struct{ r *ring[T] }

// ring is the state of a MutexRing.
type ring[T any] struct {
	mu sync.Mutex // guards every field below

	// notEmpty and notFull use mu. popWait and pushWait count the
	// goroutines waiting on each, so that a push or pop signals only
	// when someone waits.
	notEmpty, notFull sync.Cond
	popWait, pushWait int

	// The elements are buf[head], buf[head+1], … (indices modulo
	// len(buf)), n of them, oldest first. Every other slot holds the
	// zero value, so the ring keeps alive nothing it no longer holds.
	buf     []T
	head, n int

	// limit is len(buf) while the ring is open and 0 once it is closed,
	// so the one test n >= limit of a push also sends a push on a closed
	// ring to the branch for a full one, where closed is checked.
	limit  int
	closed bool
}

// errPushClosed is the panic of a push on a closed ring.
const errPushClosed = "peers: push on a closed MutexRing"

// NewMutexRing returns an empty ring with room for exactly capacity
// elements. It panics if capacity < 1.
func NewMutexRing[T any](capacity int) MutexRing[T] {
	checkCapacity("NewMutexRing", capacity)
	r := &ring[T]{buf: make([]T, capacity), limit: capacity}
	r.notEmpty.L = &r.mu
	r.notFull.L = &r.mu
	return MutexRing[T]{r}
}

// put appends v; r.mu is held and r.n < r.limit.
func (r *ring[T]) put(v T) {
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = v
	r.n++
}

// take removes the oldest element and zeroes its slot; r.mu is held and
// r.n > 0.
func (r *ring[T]) take() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v
}

// pushed wakes a waiting consumer after a push; r.mu is held.
func (r *ring[T]) pushed() {
	if r.popWait > 0 {
		r.notEmpty.Signal()
	}
}

// popped wakes a waiting producer after a pop; r.mu is held.
func (r *ring[T]) popped() {
	if r.pushWait > 0 {
		r.notFull.Signal()
	}
}

// refusePush ends a try push that found no room: r.mu is held and
// r.n >= r.limit. It releases r.mu, and panics if the ring is closed.
func (r *ring[T]) refusePush() {
	closed := r.closed
	r.mu.Unlock()
	if closed {
		panic(errPushClosed)
	}
}

// awaitRoom waits on notFull until the ring has room; r.mu is held, and
// is held again when it returns. It panics, with r.mu released, if the
// ring is closed or closes while it waits.
func (r *ring[T]) awaitRoom() {
	for r.n >= r.limit {
		if r.closed {
			r.mu.Unlock()
			panic(errPushClosed)
		}
		r.pushWait++
		r.notFull.Wait()
		r.pushWait--
	}
}

// awaitItems waits on notEmpty while the ring is empty and open; r.mu is
// held, and is held again when it returns. It reports whether the ring
// holds an element: false means it is closed and empty.
func (r *ring[T]) awaitItems() bool {
	for r.n == 0 {
		if r.closed {
			return false
		}
		r.popWait++
		r.notEmpty.Wait()
		r.popWait--
	}
	return true
}

// TryPush appends v if the ring has room and reports whether it did; it
// never waits. It panics if the ring is closed.
func (q MutexRing[T]) TryPush(v T) bool {
	r := q.r
	r.mu.Lock()
	if r.n >= r.limit {
		r.refusePush()
		return false
	}
	r.put(v)
	r.pushed()
	r.mu.Unlock()
	return true
}

// TryPop removes and returns the oldest element if there is one; it never
// waits. ok is false if the ring is empty.
func (q MutexRing[T]) TryPop() (T, bool) {
	r := q.r
	r.mu.Lock()
	if r.n == 0 {
		r.mu.Unlock()
		var zero T
		return zero, false
	}
	v := r.take()
	r.popped()
	r.mu.Unlock()
	return v, true
}

// Push appends v, waiting while the ring is full. It panics if the ring
// is closed, or closes while Push waits.
func (q MutexRing[T]) Push(v T) {
	r := q.r
	r.mu.Lock()
	if r.n >= r.limit {
		r.awaitRoom()
	}
	r.put(v)
	r.pushed()
	r.mu.Unlock()
}

// PushWaited is Push that reports whether the ring was full when it was
// called, so that Push had to wait: one backpressure event, counted
// under the same lock as the push.
func (q MutexRing[T]) PushWaited(v T) (waited bool) {
	r := q.r
	r.mu.Lock()
	if waited = r.n >= r.limit; waited {
		r.awaitRoom()
	}
	r.put(v)
	r.pushed()
	r.mu.Unlock()
	return waited
}

// Pop removes and returns the oldest element, waiting while the ring is
// empty. Once the ring is closed and empty it returns the zero value, as
// a receive from a closed channel does.
func (q MutexRing[T]) Pop() T {
	r := q.r
	r.mu.Lock()
	if r.n == 0 && !r.awaitItems() {
		r.mu.Unlock()
		var zero T
		return zero
	}
	v := r.take()
	r.popped()
	r.mu.Unlock()
	return v
}

// PopOK is Pop with a receive's second result: ok is false once the ring
// is closed and empty.
func (q MutexRing[T]) PopOK() (v T, ok bool) {
	r := q.r
	r.mu.Lock()
	if ok = r.n > 0 || r.awaitItems(); ok {
		v = r.take()
		r.popped()
	}
	r.mu.Unlock()
	return v, ok
}

// PopCtx is Pop that gives up when ctx is done: it returns what the ring
// holds, and while the ring is empty it waits, returning ctx.Err() once
// ctx is done or ErrClosed once the ring is closed. An element already
// there is returned even when ctx is done.
//
// A sync.Cond cannot wait on a context, so a PopCtx that has to wait
// first registers, with context.AfterFunc, a broadcast on notEmpty for
// when ctx ends (the way a Go programmer makes a Cond wait cancellable),
// and unregisters it once it returns. The broadcast takes r.mu, so it
// runs after Wait has released r.mu at the earliest: it cannot be lost.
func (q MutexRing[T]) PopCtx(ctx context.Context) (T, error) {
	r := q.r
	var stop func() bool
	r.mu.Lock()
	for r.n == 0 {
		err := ctx.Err()
		if r.closed {
			err = ErrClosed
		}
		if err != nil {
			r.mu.Unlock()
			if stop != nil {
				stop()
			}
			var zero T
			return zero, err
		}
		if stop == nil && ctx.Done() != nil {
			stop = context.AfterFunc(ctx, func() {
				r.mu.Lock()
				r.notEmpty.Broadcast()
				r.mu.Unlock()
			})
		}
		r.popWait++
		r.notEmpty.Wait()
		r.popWait--
	}
	v := r.take()
	r.popped()
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	return v, nil
}

// TryPushBatch appends the longest prefix of vs that fits and returns its
// length; it never waits. It panics if the ring is closed.
func (q MutexRing[T]) TryPushBatch(vs []T) int {
	r := q.r
	r.mu.Lock()
	k := min(len(vs), r.limit-r.n)
	if k <= 0 {
		r.refusePush()
		return 0
	}
	for _, v := range vs[:k] {
		r.put(v)
	}
	if r.popWait > 0 {
		r.notEmpty.Broadcast()
	}
	r.mu.Unlock()
	return k
}

// TryPopBatch moves up to len(dst) of the oldest elements into dst, oldest
// first, and returns how many it moved; it never waits.
func (q MutexRing[T]) TryPopBatch(dst []T) int {
	r := q.r
	r.mu.Lock()
	k := min(len(dst), r.n)
	for i := range k {
		dst[i] = r.take()
	}
	if k > 0 && r.pushWait > 0 {
		r.notFull.Broadcast()
	}
	r.mu.Unlock()
	return k
}

// Close marks the end of the input. Every element pushed before it can
// still be popped; once the ring is empty, Pop returns the zero value,
// PopOK false and PopCtx ErrClosed at once, and the pops waiting then
// return so. A push on a closed ring panics, as a send on a closed
// channel does, and so does a Push waiting for room when Close is
// called. Close panics if the ring is already closed.
func (q MutexRing[T]) Close() {
	r := q.r
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		panic("peers: close of a closed MutexRing")
	}
	r.closed = true
	r.limit = 0
	r.notEmpty.Broadcast()
	r.notFull.Broadcast()
	r.mu.Unlock()
}
