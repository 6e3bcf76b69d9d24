package lfqueue

import (
	"context"
	"fmt"
	"iter"
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/stripe"
	"github.com/lfkit/lfkit/internal/wait"
)

// Stall points inside LockFree[T] (stall-injection tests only): for each of
// its two rings, after claiming an enqueue position, after writing the entry,
// after claiming a dequeue position, after taking an entry, and before
// catching tail up; between Len's two loads; in Close after setting the
// finalize bit; and in a pop that took a stash over, while it holds the
// index it displaced.
const (
	stallLockFreeFreeEnqClaimed stallPoint = stallPointsFirstFree + iota
	stallLockFreeFreeEnqPlaced
	stallLockFreeFreeDeqClaimed
	stallLockFreeFreeDeqTaken // TryPush holds a free index, not yet published
	stallLockFreeFreeCatchup
	stallLockFreeElemEnqClaimed // TryPush claimed a position, not yet written
	stallLockFreeElemEnqPlaced
	stallLockFreeElemEnqFindable // the push reset the threshold, before it returns
	stallLockFreeElemDeqClaimed
	stallLockFreeElemDeqTaken // TryPop took an index, value not yet read
	stallLockFreeElemCatchup
	stallLockFreeClosed
	stallLockFreeStashTakeover // a pop swapped its index into another's stash, holds the displaced one
	stallLockFreeEnd           // one past the last LockFree point
)

