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
// modulo 2^64, that is positions wrap modulo 2^63. A position's slot is
// remap(position mod size); its cycle is position / size. Enqueuers and
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
//   - threshold bounds how many positions dequeuers pass on an empty ring: an
//     enqueue resets it to 3n-1 (n = size/2), every failed dequeue attempt
//     decrements it, and a dequeue that finds it negative reports empty at
//     once. This is what keeps dequeuers from livelocking against enqueuers
//     whose positions they keep invalidating (the paper's Theorem on
//     lock-freedom), and it makes a dequeue on an idle empty ring one load.
//
// # Close (finalize) and retract
//
// The finalize bit in tail makes every later fetch-and-add report closed. An
// enqueuer whose position was claimed before finalization checks tail again
// after writing its entry and resetting the threshold: if finalized, it takes
// its index back (retract), unless the dequeuer of its position has already
// taken it. (The reset comes first so that an enqueue that succeeds left its
// entry findable by dequeuers before Close.) So once Close
// has returned, no enqueue succeeds that a dequeuer has not already consumed.
// Because of retract, a dequeuer takes an index with a CAS, not an OR, and an
// entry of its own cycle holding idxBot means "retracted": nothing to take.
type scqRing struct {
	_         pad.Line
	head      atomic.Uint64 // 2*position of the next dequeue
	_         [pad.Size - 8]byte
	threshold atomic.Int64
	_         [pad.Size - 8]byte
	tail      atomic.Uint64 // 2*position of the next enqueue | finalized
	_         [pad.Size - 8]byte

	entries  []atomic.Uint64 // read-only slice header after init
	order    uint            // log2(len(entries))
	size     uint64          // len(entries), a power of two >= 2
	lowMask  uint64          // 2*size - 1: index, safe bit and the doubled slot
	safe     uint64          // 1 << order
	idxBot   uint64          // size - 1: "no index"
	shift    uint            // cache remap: log2(entries per false-sharing range)
	reset    int64           // 3n-1, n = size/2
	closable bool            // the ring can be finalized (aq, not fq)
	points   ringPoints      // stall points (stall-injection tests only)
	_        pad.Line
}

// ringPoints names the stall points of one ring; fq and aq use different ones.
type ringPoints struct {
	enqClaimed, enqPlaced, deqClaimed, deqTaken, catchup, enqFindable stallPoint
}

// finalized is the finalize bit in tail.
const finalized = 1

// init sets up an empty ring of 2^order entries whose first position is
// start (a position, not doubled). Positions below start count as an older
// lap: every entry starts safe and empty in the cycle before start's.
func (r *scqRing) init(order uint, start uint64, closable bool, pts ringPoints) {
	r.closable = closable
	r.order = order
	r.size = 1 << order
	r.lowMask = 2*r.size - 1
	r.safe = r.size
	r.idxBot = r.size - 1
	r.reset = int64(3*(r.size/2) - 1)
	r.points = pts
	// 8-byte entries: pad.Size/8 of them share a false-sharing range.
	r.shift = min(uint(bits.TrailingZeros(uint(pad.Size/8))), order)
	r.entries = make([]atomic.Uint64, r.size)
	d := start << 1
	for i := uint64(0); i < r.size; i++ {
		p := d + 2*i // doubled position of the i-th position from start
		// Empty, safe, in the cycle one lap before p's.
		r.entries[r.slot(p)].Store(r.cycle(p-2*r.size) | r.safe | r.idxBot)
	}
	r.head.Store(d)
	r.tail.Store(d)
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

// slot maps a doubled position to its entry with the cache remap: positions
// that follow each other land in different false-sharing ranges, so that
// neighbouring enqueues and dequeues do not contend for one line.
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
// whose entry another enqueuer won; the ring never holds more than half its
// size, so attempts cannot fail for lack of room.
func (r *scqRing) enqueue(x uint64) bool {
	for {
		t := r.tail.Add(2) - 2
		if t&finalized != 0 {
			return false
		}
		stall(r.points.enqClaimed)
		e0 := &r.entries[r.slot(t)]
		tc := r.cycle(t)
		e := e0.Load()
		for before(r.cycle(e), tc) && e&r.idxBot == r.idxBot &&
			(e&r.safe != 0 || !before(t, r.head.Load())) {
			n := tc | r.safe | x
			if !e0.CompareAndSwap(e, n) {
				e = e0.Load()
				continue
			}
			stall(r.points.enqPlaced)
			// Reset the threshold before the finalize check: a dequeuer
			// that finds the threshold negative reports empty, so an
			// enqueue that succeeds (the check saw no finalize bit) must
			// have made its element findable before Close.
			if r.threshold.Load() != r.reset {
				r.threshold.Store(r.reset)
			}
			stall(r.points.enqFindable)
			if r.closable && r.tail.Load()&finalized != 0 && r.retract(e0, tc|x) {
				return false
			}
			return true
		}
	}
}

// retract takes back index x, written with cycle field tc, from entry e0 of
// a finalized ring; it returns false if a dequeuer took it first (the
// enqueue then stands).
func (r *scqRing) retract(e0 *atomic.Uint64, want uint64) bool {
	for {
		e := e0.Load()
		if e&^r.safe != want {
			return false // taken: idxBot now, or a later cycle
		}
		if e0.CompareAndSwap(e, e|r.idxBot) {
			return true
		}
	}
}

// dequeue removes the oldest index. It returns ok == false if the ring was
// empty at some instant during the call, or if the threshold ran out: then
// enqueues that have not returned may have been overtaken (see LockFree's
// documentation for what that means for its callers).
func (r *scqRing) dequeue() (x uint64, ok bool) {
	if r.threshold.Load() < 0 {
		return 0, false
	}
	// Nothing claimed beyond head: empty, without claiming (and so
	// invalidating) a position an enqueuer is about to use. A dequeuer that
	// claimed a position below head and has not taken its element yet is
	// in progress, so its dequeue can count as done before this one.
	if h, t := r.head.Load(), r.tail.Load()&^finalized; !before(h, t) {
		return 0, false
	}
	for {
		h := r.head.Add(2) - 2
		stall(r.points.deqClaimed)
		e0 := &r.entries[r.slot(h)]
		hc := r.cycle(h)
		e := e0.Load()
		for {
			ec := r.cycle(e)
			if ec == hc {
				if e&r.idxBot == r.idxBot {
					break // retracted by a finalized enqueue: nothing here
				}
				if e0.CompareAndSwap(e, e|r.idxBot) {
					stall(r.points.deqTaken)
					return e & r.idxBot, true
				}
				e = e0.Load()
				continue
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
		if t := r.tail.Load() &^ finalized; !before(h+2, t) {
			stall(r.points.catchup)
			r.catchup(h + 2)
			r.threshold.Add(-1)
			return 0, false
		}
		if r.threshold.Add(-1) < 0 {
			return 0, false
		}
	}
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
