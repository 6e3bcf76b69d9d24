package lfqueue

import (
	"errors"
	"fmt"
	"math/bits"
	"reflect"
	"sync/atomic"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/wait"
)

// ErrClosed is returned by Push, Pop and ForcePush when the queue is closed:
// for Push and ForcePush as soon as Close has been called, for Pop once the
// queue is also empty.
var ErrClosed = errors.New("lfqueue: queue closed")

// Queue is a bounded multi-producer multi-consumer FIFO queue of T. Create one
// with New; the zero value is not usable. All methods are safe for concurrent
// use by any number of goroutines. A Queue must not be copied.
//
// # Positions and stamps
//
// head and tail are positions: a lap number above an index into the ring,
//
//	position = lap*oneLap | mark | index     (index < capacity < mark)
//
// where mark = the power of two above capacity and oneLap = 2*mark, so no
// division or modulo is needed to wrap, and any capacity is exact. The mark
// bit is used only in tail and means "closed". Every slot holds a stamp:
//
//   - stamp == p:     the slot is free for the push at position p;
//   - stamp == p+1:   the slot holds the value pushed at position p, ready for
//     the pop at position p;
//   - stamp == p+oneLap after that pop: free for the push one lap later.
//
// A producer claims position p = tail by CAS(tail, p, next(p)) only when the
// slot's stamp is p, writes the value, then publishes it with Store(p+1). A
// consumer claims p = head by CAS(head, p, next(p)) only when the stamp is p+1,
// moves the value out, zeroes the slot, and releases it with
// Store(p+oneLap). So exactly one goroutine touches a slot's Value at a time,
// and the stamp stores order the Value accesses (sync/atomic is sequentially
// consistent). This is crossbeam's ArrayQueue scheme.
type Queue[T any] struct {
	_    pad.Line
	head atomic.Uint64 // next position to pop
	_    [pad.Size - 8]byte
	tail atomic.Uint64 // next position to push, plus the closed mark
	_    [pad.Size - 8]byte

	// Read-only after New.
	ring
	cap    uint64
	mark   uint64 // closed bit in tail; also the index mask + 1
	oneLap uint64 // 2*mark
	_      pad.Line

	// Written only when goroutines park; Any() is read on every success.
	pushers wait.List // goroutines blocked in Push: waiting for space
	poppers wait.List // goroutines blocked in Pop: waiting for elements
	_       pad.Line
}

// Option configures a Queue in New.
type Option func(*options)

type options struct {
	compact bool
}

// Compact lays slots out back to back, 8-byte aligned, instead of giving each
// slot its own false-sharing range. It saves memory (for int, 16 bytes per slot
// instead of 128 on amd64) at the price of producers and consumers that work
// on neighbouring slots contending for the same cache line. Use it for large
// queues whose memory matters more than peak contended throughput; measure.
func Compact() Option { return func(o *options) { o.compact = true } }

// New returns an empty queue that holds exactly capacity elements.
//
// New panics if capacity < 1 or if the slot memory for capacity elements of
// T would overflow an int, as make does for a channel of an impossible size.
//
// By default every slot starts on its own false-sharing range (pad.Size
// bytes: 128 on amd64 and arm64) and no two slots share one, whatever the size
// of T; see Compact for the alternative and the package documentation for the
// memory each needs.
func New[T any](capacity int, opts ...Option) *Queue[T] {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if capacity < 1 {
		panic(fmt.Sprintf("lfqueue: New: capacity %d out of range (want >= 1)", capacity))
	}
	// mark must be a power of two above capacity, and two laps must fit.
	if uint64(capacity) >= 1<<61 {
		panic(fmt.Sprintf("lfqueue: New: capacity %d out of range", capacity))
	}
	mark := uint64(1) << bits.Len64(uint64(capacity))
	q := &Queue[T]{
		ring:   newRing(reflect.TypeFor[T](), capacity, o.compact),
		cap:    uint64(capacity),
		mark:   mark,
		oneLap: 2 * mark,
	}
	for i := uint64(0); i < q.cap; i++ {
		q.stamp(i).Store(i) // free for the push at position i of lap 0
	}
	return q
}