// LockFree is a bounded multi-producer multi-consumer FIFO queue of T that
// is lock-free in the strict sense. Create one with NewLockFree; the zero
// value is not usable. All methods are safe for concurrent use. A LockFree
// must not be copied.
//
// # Progress
//
//   - TryPush and TryPop are lock-free: no call ever waits for another
//     goroutine, and whatever the others do, including stopping forever in
//     the middle of an operation, the calls that keep running complete; some
//     call completes within a bounded number of steps. They are not
//     wait-free: one call can, in theory, retry for as long as others keep
//     completing (a pop can overtake a push, which then retries at a later
//     position).
//   - Len, Closed and Cap are wait-free.
//   - Close is one atomic read-modify-write of the element ring's tail,
//     after which no push that starts can succeed.
//   - Waking parked goroutines takes no lock. A successful TryPush or
//     TryPop that finds a goroutine parked on the other side claims it with
//     a compare-and-swap and sends it a wakeup on a channel whose buffer
//     never fills, so it never waits for a goroutine stopped anywhere in
//     the wake path (the stall test stops one there). The channel's own lock
//     belongs to the Go runtime and is held only inside runtime code that
//     the Go scheduler does not preempt, as for any channel operation.
//   - Push and Pop block by design: they park, without using CPU, only
//     while TryPush (TryPop) would fail. Before that they may spin briefly
//     (see Queue's Push), watching the slot at the head of the ring they
//     need; such a spin can also run while that one slot is held by a push
//     (pop) in progress and another is free, and it ends within its budget.
//     They never wait for a particular goroutine to finish a step: a
//     parked Pop (Push) whose wakeup was claimed by a push (pop) stopped
//     before sending it stays parked until that goroutine resumes or its
//     context ends, and when its context ends it returns after a short spin
//     and a few yields, handing the wakeup it is owed to a new goroutine
//     (which passes it on once it arrives).
//
// It is Nikolaev's SCQ (DISC 2019, the single-word-CAS variant): a data
// array of capacity elements, and two rings of indices into it: the free
// ring (free indices, seeded with exactly capacity of them) and the element
// ring (indices of elements, in FIFO order). A push takes a free index,
// writes the element there and enqueues the index on the element ring; a
// pop dequeues an index from the element ring, moves the element out and
// gives the index back. Each ring claims positions by fetch-and-add, so no
// goroutine waits for another to finish a step: a dequeuer that reaches a
// position before its enqueuer makes the enqueuer retry elsewhere. Each
// ring operation that succeeds at its first position is two locked
// instructions (a fetch-and-add, and a compare-and-swap for an enqueue or
// an atomic OR for a dequeue).
//
// Beside the free ring, free indices can wait in stashes: a few words, each
// on its own cache line, each holding at most one index, picked by a hash
// of the calling goroutine's stack address (as atomicx.Counter picks its
// stripe). A pop gives its index to its goroutine's stash when that is
// empty (one compare-and-swap), and a push first takes the index its own
// goroutine left there (one swap). A goroutine takes another's stashed index
// only when the free ring is empty, so a producer and a consumer that hash
// to one stash do not pass a word back and forth (the owner mark is a hint:
// a racing swap, or two goroutines whose marks agree, just takes an index
// that is free all the same). A push that finds another goroutine's index
// in its stash, not asked for yet, asks for it (its tag in the word); its
// goroutine's next pop then swaps its own index in and moves that one to
// the free ring, so that a goroutine descheduled with an index in a stash
// does not keep a goroutine that pushes and pops there after it off the
// stash. The price: two goroutines that push and pop at the same time and
// hash to one stash take it from each other on every pair, one
// compare-and-swap and one swap more than the free ring alone would cost
// them. A push and a pop by one goroutine in turn are therefore six locked
// instructions on amd64, and eight when the index goes through the free
// ring (as in a handoff between goroutines); Queue's are two, one
// compare-and-swap per operation (its stores that publish and release a
// slot are plain stores on amd64).
//
// # Full and empty
//
// TryPush fails ("full") when it finds no free index: its goroutine's
// stash, the free ring and then every stash held none when it looked. The
// queue then holds capacity elements, or fewer while pushes and pops in
// progress hold indices (a push holds one from taking it until its element
// is in the element ring, a pop from taking it out of the element ring
// until it is back in a stash or the free ring, and a pop that took a stash
// over the index it displaced, until that is in the free ring) or gave one
// back to a place
// the push had already looked at. So TryPush can return false while
// Len() < Cap(), but only while other pushes or pops are in progress; with
// none in progress, it fails only when the queue holds Cap() elements.
//
// TryPop fails ("empty") only if the queue was empty at some instant during
// the call, where a push that has not returned yet may count as not having
// happened: a pop can overtake a push that is still in progress (it then
// makes that push retry at a later position) and report empty. This is
// linearizability, nothing weaker: every push and pop takes effect at one
// instant inside its call.
//
// Once the queue is closed, a pop reports empty (TryPop) or ErrClosed (Pop)
// only after every position a push claimed before Close has been either
// popped or made unusable for that push, so a push that succeeds is never
// left behind an ErrClosed: once a Pop has returned ErrClosed, no later pop
// returns an element.
//
// # Memory
//
// With n = the power of two >= capacity, a LockFree holds capacity elements
// of T (a plain []T) plus two rings of 2n 8-byte entries, 32n bytes: per
// slot, sizeof(T) plus 32 to 64 bytes (32 when capacity is a power of two;
// for int and capacity 1024, 40 KiB in all), plus a fixed part of at most
// 17*pad.Size bytes (padded counters and waiter lists), plus the stashes:
// one pad.Size range each, as many as the smallest power of two at least
// 4*GOMAXPROCS when the queue is made, at most 16 (16*pad.Size bytes).
// Elements are not padded as Queue's slots are: the element ring remaps
// neighbouring positions to different cache lines, and the free ring is
// seeded with indices a cache line apart, so pushes and pops that follow
// each other do not start out on one line.
//
// The free ring is not remapped: its entries lie in position order. While
// consumers keep up with producers (the element ring near empty, the usual
// state of a service), the free ring is near full, so its dequeuers
// (pushes) and enqueuers (pops) work half a ring apart, and each side then
// takes a line of entries from the other once per eight operations
// (entries are 8 bytes) instead of on every operation. The element ring
// keeps the remap because there a waiting pop watches the very entry the
// next push writes, and the entries after it must not share its line.
type LockFree[T any] struct {
	free  scqRing // the free ring: indices of free slots of data
	elems scqRing // the element ring: indices of elements, in FIFO order
	data  []T
	cap   uint64

	// stashes hold free indices outside the free ring, at most one each
	// (see takeFree and putFree). An index is in exactly one of: a stash,
	// the free ring, the element ring, or the hands of one push or pop in
	// progress.
	stashes   []stashSlot
	closing   atomic.Bool // set by the first Close after finalizing: a hint for spinners
	stashHash uint        // a goroutine's stash: its stack key's Fibonacci hash >> stashHash
	stashBits uint        // a stash word is owner<<(stashBits+stashAskBits) | asker<<stashBits | (index+1); 0 is empty

	_       pad.Line
	pushers wait.List // goroutines blocked in Push: waiting for a free index
	poppers wait.List // goroutines blocked in Pop: waiting for an element
	_       pad.Line
	// Written only by blocked Push and Pop: how long to spin before parking.
	pushSpin, popSpin spinLimit
	_                 pad.Line
}

