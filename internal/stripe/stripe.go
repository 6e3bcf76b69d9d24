// Package stripe picks the stripe a goroutine should write to in a striped
// (sharded) structure, without go:linkname into the runtime and without
// allocating.
//
// Go offers no goroutine-local storage and no public "current P" number. What
// every goroutine does have is its own stack, so the address of a local
// variable identifies the running goroutine well enough for spreading writes:
// goroutines that run at the same time hash to different stripes with
// probability 1-1/n, and a goroutine keeps its stripe for as long as its stack
// does not move. Two goroutines can still hash to the same stripe; callers
// detect that from a failed compare-and-swap and fall back to Random, the way
// Java's LongAdder rehashes a contended cell.
package stripe

import (
	"math/rand/v2"
	"runtime"
	"unsafe"
)

// Hint returns a number that is stable for the calling goroutine between
// stack moves and differs between goroutines, well mixed in its high bits.
// Reduce it to a stripe index with Index.
func Hint() uint64 {
	var marker byte
	// Goroutine stacks are at least 2 KiB apart in distinct allocations; the
	// low bits only say how deep in its stack the caller is.
	sp := uint64(uintptr(unsafe.Pointer(&marker))) >> 11
	return sp * 0x9E3779B97F4A7C15 // Fibonacci hashing: good high bits.
}

// Random returns a uniformly random number, for the caller that lost a race
// on its hinted stripe. It is cheap (the runtime's per-thread generator) and
// never allocates.
func Random() uint64 { return rand.Uint64() }

// Index maps a hint to a stripe index in [0, n) where n = 1<<bits.
func Index(h uint64, bits uint) uint64 {
	if bits == 0 {
		return 0
	}
	return h >> (64 - bits)
}

// Bits returns the log2 of the stripe count to use for a structure created
// now: the smallest power of two at least 4×GOMAXPROCS (so that concurrently
// running goroutines rarely collide), capped at 1<<maxBits.
func Bits(maxBits uint) uint {
	want := 4 * runtime.GOMAXPROCS(0)
	var b uint
	for 1<<b < want && b < maxBits {
		b++
	}
	return b
}