// slot returns the stamp and value of slot i.
func (q *Queue[T]) slot(i uint64) (*atomic.Uint64, *T) {
	p := unsafe.Add(q.base, uintptr(i)*q.stride)
	return (*atomic.Uint64)(p), (*T)(unsafe.Add(p, q.valOff))
}

// next returns the position after p (p without the mark), k slots on, where
// index(p)+k <= cap.
func (q *Queue[T]) next(p, k uint64) uint64 {
	index := p & (q.mark - 1)
	if index+k < q.cap {
		return p + k
	}
	return (p &^ (q.oneLap - 1)) + q.oneLap
}

type status uint8

const (
	ok status = iota
	full
	empty
	closed
)

// push is TryPush without the wakeup. v is passed by pointer so that a large
// T is copied once, straight into the slot.
func (q *Queue[T]) push(v *T) status {
	var b wait.Backoff
	tail := q.tail.Load()
	for {
		if tail&q.mark != 0 {
			return closed
		}
		stamp, val := q.slot(tail & (q.mark - 1))
		s := stamp.Load()
		switch {
		case s == tail:
			if q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
				stall(stallQueuePushClaimed)
				*val = *v
				stamp.Store(tail + 1)
				return ok
			}
			b.Spin() // lost the race to another producer: retry
		case s+q.oneLap == tail+1:
			// The slot still holds last lap's value. If head is a whole
			// lap behind tail, the queue is full right now (head was read
			// after tail, and tail cannot run further ahead of head).
			if q.head.Load()+q.oneLap == tail {
				return full
			}
			b.Snooze() // a consumer is moving the value out: wait for it
		default:
			b.Snooze() // tail was stale
		}
		tail = q.tail.Load()
	}
}

// pop is TryPop without the wakeup; it moves the element into *dst.
func (q *Queue[T]) pop(dst *T) status {
	var b wait.Backoff
	head := q.head.Load()
	for {
		stamp, val := q.slot(head & (q.mark - 1))
		s := stamp.Load()
		switch {
		case s == head+1:
			if q.head.CompareAndSwap(head, q.next(head, 1)) {
				stall(stallQueuePopClaimed)
				*dst = *val
				var zero T
				*val = zero // let the GC free what the slot referenced
				stamp.Store(head + q.oneLap)
				return ok
			}
			b.Spin()
		case s == head:
			// Nothing published at head. Empty if tail is at head too;
			// otherwise a producer has claimed head and is writing.
			if tail := q.tail.Load(); tail&^q.mark == head {
				if tail&q.mark != 0 {
					return closed
				}
				return empty
			}
			b.Snooze()
		default:
			b.Snooze() // head was stale
		}
		head = q.head.Load()
	}
}

// TryPush appends v if the queue has room and is not closed, and reports
// whether it did. It returns false only if the queue was full, or closed, at
// some instant during the call: a CAS lost to another producer is retried,
// and a consumer caught moving a value out of the needed slot is waited for.
func (q *Queue[T]) TryPush(v T) bool {
	// Fast path: the first iteration of push's loop, uncontended case.
	tail := q.tail.Load()
	stamp, val := q.slot(tail & (q.mark - 1))
	if tail&q.mark != 0 || stamp.Load() != tail || !q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
		if q.push(&v) != ok {
			return false
		}
	} else {
		stall(stallQueuePushClaimed)
		*val = v
		stamp.Store(tail + 1)
	}
	if q.poppers.Any() {
		q.poppers.WakeOne()
	}
	return true
}

// TryPop removes and returns the oldest element. It returns ok == false
// only if the queue was empty at some instant during the call: a CAS lost to
// another consumer is retried, and a producer that has claimed the head slot
// but not finished writing it is waited for. The slot is zeroed, so the queue
// keeps no reference to the returned value.
func (q *Queue[T]) TryPop() (v T, ok bool) {
	// Fast path: the first iteration of pop's loop, uncontended case.
	head := q.head.Load()
	stamp, val := q.slot(head & (q.mark - 1))
	if stamp.Load() != head+1 || !q.head.CompareAndSwap(head, q.next(head, 1)) {
		if q.pop(&v) != 0 {
			return v, false
		}
	} else {
		stall(stallQueuePopClaimed)
		v = *val
		var zero T
		*val = zero
		stamp.Store(head + q.oneLap)
	}
	if q.pushers.Any() {
		q.pushers.WakeOne()
	}
	return v, true
}

