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

// ErrClosed is returned by Offer, Push, Pop and ForcePush when the queue is
// closed: for Offer, Push and ForcePush as soon as Close has been called, for
// Pop once the queue is also empty.
var ErrClosed = errors.New("lfqueue: queue closed")

// ErrFull is returned by Offer when the queue has no room. It is the error
// to turn into backpressure (an HTTP 503, say); ErrClosed, from the same
// call, means stop accepting.
var ErrFull = errors.New("lfqueue: queue full")

// Queue is a bounded multi-producer multi-consumer FIFO queue of T. Create one
// with New; the zero value is not usable and its methods panic. All methods
// are safe for concurrent use by any number of goroutines. A Queue must not be
// copied.
type Queue[T any] struct {
	// Positions and stamps. head and tail are positions: a lap number above
	// an index into the ring,
	//
	//	position = lap*oneLap | mark | index     (index < cap < mark)
	//
	// where mark is the power of two above cap and oneLap = 2*mark, so no
	// division or modulo is needed to wrap, any capacity is exact, and
	// positions wrap modulo 2^64 cleanly (oneLap divides 2^64). The mark bit
	// is used only in tail and means "closed". Every slot holds a stamp:
	//
	//   - stamp == p:   the slot is free for the push at position p;
	//   - stamp == p+1: the slot holds the value pushed at position p, ready
	//     for the pop at position p;
	//   - stamp == p+oneLap after that pop: free for the push one lap later.
	//
	// A producer claims p = tail by CAS(tail, p, next(p)) only when the
	// slot's stamp is p, writes the value, then publishes it with a release
	// store of p+1. A consumer claims p = head by CAS(head, p, next(p)) only
	// when the stamp is p+1, moves the value out, zeroes the slot, and
	// releases it with a release store of p+oneLap. So exactly one goroutine
	// touches a slot's value at a time, and the stamp's release store and
	// the partner's atomic load order the value accesses. This is
	// crossbeam's ArrayQueue scheme; claim.go holds the code.
	_    pad.Line
	head atomic.Uint64 // next position to pop
	_    [pad.Size - 8]byte
	tail atomic.Uint64 // next position to push, plus the closed mark
	_    [pad.Size - 8]byte

	// Read-only after New.
	ring
	cap           uint64
	mark          uint64 // closed bit in tail; also the index mask + 1
	oneLap        uint64 // 2*mark
	slotsPerRange uint64 // consecutive positions sharing a false-sharing range (Compact), else 1; see pushWatch
	_             pad.Line

	// Written only when goroutines park; Any() is read after every claim.
	// Each list has a range of its own, so that parking consumers do not
	// pull the line producers read, and the other way round.
	pushers wait.List // goroutines blocked in Push: waiting for space
	_       [pad.Size - unsafe.Sizeof(wait.List{})%pad.Size]byte
	poppers wait.List // goroutines blocked in Pop: waiting for elements
	_       [pad.Size - unsafe.Sizeof(wait.List{})%pad.Size]byte

	// Written only by blocked Push and Pop: how long to spin before parking.
	pushSpin, popSpin spinLimit
	_                 pad.Line
}

// Option configures a Queue in New.
type Option func(*options)

type options struct {
	layout Layout
}

// setLayout is what the layout options do: choose l, unless another layout
// was chosen already.
func (o *options) setLayout(l Layout) {
	if o.layout != layoutDefault && o.layout != l {
		panic(fmt.Sprintf("lfqueue: New: conflicting layout options %v and %v", o.layout, l))
	}
	o.layout = l
}

// Padded gives every slot (its stamp and value) its own false-sharing range
// (128 bytes on amd64 and arm64): no two slots share one, whatever the size
// of T. It costs 128 bytes per slot on amd64 for T up to 120 bytes and
// removes all contention between operations on different slots; see the
// package documentation.
func Padded() Option { return func(o *options) { o.setLayout(LayoutPadded) } }

// Compact lays slots back to back, 8-byte aligned, in position order, each
// taking its stamp and T (16 bytes for int on amd64). It takes the least
// memory, and a consumer that trails the producers (or producers that trail
// the consumers) takes several slots per cache-line transfer, which is why
// it moves items fastest through a busy queue; the price is that operations
// on neighbouring positions, running at the same moment, contend for one
// cache line. New uses it by default when at least two slots fit in a
// false-sharing range (the stamp and T take at most 64 bytes on amd64, so
// T up to 56 bytes): a larger slot shares its range with a neighbour but
// takes no second slot along per transfer, and New pads it instead. See the
// package documentation for the figures and for when Remap or Padded pays.
func Compact() Option { return func(o *options) { o.setLayout(LayoutCompact) } }

