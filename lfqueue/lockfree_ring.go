package lfqueue

import (
	"math/bits"
	"sync/atomic"

	"github.com/lfkit/lfkit/internal/pad"
)

// scqRing is one index ring of Nikolaev's SCQ ("A Scalable, Portable, and
// Memory-Efficient Lock-Free FIFO Queue", DISC 2019), the variant that needs
// only a single-word CAS. It is a FIFO of small integers (indices into
// LockFree's data array) that never holds more than half its size, which is
// what lets every enqueue find a usable entry and keeps the ring lock-free.
//
// # Counters
//
// head and tail count positions, stored doubled (2*position): bit 0 of tail
// is the finalize bit (Close), bit 0 of head is always 0, and both wrap
// modulo 2^64, that is positions wrap modulo 2^63. A position's entry is
// picked by position mod size (see slot: the element ring remaps it, the
// free ring does not); its cycle is position / size. Enqueuers and
// dequeuers claim positions with fetch-and-add, so contention on a counter
// never makes an operation retry.
//
// # Entries
//
// An entry packs, from the top: the cycle of the last position that used it
// (stored doubled, bits order+1 and up), a safe bit (bit order) and an index
// (order bits; idxBot = size-1 means "no index"):
//
//	entry = cycleField | safe<<order | index
//
// Cycles compare by signed difference, so they wrap like the counters.
//
//   - An enqueuer at position T may write {cycle(T), safe, index} only into an
//     entry of an older cycle that holds no index and is safe, or is unsafe
//     while head <= T (no dequeuer has passed T yet).
//   - A dequeuer at position H takes the index of an entry of cycle(H)
//     (setting it to idxBot). Finding an entry of an older cycle, it makes
//     sure the enqueuer of H can no longer use it: an empty one is advanced
//     to {cycle(H), safe, idxBot}; one still holding an older index is marked
//     unsafe. Then, if tail <= H+1, the ring is empty: the dequeuer moves tail
//     up to head (catchup) so enqueuers stop claiming dead positions.
//   - Only the dequeuer of H ever takes an index of cycle(H): enqueuers never
//     change an entry of their own cycle or a later one, and the only other
//     writers of an entry that holds H's index are dequeuers of later laps,
//     which clear its safe bit and nothing else. So a dequeuer that loaded
//     such an entry takes its index with an atomic OR of idxBot whose result
//     it does not need, as the reference implementation does, rather than a
//     compare-and-swap that could fail.
//   - threshold bounds how many positions dequeuers pass on an empty ring: an
//     enqueue resets it to 3n-1 (n = size/2) if it is not already that, every
//     failed dequeue attempt decrements it, and a dequeue that finds it
//     negative reports empty at once. This is what keeps dequeuers from
//     livelocking against enqueuers whose positions they keep invalidating
//     (the paper's Theorem on lock-freedom), and it makes a dequeue on an
//     idle empty ring one load (two on the element ring).
//
// # Close (finalize)
//
// The finalize bit in tail makes every later fetch-and-add on tail report
// closed, so an enqueue that claims its position after Close fails. An
// enqueue that claimed its position before Close is still in progress: it
// may write its entry later, and then it succeeds (it took effect before
// Close). So a dequeuer must not report a finalized ring empty while such
// an entry can still appear where no dequeuer will look:
//
//   - on a finalized ring the threshold is ignored: dequeuers never report
//     empty because it ran out, only once head >= tail, that is once every
//     position below tail has been claimed by a dequeuer, which either takes
//     the entry written there or invalidates the position (its enqueuer then
//     claims again and sees the finalize bit);
//   - a threshold that runs out counts only if a load of tail after it ran
//     out shows no finalize bit, so that this empty result takes effect
//     before Close;
//   - this stays lock-free: after finalize, tail moves only by enqueues that
//     then fail at once, and by catchup, which ends the dequeue loop.
//
// A dequeue that reports empty with the finalize bit seen in the same load
// of tail reports lockFreeClosed: the ring was finalized and held nothing at that
// instant, and no enqueue can add to it afterwards.
//
// # Len
//
// tail-head counts, besides the entries that hold an index, the positions
// claimed by enqueues in progress and the dead positions: an enqueuer that
// finds its entry still holding an older index (its dequeuer, a lap behind,
// has not taken it yet) gives its position up and claims another, and so
// does every enqueue that claims a position of a finalized ring; such a
// position stays between head and tail until a dequeue passes it, even on a
// quiet ring. Those enqueuers record the highest dead position in deadMax
// (rare paths only). length uses tail-head while deadMax is below head, and
// otherwise counts the entries between head and tail that hold an index of
// their position's cycle; either is exact on a quiet ring.
//
// # Locked instructions
//
// Read from the generated amd64 code (go build -gcflags=-S, or go tool
// objdump of a test binary; the one-byte XCHGL AX, AX in it is a NOP that
// marks an inlined call, not a locked instruction): on the path where it
// succeeds at the first position, an enqueue is one fetch-and-add (LOCK XADD
// on tail) and one compare-and-swap (LOCK CMPXCHG on the entry), plus an
// XCHG (atomic.Store) of the threshold only when a failed dequeue had
// lowered it; a dequeue is one fetch-and-add (LOCK XADD on head) and one
// LOCK OR on the entry. Everything else on that path is a plain load. Each
// failed attempt adds the same fetch-and-add, at most one compare-and-swap
// on the entry, and for a dequeue one fetch-and-add on the threshold (none
// on a finalized ring). A LockFree push is a dequeue on the free ring and an
// enqueue on the element ring, a pop the reverse: a push and a pop together
// are four fetch-and-adds, two compare-and-swaps and two ORs. When the index
// passes through a stash instead of the free ring (LockFree.takeFree and
// putFree), the free ring's two pairs become one XCHG (the swap that takes
// it) and one LOCK CMPXCHG (the compare-and-swap that stashes it): six in
// all.
//
// Before it claims, a dequeue loads head and the entry there; it reads tail
// only when that entry does not hold an index yet (see dequeue), and an
// enqueue loads tail and its expected entry before its fetch-and-add, so
// that the entry's load overlaps the locked instruction. That early value
// can be stale: showing an older index still there, it makes the enqueue
// give its position up as dead and claim another (at most once per
// enqueue), as a current value would have; any other stale value fails the
// compare-and-swap.
type scqRing struct {
	_         pad.Line
	head      atomic.Uint64 // 2*position of the next dequeue
	_         [pad.Size - 8]byte
	threshold atomic.Int64
	deadMax   atomic.Uint64 // highest dead position (doubled; see Len above)
	_         [pad.Size - 16]byte
	tail      atomic.Uint64 // 2*position of the next enqueue | finalized
	_         [pad.Size - 8]byte

	entries  []atomic.Uint64 // read-only slice header after init
	order    uint            // log2(len(entries))
	size     uint64          // len(entries), a power of two >= 2
	lowMask  uint64          // 2*size - 1: index, safe bit and the doubled slot
	safe     uint64          // 1 << order
	idxBot   uint64          // size - 1: "no index"
	shift    uint            // cache remap: log2(entries per false-sharing range); 0: none
	reset    int64           // 3n-1, n = size/2
	closable bool            // the ring can be finalized: LockFree's element ring
	_        pad.Line
}