// NewLockFree returns an empty LockFree queue that holds exactly capacity
// elements. It panics if capacity < 1 or if the queue's memory would not fit
// in an int.
func NewLockFree[T any](capacity int) *LockFree[T] {
	return newLockFreeAt[T](capacity, 0)
}

// newLockFreeAt is NewLockFree with both rings' positions starting at start
// (test hook: start near 2^63 to test the wrap of positions and cycles).
func newLockFreeAt[T any](capacity int, start uint64) *LockFree[T] {
	if capacity < 1 {
		panic(fmt.Sprintf("lfqueue: NewLockFree: capacity %d out of range (want >= 1)", capacity))
	}
	// n = the power of two >= capacity; each ring has 2n entries.
	order := uint(bits.Len64(uint64(capacity-1))) + 1
	var zero T
	// Two rings of 2n 8-byte entries and the data array must fit an int
	// (on 32-bit platforms too), and positions need order <= 48.
	const maxInt = int(^uint(0) >> 1)
	if order > 48 || order >= bits.UintSize-2 {
		panic(fmt.Sprintf("lfqueue: NewLockFree: capacity %d out of range", capacity))
	}
	ringBytes, ok1 := pad.MulSize(8, 1<<order)
	dataBytes, ok2 := pad.MulSize(int(unsafe.Sizeof(zero)), capacity)
	if !ok1 || !ok2 || ringBytes > (maxInt-dataBytes)/2 {
		panic(fmt.Sprintf("lfqueue: NewLockFree: capacity %d out of range", capacity))
	}
	q := &LockFree[T]{data: make([]T, capacity), cap: uint64(capacity)}
	sb := stripe.Bits(maxStashBits)
	q.stashes = make([]stashSlot, 1<<sb)
	q.stashHash = 64 - sb
	q.stashBits = uint(bits.Len64(uint64(capacity)))
	q.free.init(order, start, false, false)
	q.elems.init(order, start, true, true)
	q.free.fill(spreadIndices(capacity, unsafe.Sizeof(zero)))
	return q
}

// spreadIndices returns 0..n-1 in an order where consecutive indices into an
// array of elements of the given size fall a false-sharing range apart
// (i, i+m, i+2m, ... for i = 0..m-1, m elements per range), so that pushes
// that follow each other write different cache lines at first.
func spreadIndices(n int, size uintptr) []uint64 {
	m := 1
	if size > 0 && size < pad.Size {
		m = pad.Size / int(size)
	}
	idx := make([]uint64, 0, n)
	for j := 0; j < m && j < n; j++ {
		for i := j; i < n; i += m {
			idx = append(idx, uint64(i))
		}
	}
	return idx
}

// lockFreeStatus is the outcome of LockFree's internal push and pop.
type lockFreeStatus uint8

const (
	lockFreeOK lockFreeStatus = iota
	lockFreeFull
	lockFreeEmpty
	lockFreeClosed
	lockFreeNotYet // a waiting dequeue found its entry not filled yet (see scqRing.dequeue)
)

// push is TryPush without the wakeup. The closed check is the element
// ring's fetch-and-add: a push on a closed queue takes a free index, finds
// the element ring finalized and gives the index back. With waiting set
// (a blocking Push), it reports full without reading the pops' counters
// when the free ring's head entry is not filled yet (see scqRing.dequeue).
func (q *LockFree[T]) push(v *T, waiting bool, key uint64) lockFreeStatus {
	q.mustBeNew()
	i, st := q.takeFree(waiting, key)
	if st != lockFreeOK {
		if q.Closed() {
			return lockFreeClosed
		}
		return lockFreeFull
	}
	q.data[i] = *v
	if !q.elems.enqueue(i) {
		// Finalized: give the index back.
		var zero T
		q.data[i] = zero
		q.putFree(i, key)
		return lockFreeClosed
	}
	return lockFreeOK
}