// Remap packs slots like Compact but places consecutive positions in
// different false-sharing ranges (a cache remap, as in the SCQ queue), so
// that producers and consumers working on neighbouring positions at the same
// moment do not contend for one cache line, while the memory stays close to
// Compact's. Each slot takes the stamp and T rounded up to a power of two
// (16 bytes for int on amd64), and the slot array is rounded up to a
// power-of-two number of ranges, so a queue takes at most twice that per
// slot. Consecutive positions share a range only when the capacity fits in
// one range, or at the wrap from the last index to the first when the
// number of ranges divides capacity-1. For T larger than 56 bytes on amd64
// (stamp and T over half a range) Remap is the Padded layout.
func Remap() Option { return func(o *options) { o.setLayout(LayoutRemap) } }

// New returns an empty queue that holds exactly capacity elements.
//
// New panics if capacity < 1, if an option is nil, if two options choose
// different layouts, or if the slot memory for capacity elements of
// T would overflow an int, as make does for a channel of an impossible size.
//
// By default slots are laid out as Compact describes when at least two fit
// in a false-sharing range (T up to 56 bytes on amd64), and as Padded
// describes otherwise; the options Compact, Padded and Remap choose a
// layout for any T, and the package documentation gives the memory each
// needs and when each pays.
func New[T any](capacity int, opts ...Option) *Queue[T] {
	return newAt[T](capacity, 0, opts...)
}

// newAt is New with head and tail starting at position start instead of 0
// (start must be a valid position: its index below capacity, mark bit
// clear). Tests use it to run a queue across the 2^64 wrap of positions.
func newAt[T any](capacity int, start uint64, opts ...Option) *Queue[T] {
	o := options{layout: layoutDefault}
	for i, opt := range opts {
		if opt == nil {
			panic(fmt.Sprintf("lfqueue: New: option %d is nil", i))
		}
		opt(&o)
	}
	if o.layout == layoutDefault {
		o.layout = defaultLayout(reflect.TypeFor[T]())
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
		ring:   newRing(reflect.TypeFor[T](), capacity, o.layout),
		cap:    uint64(capacity),
		mark:   mark,
		oneLap: 2 * mark,
	}
	q.slotsPerRange = runLength(q.ring)
	if start&(mark|(mark-1)) >= q.cap {
		panic("lfqueue: internal error: bad start position")
	}
	q.head.Store(start)
	q.tail.Store(start)
	lap := start &^ (q.oneLap - 1)
	for i := uint64(0); i < q.cap; i++ {
		// Free for the first push at index i: this lap's if that position
		// is at or after start, else the next lap's.
		p := lap | i
		if i < start&(mark-1) {
			p += q.oneLap
		}
		stamp, _ := q.slot(i)
		stamp.Store(p)
	}
	return q
}

