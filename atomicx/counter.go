package atomicx

import (
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/stripe"
)

// maxStripeBits caps a Counter at 256 stripes (32 KiB on amd64).
const maxStripeBits = 8

// One Add in 2^sampleBits (picked by a hash of the value the add left) is
// sampled: it records its goroutine on the word it added to and looks at
// who had the word before. A word whose previous sampled Add came from
// another goroutine after fewer than streakMin sampled Adds in a row is
// contended. The mark keeps the streak in its low streakBits bits
// (saturating at streakMax) and the goroutine's stack key above them.
//
// A contended base word stripes the Counter; a contended stripe draws a new
// multiplier, unless one was drawn within rehashInterval.
const (
	sampleBits     = 6
	streakBits     = 4
	streakMax      = 1<<streakBits - 1
	streakMin      = 4
	rehashInterval = time.Millisecond
)

// epoch is the origin of stripes.rehashed: monotonic time since it is cheap
// to compare and immune to wall-clock steps.
var epoch = time.Now()

// word is a word that Adds go to (a Counter's base or one of its stripes)
// and its sampling mark: the stack key of the goroutine that made the last
// sampled Add to n, shifted left by streakBits, or'd with the number of
// sampled Adds it made in a row (saturating at streakMax); 0 before the
// first sample.
type word struct {
	n    atomic.Int64
	mark atomic.Uint64
}

// counterStripe is one stripe, alone on a false-sharing range.
type counterStripe struct {
	word
	_ [pad.Size - unsafe.Sizeof(word{})]byte
}

// stripes is a Counter's array of stripes, created once, and the hash that
// maps goroutines onto them.
//
// Invariant: stripe i starts at first + i*pad.Size, and first is a multiple
// of pad.Size, so every stripe owns one whole aligned false-sharing range
// and no two stripes share one. mem is the allocation that first points into
// (one spare stripe absorbs the rounding); holding it keeps the memory alive.
//
// Adds do not read stripes: they read the Counter's copy of first and
// shift (Counter.tagged) and its multiplier. Handle, Load, Drain and the
// rehash do; the words Handle and the rehash write live on their own range.
type stripes struct {
	stripesHeader
	_ [pad.Size - unsafe.Sizeof(stripesHeader{})%pad.Size]byte

	next     atomic.Uint64 // Handle's round robin
	rehashed atomic.Int64  // when Counter.mult was last drawn, in ns since epoch
	_        [pad.Size - 16]byte
}

// stripesHeader is the part of stripes that does not change once made.
type stripesHeader struct {
	shift uint // 64 - bits: a goroutine's stripe is key*mult >> shift
	bits  uint // log2 of the stripe count
	first unsafe.Pointer
	mem   []counterStripe
}

func (s *stripes) at(i uint64) *counterStripe {
	return (*counterStripe)(unsafe.Add(s.first, uintptr(i)*pad.Size))
}

// Counter is an int64 counter for Adds from many goroutines at once. It
// starts as a single atomic word and, once goroutines are seen adding to
// that word at the same time, spreads their Adds over stripes, each on its
// own false-sharing range, so that goroutines running on different cores do
// not contend on one cache line as they do on a shared atomic.Int64. Java's
// LongAdder is the model.
//
// The zero value is ready to use and allocates nothing until the Counter
// stripes; then it allocates its stripes once, their number fixed from
// GOMAXPROCS (the smallest power of two ≥ 4*GOMAXPROCS, at most 256).
//
// A goroutine's stripe is a hash of the address of its own stack, which
// needs no runtime internals. Two goroutines can hash to one stripe; the
// Counter notices from a few sampled Adds that the stripe keeps changing
// hands and draws a new hash (see Add).
//
// When to use what:
//   - A goroutine that adds in a long loop, or a long-lived worker, should
//     take a Handle: its Adds are one atomic add on a stripe of its own,
//     with nothing to load or hash first, the cheapest way to count.
//   - Adds from goroutines that come and go (request handlers) go through
//     Counter.Add: one atomic add plus a call and a few loads from the
//     Counter's own cache line, which does not contend once the Counter has
//     striped.
//   - If only one goroutine at a time adds (or GOMAXPROCS is 1), a plain
//     atomic.Int64 costs less than a Counter, which then stays a single
//     word but is still a function call (the compiler does not inline Add;
//     it inlines atomic.Int64.Add to one instruction) that loads and tests
//     its stripe pointer and hashes the value its add left. On a machine
//     with few cores whose processors often take turns rather than run at
//     once (an oversubscribed host), the same holds: a shared word that is
//     not contended cannot be beaten, only matched.
//
// A Counter must not be copied after first use.
type Counter struct {
	// Invariant: mult is set before tagged, and tagged before any
	// multiplier is drawn, so an Add that loads a non-nil tagged then loads
	// an odd mult.
	_    noCopy
	base word                    // where Adds go until the Counter stripes
	s    atomic.Pointer[stripes] // nil until the Counter stripes
	// tagged is s's first stripe plus s's shift (< pad.Size, so still a
	// pointer into the stripes' allocation): all that an Add needs of s in
	// one word on the Counter's own line; nil until Adds may stripe.
	tagged atomic.Pointer[counterStripe]
	mult   atomic.Uint64 // odd: the stripe hash's current multiplier
}