// ringStep names a step of a ring operation where the stall-injection tests
// may stop the calling goroutine.
type ringStep uint8

const (
	enqClaimed  ringStep = iota // an enqueue claimed a position
	enqPlaced                   // an enqueue wrote its entry
	deqClaimed                  // a dequeue claimed a position
	deqTaken                    // a dequeue took an index
	catchup                     // a dequeue found its position empty, before catching tail up
	enqFindable                 // an enqueue reset the threshold, before it returns
)

// ringStall stops the caller at step s of this ring when a stall test says
// so. The point is the element ring's when the ring is closable and the free
// ring's otherwise (which has no enqFindable point); outside the
// stall-injection build it compiles to nothing.
func (r *scqRing) ringStall(s ringStep) {
	elem := [...]stallPoint{
		stallLockFreeElemEnqClaimed, stallLockFreeElemEnqPlaced, stallLockFreeElemDeqClaimed,
		stallLockFreeElemDeqTaken, stallLockFreeElemCatchup, stallLockFreeElemEnqFindable,
	}
	free := [...]stallPoint{
		stallLockFreeFreeEnqClaimed, stallLockFreeFreeEnqPlaced, stallLockFreeFreeDeqClaimed,
		stallLockFreeFreeDeqTaken, stallLockFreeFreeCatchup, 0,
	}
	if r.closable {
		stall(elem[s])
	} else {
		stall(free[s])
	}
}

