package atomicx

import (
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/stripe"
)

// maxStripeBits caps a Counter at 256 stripes (32 KiB on amd64).
const maxStripeBits = 8

// counterStripe is one stripe: a word alone on its false-sharing range.
type counterStripe struct {
	n atomic.Int64
	_ [pad.Size - 8]byte
}

// stripes is a Counter's array of stripes, created once.
//
// Invariant: stripe i's word starts at first + i*pad.Size, and first is a
// multiple of pad.Size, so every stripe owns one whole aligned false-sharing
// range and no two stripes share one. mem is the allocation that first
// points into (one spare stripe absorbs the rounding); holding it keeps the
// memory alive.
type stripes struct {
	bits  uint
	mem   []counterStripe
	first unsafe.Pointer
	next  atomic.Uint64
}

func (s *stripes) at(i uint64) *atomic.Int64 {
	return (*atomic.Int64)(unsafe.Add(s.first, uintptr(i)*pad.Size))
}

// Counter is a striped int64 counter: Adds from goroutines running on
// different cores go to different stripes, each on its own false-sharing
// range, so they do not contend on one cache line as a shared atomic.Int64
// does. Java's LongAdder is the model.
//
// The zero value is ready to use: the first Add allocates the stripes, whose
// number is fixed then from GOMAXPROCS (the smallest power of two ≥
// 4×GOMAXPROCS, at most 256). Later Adds allocate nothing.
//
// A goroutine picks its stripe from the address of its own stack (see the
// stripe choice note on Add), which needs no runtime internals; a goroutine
// that adds in a long loop can instead take a Handle, which pins one stripe.
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
	s := &stripes{bits: bits, mem: make([]counterStripe, 1<<bits+1)}
	addr := uintptr(unsafe.Pointer(&s.mem[0]))
	skip := (pad.Size - addr%pad.Size) % pad.Size // < pad.Size: stays inside mem
	s.first = unsafe.Add(unsafe.Pointer(&s.mem[0]), skip)
	if c.s.CompareAndSwap(nil, s) {
		return s
	}
	return c.s.Load()
}

// Add adds n to the counter: one atomic add on the calling goroutine's
// stripe, wait-free.
//
// Stripe choice: the calling goroutine's stack address, hashed (no runtime
// internals needed). Goroutines running at the same time land on different
// stripes with high probability (1-1/stripes for a pair); two that hash to
// the same stripe share it for as long as their stacks stay put, which costs
// them what a shared atomic.Int64 would. A worker that must never share
// takes a Handle.
func (c *Counter) Add(n int64) {
	s := c.stripes()
	s.at(stripe.Index(stripe.Hint(), s.bits)).Add(n)
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
		sum += s.at(i).Load()
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
		cell := s.at(i)
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
	return &CounterHandle{cell: s.at(i)}
}

// CounterHandle adds to one stripe of a Counter; see Counter.Handle.
type CounterHandle struct {
	cell *atomic.Int64
}

// Add adds n to the handle's counter.
func (h *CounterHandle) Add(n int64) { h.cell.Add(n) }

// Inc adds 1 to the handle's counter.
func (h *CounterHandle) Inc() { h.cell.Add(1) }
