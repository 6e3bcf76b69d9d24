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

// An Add that finds its stripe last taken by another goroutine takes it with
// probability 2^-takeBits; every takesPerCheck takes of one stripe (a power of
// two), if no multiplier was drawn in the last rehashInterval, it draws one.
const (
	takeBits       = 3
	takesPerCheck  = 4
	rehashInterval = time.Millisecond
)

// epoch is the origin of stripes.rehashed: monotonic time since it is cheap
// to compare and immune to wall-clock steps.
var epoch = time.Now()

// counterStripe is one stripe: the count and its collision mark, alone on a
// false-sharing range.
type counterStripe struct {
	n     atomic.Int64  // the stripe's share of the count
	owner atomic.Uint64 // stripe.Key of the goroutine that last took the stripe
	takes atomic.Uint64 // times an Add took the stripe from another goroutine
	_     [pad.Size - 24]byte
}

// stripes is a Counter's array of stripes, created once, and the hash that
// maps goroutines onto them.
//
// Invariant: stripe i starts at first + i*pad.Size, and first is a multiple
// of pad.Size, so every stripe owns one whole aligned false-sharing range
// and no two stripes share one. mem is the allocation that first points into
// (one spare stripe absorbs the rounding); holding it keeps the memory alive.
//
// The header is read by every Add and written only when a multiplier is
// drawn; the words Handle and the rehash write live on the next range.
type stripes struct {
	stripesHeader
	_ [pad.Size - unsafe.Sizeof(stripesHeader{})%pad.Size]byte

	next     atomic.Uint64 // Handle's round robin
	rehashed atomic.Int64  // when mult was last drawn, in ns since epoch
	_        [pad.Size - 16]byte
}

// stripesHeader is the part of stripes that every Add reads.
type stripesHeader struct {
	mult  atomic.Uint64 // odd: a goroutine's stripe is key*mult >> shift
	shift uint          // 64 - bits
	bits  uint          // log2 of the stripe count
	first unsafe.Pointer
	mem   []counterStripe
}

func (s *stripes) at(i uint64) *counterStripe {
	return (*counterStripe)(unsafe.Add(s.first, uintptr(i)*pad.Size))
}

// Counter is a striped int64 counter: Adds from goroutines running at the
// same time go, with high probability, to different stripes, each on its own
// false-sharing range, so they do not contend on one cache line as a shared
// atomic.Int64 does. Java's LongAdder is the model.
//
// The zero value is ready to use: the first Add allocates the stripes, whose
// number is fixed then from GOMAXPROCS (the smallest power of two ≥
// 4×GOMAXPROCS, at most 256). Later Adds allocate nothing.
//
// A goroutine's stripe is a hash of the address of its own stack, which
// needs no runtime internals. Two goroutines can hash to one stripe; the
// Counter notices when a stripe keeps changing hands and rehashes (see Add).
// A goroutine that adds in a long loop can instead take a Handle, which pins
// one stripe.
//
// A Counter must not be copied after first use.
type Counter struct {
	_ noCopy
	s atomic.Pointer[stripes]
}

func (c *Counter) stripes() *stripes {
	if s := c.s.Load(); s != nil {
		return s
	}
	return c.init()
}

func (c *Counter) init() *stripes {
	bits := stripe.Bits(maxStripeBits)
	s := &stripes{stripesHeader: stripesHeader{shift: 64 - bits, bits: bits, mem: make([]counterStripe, 1<<bits+1)}}
	s.mult.Store(stripe.Random() | 1)
	s.rehashed.Store(-int64(rehashInterval)) // the first rehash need not wait
	addr := uintptr(unsafe.Pointer(&s.mem[0]))
	skip := (pad.Size - addr%pad.Size) % pad.Size // < pad.Size: stays inside mem
	s.first = unsafe.Add(unsafe.Pointer(&s.mem[0]), skip)
	if c.s.CompareAndSwap(nil, s) {
		return s
	}
	return c.s.Load()
}