// pop is TryPop without the wakeup; it moves the element into *dst. It
// returns lockFreeEmpty or lockFreeClosed (closed and empty at some instant
// during the call) if it found no element, and with waiting set (a blocking
// Pop) lockFreeNotYet when the element ring's head entry is not filled yet.
func (q *LockFree[T]) pop(dst *T, waiting bool, key uint64) lockFreeStatus {
	q.mustBeNew()
	i, st := q.elems.dequeue(waiting)
	if st != lockFreeOK {
		return st
	}
	*dst = q.data[i]
	var zero T
	q.data[i] = zero // let the GC free what the slot referenced
	q.putFree(i, key)
	return lockFreeOK
}

// maxStashBits caps a LockFree at 16 stashes.
const maxStashBits = 4

// stashSlot is one stash word, alone on a false-sharing range.
type stashSlot struct {
	w atomic.Uint64
	_ [pad.Size - 8]byte
}

// stashOf returns the stash of the goroutine with stack key k and its owner
// mark (k shifted above the index bits and the asker field). Every exported
// method takes k in its own frame, before it calls anything, so that a push
// and a pop called from one function of one goroutine usually get one key:
// keys taken deeper down, at different depths, would differ whenever a key
// boundary of the stack fell between them, and then for every goroutine
// calling from that place; frames of the exported methods differ by a few
// words. The key is a hint: it changes as the stack moves or grows, and
// then the goroutine just finds no index of its own.
func (q *LockFree[T]) stashOf(k uint64) (*atomic.Uint64, uint64) {
	return &q.stashes[(k*0x9E3779B97F4A7C15)>>(q.stashHash&63)].w, q.stashMark(k)
}

// stashAskBits is the width of a stash word's asker field.
const stashAskBits = 8

// stashMark is the owner mark of the goroutine with stack key k: k above a
// stash word's index bits and asker field.
func (q *LockFree[T]) stashMark(k uint64) uint64 { return k << (q.stashBits + stashAskBits) }

// stashOwner is the owner mark of stash word x.
func (q *LockFree[T]) stashOwner(x uint64) uint64 {
	return x &^ (1<<(q.stashBits+stashAskBits) - 1)
}

// stashIndex is the index held by the non-empty stash word x.
func (q *LockFree[T]) stashIndex(x uint64) uint64 { return x&(1<<q.stashBits-1) - 1 }

// stashAsker is the asker field of stash word x: 0, or the tag of the
// goroutine whose push found x's index there and asked for the stash.
func (q *LockFree[T]) stashAsker(x uint64) uint64 {
	return x >> q.stashBits & (1<<stashAskBits - 1)
}

// stashTag is the asker tag of the goroutine with stack key k: never 0,
// and hashed apart from the stash index (another multiplier), so that
// goroutines that share a stash rarely share a tag.
func stashTag(k uint64) uint64 { return (k*0xBF58476D1CE4E5B9)>>(64-stashAskBits) | 1 }

// takeFree takes a free index. It first looks at its goroutine's stash and
// takes the index there if this goroutine put it there (one atomic swap,
// after a load that sees it); then it dequeues from the free ring; and if
// that finds the ring empty, it takes an index from any stash before it
// reports none. It returns lockFreeOK, or what the free ring's dequeue
// reported. Lock-free, as the free ring's dequeue: the rest is a bounded
// number of loads and swaps, each of which completes.
//
// The owner check is what keeps a handoff off the stash: a consumer's freed
// index stays in its stash, where a producer hashed to the same stash does
// not take it, so the two do not pass one word back and forth per element.
// A goroutine that pushes and pops in turn passes one index through its own
// stash in one locked instruction each way, where the free ring takes two.
// A push that finds another goroutine's index in its stash, with nobody
// asking for it yet, writes its tag in the word's asker field (one
// compare-and-swap, not retried), which lets its next pop take the stash
// over (see putFree).
func (q *LockFree[T]) takeFree(waiting bool, key uint64) (uint64, lockFreeStatus) {
	s, own := q.stashOf(key)
	if x := s.Load(); x != 0 {
		if q.stashOwner(x) == own {
			if i, ok := q.unstash(s); ok {
				return i, lockFreeOK
			}
		} else if q.stashAsker(x) == 0 {
			s.CompareAndSwap(x, x|stashTag(key)<<q.stashBits)
		}
	}
	i, st := q.free.dequeue(waiting)
	if st != lockFreeEmpty {
		return i, st
	}
	for j := range q.stashes {
		if s := &q.stashes[j].w; s.Load() != 0 {
			if i, ok := q.unstash(s); ok {
				return i, lockFreeOK
			}
		}
	}
	return 0, st
}