// ForcePush appends v, evicting the oldest element if the queue is full, like
// crossbeam's ArrayQueue::force_push. When an element was evicted to make
// room, it is returned as old with evicted == true; the eviction and the push
// happen as one step, so no other goroutine can take the freed slot.
//
// On a closed queue ForcePush stores nothing, evicts nothing and returns
// ErrClosed: v was not pushed and the caller still owns it.
func (q *Queue[T]) ForcePush(v T) (old T, evicted bool, err error) {
	var b wait.Backoff
	tail := q.tail.Load()
	for {
		if tail&q.mark != 0 {
			return old, false, ErrClosed
		}
		stamp, val := q.slot(tail & (q.mark - 1))
		s := stamp.Load()
		switch {
		case s == tail:
			if q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
				q.publish(stamp, val, &v, tail)
				return old, false, nil
			}
			b.Spin()
		case s+q.oneLap == tail+1:
			// The slot still holds last lap's value: the queue is full, or
			// a consumer is moving that value out. Claim tail first. While
			// the stamp says "full" no producer or batch can claim this
			// position, so the CAS races only with Close and other
			// ForcePushes; and with tail claimed before head moves, Len
			// never sees fewer than Cap elements in a queue kept full.
			if q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
				return q.evict(stamp, val, &v, tail)
			}
			b.Spin()
		default:
			b.Snooze() // tail was stale
		}
		tail = q.tail.Load()
	}
}

// evict finishes a ForcePush that claimed position tail while its slot still
// held the element of position tail-oneLap. Either ForcePush takes that
// element's position as a consumer would (CAS on head) and swaps in v, or a
// consumer took it first and ForcePush waits for the slot's release, then
// publishes v as an ordinary push.
func (q *Queue[T]) evict(stamp *atomic.Uint64, val *T, v *T, tail uint64) (old T, evicted bool, err error) {
	var b wait.Backoff
	oldPos := tail - q.oneLap
	for {
		if stamp.Load() == tail {
			q.publish(stamp, val, v, tail)
			return old, false, nil
		}
		if q.head.CompareAndSwap(oldPos, q.next(oldPos, 1)) {
			old = *val
			*val = *v
			stamp.Store(tail + 1)
			return old, true, nil
		}
		b.Snooze() // a consumer holds the old element: wait for its release
	}
}

// publish writes v into a claimed slot at position pos, releases it to
// consumers and wakes a parked Pop if there is one.
func (q *Queue[T]) publish(stamp *atomic.Uint64, val *T, v *T, pos uint64) {
	*val = *v
	stamp.Store(pos + 1)
	if q.poppers.Any() {
		q.poppers.WakeOne()
	}
}

// Len returns the number of elements in the queue: positions claimed by
// producers minus positions claimed by consumers, read from a consistent
// snapshot of head and tail. It counts pushes that are still writing their
// value and not pops that are still reading theirs. Under concurrency it is
// the exact length at one instant during the call, so it is never negative
// and never above Cap, but it may be stale by the time it is used.
func (q *Queue[T]) Len() int {
	for {
		tail := q.tail.Load()
		head := q.head.Load()
		if q.tail.Load() != tail {
			continue
		}
		tail &^= q.mark
		// Positions are lap*oneLap + index. A ForcePush may have claimed
		// tail one position beyond a full queue before evicting head's
		// element; the queue is full then, hence the clamp.
		laps := tail/q.oneLap - head/q.oneLap
		n := laps*q.cap + tail&(q.mark-1) - head&(q.mark-1)
		return int(min(n, q.cap))
	}
}

// Cap returns the capacity given to New.
func (q *Queue[T]) Cap() int { return int(q.cap) }

// IsEmpty reports whether Len() == 0.
func (q *Queue[T]) IsEmpty() bool { return q.Len() == 0 }

// IsFull reports whether Len() == Cap().
func (q *Queue[T]) IsFull() bool { return q.Len() == int(q.cap) }

// FillRatio returns Len()/Cap(), between 0 and 1.
func (q *Queue[T]) FillRatio() float64 { return float64(q.Len()) / float64(q.cap) }