// finalized is the finalize bit in tail.
const finalized = 1

// init sets up an empty ring of 2^order entries whose first position is
// start (a position, not doubled). Positions below start count as an older
// lap: every entry starts safe and empty in the cycle before start's. With
// remap set, slot spreads neighbouring positions over different
// false-sharing ranges; without it, positions map to entries in order.
func (r *scqRing) init(order uint, start uint64, closable, remap bool) {
	r.closable = closable
	r.order = order
	r.size = 1 << order
	r.lowMask = 2*r.size - 1
	r.safe = r.size
	r.idxBot = r.size - 1
	r.reset = int64(3*(r.size/2) - 1)
	// 8-byte entries: pad.Size/8 of them share a false-sharing range.
	r.shift = 0
	if remap {
		r.shift = min(uint(bits.TrailingZeros(uint(pad.Size/8))), order)
	}
	r.entries = make([]atomic.Uint64, r.size)
	d := start << 1
	for i := uint64(0); i < r.size; i++ {
		p := d + 2*i // doubled position of the i-th position from start
		// Empty, safe, in the cycle one lap before p's.
		r.entries[r.slot(p)].Store(r.cycle(p-2*r.size) | r.safe | r.idxBot)
	}
	r.head.Store(d)
	r.tail.Store(d)
	r.deadMax.Store(d - 2) // below every position of the ring
	r.threshold.Store(-1)
}

// fill puts idx[0..] at the first len(idx) positions of an empty ring that
// was just initialized, as if enqueued in order.
func (r *scqRing) fill(idx []uint64) {
	d := r.tail.Load()
	for i, x := range idx {
		p := d + 2*uint64(i)
		r.entries[r.slot(p)].Store(r.cycle(p) | r.safe | x)
	}
	r.tail.Store(d + 2*uint64(len(idx)))
	if len(idx) > 0 {
		r.threshold.Store(r.reset)
	}
}

// cycle returns the cycle field of a doubled position or of an entry: x with
// the low order+1 bits cleared.
func (r *scqRing) cycle(x uint64) uint64 { return x &^ r.lowMask }

// slot maps a doubled position to its entry. With the cache remap (shift >
// 0), positions that follow each other land in different false-sharing
// ranges, so that neighbouring enqueues and dequeues do not contend for one
// line; with shift 0 it is the position modulo size.
func (r *scqRing) slot(d uint64) uint64 {
	i := (d >> 1) & (r.size - 1)
	return (i >> (r.order - r.shift)) | ((i << r.shift) & (r.size - 1))
}

// before reports whether a < b for wrapping 64-bit counters or cycles.
func before(a, b uint64) bool { return int64(a-b) < 0 }