// stripes returns c's stripes, striping c first if it has none.
func (c *Counter) stripes() *stripes {
	if s := c.s.Load(); s != nil {
		return s
	}
	return c.init()
}

func (c *Counter) init() *stripes {
	bits := stripe.Bits(maxStripeBits)
	s := &stripes{stripesHeader: stripesHeader{shift: 64 - bits, bits: bits, mem: make([]counterStripe, 1<<bits+1)}}
	s.rehashed.Store(-int64(rehashInterval)) // the first rehash need not wait
	addr := uintptr(unsafe.Pointer(&s.mem[0]))
	skip := (pad.Size - addr%pad.Size) % pad.Size // < pad.Size: stays inside mem
	s.first = unsafe.Add(unsafe.Pointer(&s.mem[0]), skip)
	if !c.s.CompareAndSwap(nil, s) {
		return c.s.Load()
	}
	// Only the winner gets here, once: no multiplier can be drawn before
	// tagged is set (a draw needs a sampled Add to a stripe).
	c.mult.Store(stripe.Random() | 1)
	c.tagged.Store((*counterStripe)(unsafe.Add(s.first, s.shift)))
	counterEvent(func(e *counterEvents) { e.stripings.Add(1) })
	return s
}

// Add adds n to the counter. It is wait-free: no step is ever retried.
//
// Before the Counter stripes, Add is one atomic add on the base word, after
// an atomic load of the stripe pointer from the same cache line. After, it
// is one atomic add on the calling goroutine's stripe, after atomic loads
// of the stripe pointer and of the multiplier, both from the Counter's own
// line (no load depends on another).
//
// Stripe choice: the calling goroutine's stack address, hashed by the
// Counter's current random odd multiplier (multiply-shift hashing: over the
// random multiplier, two goroutines share a stripe with probability at most
// 2/stripes).
//
// Contention is detected by sampling, not on every Add: the value an Add
// leaves in its word, hashed, picks about one Add in 64 of that word. A
// sampled Add records its goroutine and a streak count in the word's mark
// (a store on the line it holds anyway). If the mark names another
// goroutine that had fewer than 4 sampled Adds in a row, two goroutines are
// adding to the word at the same time: the base word then stripes the
// Counter (once), and a stripe draws a new multiplier (one compare-and-swap,
// not retried, at most one draw per millisecond), which moves every
// goroutine to an independently hashed stripe, so two goroutines that
// collided part with probability at least 1-2/stripes at each draw.
// Goroutines that take turns on one core hand a word over after long
// streaks and are not taken for contention.
//
// Adds through a Handle are not sampled: a goroutine whose stripe is a
// handle's shares it unnoticed.
func (c *Counter) Add(n int64) {
	p := unsafe.Pointer(c.tagged.Load())
	if p == nil {
		// Only a sample needs the key here: an unstriped Add neither
		// computes it nor stores the local whose address it is.
		if sampled(c.base.n.Add(n)) {
			c.sample(&c.base, stripe.Key())
		}
		return
	}
	key := stripe.Key()
	shift := uintptr(p) % pad.Size
	i := key * c.mult.Load() >> (shift & 63)
	w := (*word)(unsafe.Add(p, uintptr(i)*pad.Size-shift))
	if sampled(w.n.Add(n)) {
		c.sample(w, key)
	}
}

// sampled reports whether the Add that left v in its word is sampled: the
// top sampleBits bits of v's Fibonacci hash are 0, so that Adds of any step
// are sampled at about the same rate.
func sampled(v int64) bool { return uint64(v)*0x9E3779B97F4A7C15>>(64-sampleBits) == 0 }