// unstash swaps stash s to empty and returns the index it held, if any.
func (q *LockFree[T]) unstash(s *atomic.Uint64) (uint64, bool) {
	x := s.Swap(0)
	if x == 0 {
		return 0, false
	}
	stall(stallLockFreeFreeDeqTaken)
	return q.stashIndex(x), true
}

// anyStashed reports whether some stash held an index when it looked (one
// load per stash).
func (q *LockFree[T]) anyStashed() bool {
	for j := range q.stashes {
		if q.stashes[j].w.Load() != 0 {
			return true
		}
	}
	return false
}

// putFree gives index i back: into its goroutine's stash if that is empty
// (one compare-and-swap, after a load that sees it empty, not retried); into
// the stash also if it holds another goroutine's index that this goroutine's
// own push asked for (the asker field holds its tag), which a swap then
// moves to the free ring (one more locked instruction than giving i to the
// free ring, paid back by the stash hit of this goroutine's next push); else
// to the free ring. Every index leaves this call in exactly one place.
//
// The asker tag keeps a pop from taking a stash over unless its own
// goroutine pushes: goroutines that only pop, sharing a stash with one that
// only pushes, would otherwise take it from each other on every pop, paying
// a swap and passing its line back and forth for nothing. Two goroutines
// with one tag (one in 128 of pairs) just behave as one asker.
func (q *LockFree[T]) putFree(i, key uint64) {
	s, own := q.stashOf(key)
	x := s.Load()
	if x == 0 && s.CompareAndSwap(0, own|(i+1)) {
		return
	}
	if q.stashAsker(x) == stashTag(key) && q.stashOwner(x) != own { // a tag is never 0: x holds an index
		if old := s.Swap(own | (i + 1)); old != 0 {
			stall(stallLockFreeStashTakeover)
			q.free.enqueue(q.stashIndex(old))
		}
		return
	}
	q.free.enqueue(i)
}

// TryPush appends v if the queue has a free slot and is not closed, and
// reports whether it did. It never waits for another goroutine. It returns
// false if the queue was closed, or if no free slot was found: the queue held
// Cap() elements, or pushes and pops in progress held the missing slots (see
// "Full and empty" in the type's documentation). Lock-free; it does not
// allocate.
func (q *LockFree[T]) TryPush(v T) bool {
	if q.push(&v, false, stripe.Key()) != lockFreeOK {
		return false
	}
	q.wakePopper()
	return true
}

// Offer appends v if the queue has a free slot and is not closed. It
// returns nil when v was pushed, ErrFull if no free slot was found (as for
// TryPush, see "Full and empty"), and ErrClosed if the queue was closed. It
// never waits for another goroutine. Lock-free; it does not allocate.
func (q *LockFree[T]) Offer(v T) error {
	switch q.push(&v, false, stripe.Key()) {
	case lockFreeFull:
		return ErrFull
	case lockFreeClosed:
		return ErrClosed
	}
	q.wakePopper()
	return nil
}

// TryPop removes and returns the oldest element. It returns ok == false only
// if the queue was empty at some instant during the call (a push still in
// progress may be overtaken; see the type's documentation). It never waits
// for another goroutine. The slot is zeroed, so the queue keeps no reference
// to the returned value. Lock-free; it does not allocate.
func (q *LockFree[T]) TryPop() (v T, ok bool) {
	if q.pop(&v, false, stripe.Key()) != lockFreeOK {
		return v, false
	}
	q.wakePusher()
	return v, true
}

// Push appends v, waiting while the queue is full. It returns nil once v is
// in the queue, ErrClosed if the queue is or becomes closed first, or
// ctx.Err() if ctx is done first; in both error cases v was not pushed.
//
// While the queue is full, Push follows the waiting policy described at
// Queue's Push (spin only while it can pay, then park); the goroutine parks
// until a pop frees a slot, and uses no CPU while parked. Push parks only
// while TryPush would fail; it never waits for a goroutine stopped in the
// middle of an operation, except that such a pop holds one slot (see "Full
// and empty"). ctx is consulted only when Push would park: with room, Push
// succeeds even if ctx is done. It does not allocate unless it parks. Push
// panics if ctx is nil.
func (q *LockFree[T]) Push(ctx context.Context, v T) error {
	if ctx == nil {
		panic("lfqueue: Push called with nil Context")
	}
	key := stripe.Key()
	// Fast path: one attempt. Of what the pops write it reads the free
	// ring's threshold and head entry (the slot it takes), and tail only
	// when the queue is full or closed.
	switch q.push(&v, true, key) {
	case lockFreeOK:
		q.wakePopper()
		return nil
	case lockFreeClosed:
		return ErrClosed
	}
	return q.pushSlow(ctx, &v, key)
}