// enqueue appends index x (x < idxBot). It returns false only if the ring is
// finalized (closable rings only; see Close): then x was not enqueued.
//
// Lock-free: every failed attempt is a position that a dequeuer has passed or
// whose entry still holds an older index; the ring never holds more than
// half its size, so attempts cannot fail for lack of room.
func (r *scqRing) enqueue(x uint64) bool {
	// Load the entry of the position it expects to claim before claiming
	// it, so that the load and the fetch-and-add overlap. Only the first
	// attempt uses this value; if it is stale, the compare-and-swap below
	// fails, or the position is given up as dead (see Locked
	// instructions).
	seen := r.tail.Load()
	e0 := &r.entries[r.slot(seen)]
	e := e0.Load()
	for {
		t := r.tail.Add(2) - 2
		if t&finalized != 0 {
			// Finalized: the position stays dead until a dequeue passes it.
			r.noteDead(t &^ finalized)
			return false
		}
		r.ringStall(enqClaimed)
		if t != seen {
			e0 = &r.entries[r.slot(t)]
			e = e0.Load()
		}
		seen = ^uint64(0) // odd: never a claimed position
		tc := r.cycle(t)
		for before(r.cycle(e), tc) && e&r.idxBot == r.idxBot &&
			(e&r.safe != 0 || !before(t, r.head.Load())) {
			n := tc | r.safe | x
			if !e0.CompareAndSwap(e, n) {
				e = e0.Load()
				continue
			}
			r.ringStall(enqPlaced)
			if r.threshold.Load() != r.reset {
				r.threshold.Store(r.reset)
			}
			r.ringStall(enqFindable)
			return true
		}
		if before(r.cycle(e), tc) && e&r.idxBot != r.idxBot {
			// An older index is still here (its dequeuer, a lap behind,
			// has not taken it): no dequeuer may have passed t yet.
			r.noteDead(t)
		}
	}
}

// noteDead records that doubled position t will never hold an index:
// deadMax becomes at least t. Only rare paths call it.
func (r *scqRing) noteDead(t uint64) {
	for {
		d := r.deadMax.Load()
		if !before(d, t) || r.deadMax.CompareAndSwap(d, t) {
			return
		}
	}
}

// emptyOrClosed is the status of a dequeue that found the ring empty, with
// t the load of tail that decided it.
func emptyOrClosed(t uint64) lockFreeStatus {
	if t&finalized != 0 {
		return lockFreeClosed
	}
	return lockFreeEmpty
}

// dequeue removes the oldest index. It returns lockFreeOK and the index, or
// lockFreeEmpty if the ring was empty at some instant during the call (enqueues
// that have not returned may have been overtaken: see LockFree's
// documentation for what that means for its callers), or lockFreeClosed if it was
// finalized and empty at some instant during the call; then no enqueue can
// succeed any more that a dequeue has not already taken.
//
// With waiting set, a dequeue whose entry at head does not hold an index
// yet returns lockFreeNotYet without reading tail or claiming anything: the
// caller (a blocking Pop or Push) will watch that entry and call again.
// lockFreeNotYet says nothing about the ring's state at any instant.
func (r *scqRing) dequeue(waiting bool) (x uint64, st lockFreeStatus) {
	// On a finalized ring the threshold does not count (see Close).
	if r.threshold.Load() < 0 && (!r.closable || r.tail.Load()&finalized == 0) {
		return 0, lockFreeEmpty
	}
	// Nothing claimed beyond head: empty, without claiming (and so
	// invalidating) a position an enqueuer is about to use. A dequeuer that
	// claimed a position below head and has not taken its element yet is
	// in progress, so its dequeue can count as done before this one.
	//
	// tail is read only if the entry at head does not already hold an
	// index of head's cycle: tail is the enqueuers' line, and a dequeuer
	// that read it on every call would pull it away from them on every
	// element of a handoff. The entry is the line this dequeue takes its
	// index from anyway. Either way the check only decides whether to
	// claim; what the claim finds is decided below.
	seen := r.head.Load()
	e0 := &r.entries[r.slot(seen)]
	e := e0.Load()
	ready := r.holds(e, seen)
	if !ready {
		if waiting {
			return 0, lockFreeNotYet
		}
		if t := r.tail.Load(); !before(seen, t&^finalized) {
			return 0, emptyOrClosed(t)
		}
	}
	for {
		h := r.head.Add(2) - 2
		r.ringStall(deqClaimed)
		if h == seen && ready {
			// The entry it saw holds h's index, and only this dequeue
			// takes it (see Entries): no need to read it again.
			e0.Or(r.idxBot)
			r.ringStall(deqTaken)
			return e & r.idxBot, lockFreeOK
		}
		ready = false
		e0 = &r.entries[r.slot(h)]
		hc := r.cycle(h)
		e = e0.Load()
		for {
			ec := r.cycle(e)
			if ec == hc {
				// Written by the enqueuer of h, so it holds an index,
				// and nobody else takes it (see Entries).
				e0.Or(r.idxBot)
				r.ringStall(deqTaken)
				return e & r.idxBot, lockFreeOK
			}
			if !before(ec, hc) {
				break // a later cycle already: this position is dead
			}
			var n uint64
			if e&r.idxBot != r.idxBot {
				// An older index nobody has taken yet: mark the entry
				// unsafe so that the enqueuer of h cannot use it once
				// that index is taken.
				n = e &^ r.safe
				if n == e {
					break
				}
			} else {
				// Empty: advance it to h's cycle, so the enqueuer of h
				// (if any) fails and retries at a later position.
				n = hc | (e & r.safe) | r.idxBot
			}
			if e0.CompareAndSwap(e, n) {
				break
			}
			e = e0.Load()
		}
		t := r.tail.Load()
		if !before(h+2, t&^finalized) {
			r.ringStall(catchup)
			r.catchup(h + 2)
			if t&finalized == 0 {
				r.threshold.Add(-1)
			}
			return 0, emptyOrClosed(t)
		}
		// The threshold ran out: empty, unless the ring was finalized in
		// the meantime (a Close before the threshold ran out could have
		// an enqueue in progress that must not be overtaken; see Close).
		if t&finalized == 0 && r.threshold.Add(-1) < 0 && r.tail.Load()&finalized == 0 {
			return 0, lockFreeEmpty
		}
	}
}