// sample is Add's sampled path: the goroutine with key made a sampled Add to
// w. If w is contended, a base word stripes the Counter, and a stripe draws
// a new multiplier unless one was drawn within rehashInterval.
func (c *Counter) sample(w *word, key uint64) {
	if !w.contended(key) {
		return
	}
	if w == &c.base {
		c.stripes()
		return
	}
	counterEvent(func(e *counterEvents) { e.collisions.Add(1) })
	s := c.s.Load()
	now := int64(time.Since(epoch))
	last := s.rehashed.Load()
	if now-last < int64(rehashInterval) || !s.rehashed.CompareAndSwap(last, now) {
		return
	}
	c.mult.Store(stripe.Random() | 1)
	counterEvent(func(e *counterEvents) { e.rehashes.Add(1) })
}

// contended records in w's mark a sampled Add by the goroutine with key and
// reports whether the previous sampled Add came from another goroutine that
// had made fewer than streakMin sampled Adds in a row. Racing samplers may
// overwrite each other's marks: the mark is a hint, and only decides when to
// stripe or rehash, never where an Add is counted.
func (w *word) contended(key uint64) bool {
	old := w.mark.Load()
	if old>>streakBits == key {
		if old&streakMax != streakMax {
			w.mark.Store(old + 1)
		}
		return false
	}
	w.mark.Store(key << streakBits)
	counterEvent(func(e *counterEvents) { e.handovers.Add(1) })
	return old != 0 && old&streakMax < streakMin
}

// Inc adds 1 to the counter.
func (c *Counter) Inc() { c.Add(1) }

// Dec subtracts 1 from the counter.
func (c *Counter) Dec() { c.Add(-1) }

// Load returns the sum of the base word and the stripes. With Adds running
// it is not a snapshot: each word is read atomically but at a different
// instant, so the sum includes every Add that completed before Load began,
// none that began after Load returned, and any subset of those that
// overlapped it. Once Adds stop, Load is exact. Load costs one atomic load
// per word.
func (c *Counter) Load() int64 {
	sum := c.base.n.Load()
	s := c.s.Load()
	if s == nil {
		return sum
	}
	for i := uint64(0); i < 1<<s.bits; i++ {
		sum += s.at(i).n.Load()
	}
	return sum
}

// String returns Load as a decimal integer, which is a JSON number, so that
// *Counter is an expvar.Var: expvar.Publish("requests", &c) publishes it.
// It reads the stripes as Load does and, like Load, resets nothing.
func (c *Counter) String() string { return strconv.FormatInt(c.Load(), 10) }

// Drain atomically takes the base word and every stripe to 0 and returns the
// sum it took. Each Add is counted by exactly one Drain, even with Adds and
// other Drains running and while the Counter stripes: a word's value is
// moved out with one atomic swap, so an Add lands either before that swap
// (and is taken by it) or after (and is left for the next Drain), and Drain
// takes the base word even after striping, for Adds that had loaded the
// stripe pointer before it was set. Like Load, a Drain that overlaps Adds
// is not a snapshot of one instant.
func (c *Counter) Drain() int64 {
	sum := drainWord(&c.base.n)
	s := c.s.Load()
	if s == nil {
		return sum
	}
	for i := uint64(0); i < 1<<s.bits; i++ {
		sum += drainWord(&s.at(i).n)
	}
	return sum
}

// drainWord swaps w to 0 and returns what it held, skipping the locked swap
// when w is already 0.
func drainWord(w *atomic.Int64) int64 {
	if w.Load() == 0 {
		return 0
	}
	return w.Swap(0)
}

// Handle returns a handle that adds to one stripe of c, chosen round-robin
// when the handle is made; c stripes if it had not. Give each long-lived
// worker goroutine its own handle: Adds through it skip the stripe choice
// and are a single atomic add (wait-free). Handles are safe for concurrent
// use, but two goroutines sharing one handle contend on its stripe.
func (c *Counter) Handle() *CounterHandle {
	s := c.stripes()
	i := (s.next.Add(1) - 1) & (1<<s.bits - 1)
	return &CounterHandle{cell: &s.at(i).n}
}

// CounterHandle adds to one stripe of a Counter; see Counter.Handle.
type CounterHandle struct {
	cell *atomic.Int64
}

// Add adds n to the handle's counter.
func (h *CounterHandle) Add(n int64) { h.cell.Add(n) }

// Inc adds 1 to the handle's counter.
func (h *CounterHandle) Inc() { h.cell.Add(1) }
