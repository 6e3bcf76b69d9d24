// Package stripe picks the stripe a goroutine should write to in a striped
// (sharded) structure, without go:linkname into the runtime and without
// allocating.
//
// Go offers no goroutine-local storage and no public "current P" number. What
// every goroutine does have is its own stack, so the address of a local
// variable identifies the running goroutine well enough for spreading writes:
// Key returns it. A goroutine keeps its key for as long as its stack does not
// move (a stack grows by moving to a new allocation, and the GC may shrink it
// the same way) and its calls stay within one 2 KiB block of the stack; the
// old blocks of a moved stack can become another goroutine's.
//
// Two goroutines running at the same time can still land on one stripe, and
// then they contend as if the structure had one stripe. This package does not
// detect that; each caller does, in its own way:
//
//   - atomicx.Counter hashes Key with a random odd multiplier of its own (the
//     high bits of Key() × multiplier). Its Add is a plain atomic add, so it
//     has no failed compare-and-swap to learn from: about one Add in 64
//     (picked by the value the add left) records its Key on the stripe, and
//     a stripe whose sampled Adds keep coming from different goroutines
//     draws a new multiplier (at most one draw per millisecond), which moves
//     every goroutine to a new, independently hashed stripe;
//   - lfmetrics.Latency tries its Hint stripe with a compare-and-swap and, when
//     that fails, writes a Random stripe for that one record.
package stripe

import (
	"math/rand/v2"
	"runtime"
	"unsafe"
)

// keyShift drops the address bits below a goroutine's smallest stack (2 KiB):
// they only say how deep in its stack the caller is.
const keyShift = 11

// Key returns the calling goroutine's stack address with the low 11 bits
// dropped: goroutine stacks are at least 2 KiB, aligned to 2 KiB, and
// disjoint, so at any instant the running goroutines have distinct keys. The
// key is not mixed; hash it (Hint, or a multiplier of the caller's) before
// reducing it with Index.
func Key() uint64 {
	var marker byte
	return uint64(uintptr(unsafe.Pointer(&marker))) >> keyShift
}

// Hint returns Key hashed by a fixed odd multiplier (Fibonacci hashing), well
// mixed in its high bits. Reduce it to a stripe index with Index.
func Hint() uint64 {
	var marker byte
	return (uint64(uintptr(unsafe.Pointer(&marker))) >> keyShift) * 0x9E3779B97F4A7C15
}

// Random returns a uniformly random number: a stripe for a caller that lost a
// race on its hinted stripe, or a fresh odd multiplier (Random()|1). It is
// cheap (the runtime's per-thread generator) and never allocates.
func Random() uint64 { return rand.Uint64() }

// Index maps a hint to a stripe index in [0, n) where n = 1<<bits, by its
// high bits (multiplicative hashing keeps its entropy there).
func Index(h uint64, bits uint) uint64 {
	if bits == 0 {
		return 0
	}
	return h >> (64 - bits)
}

// Bits returns the log2 of the stripe count to use for a structure created
// now: the smallest power of two at least 4*GOMAXPROCS (so that concurrently
// running goroutines rarely collide), capped at 1<<maxBits.
func Bits(maxBits uint) uint {
	want := 4 * runtime.GOMAXPROCS(0)
	var b uint
	for 1<<b < want && b < maxBits {
		b++
	}
	return b
}