// slot returns the stamp and value of slot i.
func (q *Queue[T]) slot(i uint64) (*atomic.Uint64, *T) {
	p := unsafe.Add(q.base, uintptr(q.phys(i))*q.stride)
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

// TryPush appends v if the queue has room and is not closed, and reports
// whether it did. It returns false only if the queue was full, or closed, at
// some instant during the call: a CAS lost to another producer is retried,
// and a consumer caught moving a value out of the needed slot is waited for.
// Offer does the same and tells full and closed apart. (TryPush is small
// enough to inline, so a call to it costs one call to Offer.)
func (q *Queue[T]) TryPush(v T) bool { return q.Offer(v) == nil }

// Offer appends v if the queue has room and is not closed. It returns nil
// when v was pushed, ErrFull if the queue was full at some instant during
// the call, and ErrClosed if it was closed; it never waits for room. Like
// TryPush, it does not fail because of a lost race or a peer in the middle
// of a step. It does not allocate.
func (q *Queue[T]) Offer(v T) error {
	// Fast path: claimPushFast and publish for one uncontended position,
	// written out here because the Go compiler does not inline them.
	tail := q.tail.Load()
	stamp, val := q.slot(tail & (q.mark - 1))
	if q.base == nil || stamp.Load() != tail || !q.tail.CompareAndSwap(tail, q.next(tail, 1)) {
		return q.offerSlow(&v)
	}
	stall(stallQueuePushClaimed)
	*val = v
	storeRelease(stamp, tail+1)
	if q.poppers.Waiting.Load() != 0 { // ordered after the CAS, see claim.go
		q.poppers.WakeN(1)
	}
	return nil
}

// offerSlow is Offer after its fast path could not claim.
func (q *Queue[T]) offerSlow(v *T) error {
	tail, _, st := q.claimPushLoop(1, claimTry)
	switch st {
	case claimFull:
		return ErrFull
	case claimClosed:
		return ErrClosed
	}
	q.publish(tail, unsafe.Slice(v, 1))
	return nil
}

// TryPop removes and returns the oldest element. It returns ok == false
// only if the queue was empty at some instant during the call: a CAS lost to
// another consumer is retried, and a producer that has claimed the head slot
// but not finished writing it is waited for. The slot is zeroed, so the queue
// keeps no reference to the returned value.
func (q *Queue[T]) TryPop() (v T, ok bool) {
	// Fast path: claimPopFast and release for one uncontended position,
	// written out as in TryPush.
	head := q.head.Load()
	stamp, val := q.slot(head & (q.mark - 1))
	if q.base == nil || stamp.Load() != head+1 || !q.head.CompareAndSwap(head, q.next(head, 1)) {
		var st claimStatus
		if head, _, st = q.claimPopLoop(1, claimTry); st != claimOK {
			return v, false
		}
		q.release(head, unsafe.Slice(&v, 1))
		return v, true
	}
	stall(stallQueuePopClaimed)
	v = *val
	var zero T
	*val = zero
	storeRelease(stamp, head+q.oneLap)
	if q.pushers.Waiting.Load() != 0 { // ordered after the CAS, see claim.go
		q.pushers.WakeN(1)
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
	pos, _, st := q.claimPush(1, claimForce)
	switch st {
	case claimClosed:
		return old, false, ErrClosed
	case claimEvict:
		old, evicted = q.evict(pos, &v)
		return old, evicted, nil
	}
	q.publish(pos, unsafe.Slice(&v, 1))
	return old, false, nil
}

// Len returns the number of elements in the queue: positions claimed by
// producers minus positions claimed by consumers, read from a consistent
// snapshot of head and tail. It counts pushes that are still writing their
// value and not pops that are still reading theirs. Under concurrency it is
// the exact length at one instant during the call, so it is never negative
// and never above Cap, but it may be stale by the time it is used.
func (q *Queue[T]) Len() int {
	if q.oneLap == 0 {
		panic(notNewMsg)
	}
	for {
		tail := q.tail.Load()
		head := q.head.Load()
		if q.tail.Load() != tail {
			continue
		}
		tail &^= q.mark
		// Positions are lap*oneLap + index, modulo 2^64. Subtract the lap
		// bases before dividing so that a tail that has wrapped past 2^64
		// while head has not still counts one lap ahead.
		laps := (tail&^(q.oneLap-1) - head&^(q.oneLap-1)) / q.oneLap
		n := laps*q.cap + tail&(q.mark-1) - head&(q.mark-1)
		// A ForcePush may have claimed tail one position beyond a full
		// queue before evicting head's element; the queue is full then,
		// hence the clamp.
		return int(min(n, q.cap))
	}
}

// Layout returns the slot layout of q: the one an option chose, or New's
// default for T (see New).
func (q *Queue[T]) Layout() Layout {
	if q.oneLap == 0 {
		panic(notNewMsg)
	}
	return q.layout
}

// Cap returns the capacity given to New.
func (q *Queue[T]) Cap() int {
	if q.oneLap == 0 {
		panic(notNewMsg)
	}
	return int(q.cap)
}

// IsEmpty reports whether Len() == 0.
func (q *Queue[T]) IsEmpty() bool { return q.Len() == 0 }

// IsFull reports whether Len() == Cap().
func (q *Queue[T]) IsFull() bool { return q.Len() == int(q.cap) }

// FillRatio returns Len()/Cap(), between 0 and 1.
func (q *Queue[T]) FillRatio() float64 { return float64(q.Len()) / float64(q.cap) }