// pushSlow is Push after its first attempt found no free slot ready: it
// waits for one as popSlow waits for an element.
func (q *LockFree[T]) pushSlow(ctx context.Context, v *T, key uint64) error {
	yields := 0
	for {
		// The pop that frees an index writes the free ring's entry at
		// its head, unless its own stash was empty and took it: watch
		// that entry while no stash holds an index, and read the pops'
		// counters only once it holds one or the spin did not see it
		// fill.
		word, watch, h := q.free.headWatch()
		if !q.free.holds(watch, h) && !q.anyStashed() && ctx.Err() == nil && q.pushSpin.wait(word, watch, h>>1) {
			continue
		}
		switch q.push(v, false, key) {
		case lockFreeOK:
			q.wakePopper()
			return nil
		case lockFreeClosed:
			return ErrClosed
		}
		if q.free.head.Load() != h && ctx.Err() == nil {
			continue // other pushes took the index it saw: look again
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if yieldForRoom(q.poppers.Waiting.Load() != 0, &yields) {
			continue
		}
		// Register, then recheck: a pop that frees a slot after the
		// recheck sees the registration and wakes a waiter.
		q.pushers.Register()
		switch q.push(v, false, key) {
		case lockFreeOK:
			q.pushers.Cancel()
			q.wakePopper()
			return nil
		case lockFreeClosed:
			q.pushers.Cancel()
			return ErrClosed
		}
		if err := q.pushers.Park(ctx); err != nil {
			return err
		}
	}
}

// wakePopper wakes a goroutine parked in Pop, if any, after a push.
func (q *LockFree[T]) wakePopper() {
	if q.poppers.Waiting.Load() != 0 {
		q.poppers.WakeOne()
	}
}

// wakePusher wakes a goroutine parked in Push, if any, after a pop.
func (q *LockFree[T]) wakePusher() {
	if q.pushers.Waiting.Load() != 0 {
		q.pushers.WakeOne()
	}
}

// Pop removes and returns the oldest element, waiting while the queue is
// empty. It returns ErrClosed once the queue is closed and empty, or
// ctx.Err() if ctx is done first; in both error cases nothing was removed.
//
// While the queue is empty, Pop follows the waiting policy described at
// Queue's Pop; the goroutine parks until a push arrives or the queue is closed, and uses no CPU while
// parked. ctx is consulted only when Pop would park. It does not allocate
// unless it parks. Pop panics if ctx is nil.
func (q *LockFree[T]) Pop(ctx context.Context) (v T, err error) {
	if ctx == nil {
		panic("lfqueue: Pop called with nil Context")
	}
	key := stripe.Key()
	// Fast path: one attempt. Of what the pushes write it reads the
	// element ring's threshold and head entry (the slot it takes), and tail
	// only when the threshold says empty; closed-and-drained is decided in
	// the slow path.
	switch q.pop(&v, true, key) {
	case lockFreeOK:
		q.wakePusher()
		return v, nil
	case lockFreeClosed:
		return v, ErrClosed
	}
	err = q.popSlow(ctx, &v, key)
	return v, err
}

// popSlow is Pop after its first attempt found no element ready: it
// watches the element ring's head entry while the spin policy allows, then
// parks.
func (q *LockFree[T]) popSlow(ctx context.Context, v *T, key uint64) error {
	for {
		// The push that refills the queue writes the element ring's
		// entry at its head: watch that entry, and read the pushes'
		// counters (which every push writes) only once it holds an
		// element or the spin did not see it fill. Close does not write
		// it: a closed queue is looked at at once.
		word, watch, h := q.elems.headWatch()
		if !q.elems.holds(watch, h) && !q.closing.Load() && ctx.Err() == nil && q.popSpin.wait(word, watch, h>>1) {
			continue
		}
		switch q.pop(v, false, key) {
		case lockFreeOK:
			q.wakePusher()
			return nil
		case lockFreeClosed:
			return ErrClosed
		}
		if q.elems.head.Load() != h && ctx.Err() == nil {
			continue // other pops took the element it saw: look again
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		q.poppers.Register()
		switch q.pop(v, false, key) {
		case lockFreeOK:
			q.poppers.Cancel()
			q.wakePusher()
			return nil
		case lockFreeClosed:
			q.poppers.Cancel()
			return ErrClosed
		}
		if err := q.poppers.Park(ctx); err != nil {
			return err
		}
	}
}

// All returns an iterator over the elements popped from q, for use with
// range, like ranging over a channel: each iteration blocks in Pop, and the
// loop ends when the queue is closed and drained, or as soon as ctx is done
// (checked before every element, even while elements keep arriving).
// Breaking out of the loop loses nothing: an element is popped only to be
// yielded. All panics if ctx is nil.
func (q *LockFree[T]) All(ctx context.Context) iter.Seq[T] {
	if ctx == nil {
		panic("lfqueue: All called with nil Context")
	}
	q.mustBeNew()
	return popAll(ctx, q.Pop)
}

// notNewLockFreeMsg is the panic value of every method called on a LockFree
// not made by NewLockFree.
const notNewLockFreeMsg = "lfqueue: LockFree used without NewLockFree (the zero value is not usable)"

// mustBeNew panics with notNewLockFreeMsg on a zero LockFree (capacity is at
// least 1 for every queue NewLockFree makes).
func (q *LockFree[T]) mustBeNew() {
	if q.cap == 0 {
		panic(notNewLockFreeMsg)
	}
}

// Close closes the queue. No push that starts after Close returns succeeds
// (TryPush returns false, Push returns ErrClosed), while every element whose
// push succeeded stays poppable: TryPop, Pop and All drain them, and only then
// does Pop report ErrClosed. Goroutines blocked in Push or Pop wake up. Close
// is idempotent and safe to call concurrently with every other method. It is
// one atomic read-modify-write that sets a bit; if it is the first Close, it
// then wakes every parked goroutine (see "Progress").
//
// Close sets the finalize bit in the element ring's tail, as LSCQ finalizes
// a ring: every push that claims an element-ring position after that fails.
// A push that claimed its position before that and is still in progress
// completes as Queue's does: it succeeds (it took effect before Close, and
// its element is poppable, before any Pop reports ErrClosed) unless a pop
// overtook it first, and then it fails with ErrClosed.
func (q *LockFree[T]) Close() {
	q.mustBeNew()
	if q.elems.tail.Or(finalized)&finalized == 0 {
		q.closing.Store(true)
		stall(stallLockFreeClosed)
		q.pushers.WakeAll()
		q.poppers.WakeAll()
	}
}

// Closed reports whether Close has been called.
func (q *LockFree[T]) Closed() bool { q.mustBeNew(); return q.elems.tail.Load()&finalized != 0 }

// Len returns the number of elements in the queue, between 0 and Cap(). It
// is exact when no push or pop is in progress; while some are, it may count
// a push or pop in progress as done or not, clamped to [0, Cap()]. It is
// wait-free: it reads the element ring's tail, head and tail again (retrying
// a bounded number of times until the two tails agree) and takes their
// difference. A position a push gave up stays between them until a pop
// passes it (a push gives its position up when a pop a lap behind has not
// yet emptied it, or when the queue is closed); while one may, Len counts
// the entries between head and tail instead, at most twice the capacity
// rounded up to a power of two.
func (q *LockFree[T]) Len() int {
	q.mustBeNew()
	return int(q.elems.length(q.cap))
}

// Cap returns the capacity given to NewLockFree.
func (q *LockFree[T]) Cap() int { q.mustBeNew(); return int(q.cap) }

// IsEmpty reports whether Len() == 0.
func (q *LockFree[T]) IsEmpty() bool { return q.Len() == 0 }

// IsFull reports whether Len() == Cap(). TryPush can fail while IsFull is
// false; see "Full and empty".
func (q *LockFree[T]) IsFull() bool { return q.Len() == int(q.cap) }

// FillRatio returns Len()/Cap(), between 0 and 1.
func (q *LockFree[T]) FillRatio() float64 { return float64(q.Len()) / float64(q.cap) }