// Add adds n to the counter: one atomic add on the calling goroutine's
// stripe, after an atomic load of the Counter's multiplier and before one of
// the stripe's owner mark. It is wait-free: no step is ever retried.
//
// Stripe choice: the calling goroutine's stack address, hashed by the
// Counter's current random odd multiplier (multiply-shift hashing: over the
// random multiplier, two goroutines share a stripe with probability at most
// 2/stripes). Each stripe records the goroutine that last took it. An Add
// that finds its stripe last taken by another goroutine takes it, on one in
// 8 such Adds (sampled by a hash of the stripe's new value, so that a stripe
// that changes hands on every Add costs ~1/8 of a take per Add): an atomic
// store and add on the stripe's line, which it holds anyway. Every 4th take
// of a stripe, if no multiplier was drawn in the last millisecond, that Add
// draws a new one (one compare-and-swap, not retried). The new multiplier
// moves every goroutine to an independently hashed stripe, so two goroutines
// that collided part with probability at least 1-2/stripes at each draw.
// Two goroutines contending on one stripe change its hands every few Adds,
// so the first draw comes after some tens of their Adds, or as soon as the
// millisecond since the last draw has passed. A goroutine that keeps its
// stripe pays only the owner load. Goroutines taking turns on one core also
// change a stripe's hands; they cause at most one draw per millisecond.
//
// Adds through a Handle do not mark stripes: a goroutine whose stripe is a
// handle's shares it unnoticed.
func (c *Counter) Add(n int64) { c.add(n, stripe.Key()) }

// add is Add for the goroutine with the given stack key.
func (c *Counter) add(n int64, key uint64) {
	s := c.stripes()
	st := s.at(key * s.mult.Load() >> (s.shift & 63))
	v := st.n.Add(n)
	if st.owner.Load() != key && uint64(v)*0x9E3779B97F4A7C15>>(64-takeBits) == 0 {
		s.take(st, key)
	}
}

// take is Add's slow path: the goroutine with key found st last taken by
// another goroutine, and the sample chose this Add. It takes st and, every
// takesPerCheck takes of st, draws a new multiplier unless one was drawn
// within rehashInterval.
func (s *stripes) take(st *counterStripe, key uint64) {
	st.owner.Store(key)
	if st.takes.Add(1)%takesPerCheck != 0 {
		return
	}
	now := int64(time.Since(epoch))
	last := s.rehashed.Load()
	if now-last < int64(rehashInterval) || !s.rehashed.CompareAndSwap(last, now) {
		return
	}
	s.mult.Store(stripe.Random() | 1)
}

// Inc adds 1 to the counter.
func (c *Counter) Inc() { c.Add(1) }

// Dec subtracts 1 from the counter.
func (c *Counter) Dec() { c.Add(-1) }

// Load returns the sum of the stripes. With Adds running it is not a
// snapshot: each stripe is read atomically but at a different instant, so
// the sum includes every Add that completed before Load began, none that
// began after Load returned, and any subset of those that overlapped it.
// Once Adds stop, Load is exact. Load costs one atomic load per stripe.
func (c *Counter) Load() int64 {
	s := c.s.Load()
	if s == nil {
		return 0
	}
	var sum int64
	for i := uint64(0); i < 1<<s.bits; i++ {
		sum += s.at(i).n.Load()
	}
	return sum
}

// String returns Load as a decimal integer, which is a JSON number, so that
// *Counter is an expvar.Var: expvar.Publish("requests", &c) publishes it.
// It reads the stripes as Load does and, like Load, resets nothing.
func (c *Counter) String() string { return strconv.FormatInt(c.Load(), 10) }

// Drain atomically takes every stripe to 0 and returns the sum it took. Each
// Add is counted by exactly one Drain, even with Adds and other Drains
// running: a stripe's value is moved out with one atomic swap, so an Add
// lands either before that swap (and is taken by it) or after (and is left
// for the next Drain). Like Load, a Drain that overlaps Adds is not a
// snapshot of one instant.
func (c *Counter) Drain() int64 {
	s := c.s.Load()
	if s == nil {
		return 0
	}
	var sum int64
	for i := uint64(0); i < 1<<s.bits; i++ {
		cell := &s.at(i).n
		if cell.Load() != 0 { // skip the locked swap on idle stripes
			sum += cell.Swap(0)
		}
	}
	return sum
}

// Handle returns a handle that adds to one stripe of c, chosen round-robin
// when the handle is made. Give each long-lived worker goroutine its own
// handle: Adds through it skip the stripe choice and are a single atomic add
// (wait-free). Handles are safe for concurrent use, but two goroutines
// sharing one handle contend on its stripe.
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