// holds reports whether entry value e holds an index of doubled position
// h's cycle, that is whether the enqueue of h has completed and no dequeue
// has taken its index yet.
func (r *scqRing) holds(e, h uint64) bool {
	return r.cycle(e) == r.cycle(h) && e&r.idxBot != r.idxBot
}

// headWatch returns the entry of the position at head, its value, and the
// doubled position: what a blocked dequeuer watches while it spins, since
// the enqueue that refills an empty ring writes that entry. It is not tail,
// the enqueuers' own line, so a spinning dequeuer does not pull that line
// away from every enqueue. Close does not change the entry; a spin that
// misses it ends within its budget, and the caller then rechecks.
func (r *scqRing) headWatch() (w *atomic.Uint64, old, h uint64) {
	h = r.head.Load()
	w = &r.entries[r.slot(h)]
	return w, w.Load(), h
}

// catchup moves tail up to head (at least h), keeping the finalize bit, so
// that enqueuers stop claiming positions dequeuers have already passed.
func (r *scqRing) catchup(h uint64) {
	for {
		t := r.tail.Load()
		if !before(t&^finalized, h) || r.tail.CompareAndSwap(t, h|t&finalized) {
			return
		}
		if hh := r.head.Load(); before(h, hh) {
			h = hh
		}
	}
}

// lenTries bounds how often length rereads the counters for a consistent
// pair, so that it stays wait-free.
const lenTries = 3

// length returns the number of indices in the ring, at most limit. It is
// exact when no enqueue or dequeue is in progress; while some are, it is a
// value between 0 and limit. Wait-free: at most 2*lenTries+2 loads of the
// counters and, only while a dead position may lie between head and tail,
// one load per position between them (at most size).
func (r *scqRing) length(limit uint64) uint64 {
	// Read tail, head, tail until the two tails agree (crossbeam's len):
	// then tail had that value when head was read.
	t := r.tail.Load() &^ finalized
	var h uint64
	for range lenTries {
		h = r.head.Load()
		t2 := r.tail.Load() &^ finalized
		if t2 == t {
			break
		}
		t = t2
	}
	if !before(h, t) {
		return 0 // dequeuers ran ahead of tail on an empty ring
	}
	if before(r.deadMax.Load(), h) {
		return min((t-h)/2, limit)
	}
	// A dead position may lie between head and tail: count the entries that
	// hold an index of their own position's cycle.
	n := uint64(0)
	for p, i := h, uint64(0); before(p, t) && i < r.size; p, i = p+2, i+1 {
		if e := r.entries[r.slot(p)].Load(); r.cycle(e) == r.cycle(p) && e&r.idxBot != r.idxBot {
			n++
		}
	}
	return min(n, limit)
}
