// Package pad holds the false-sharing range of the target architecture and the
// stride arithmetic that lfkit's packages use to keep independently written
// words on separate cache lines.
//
// The false-sharing range is not always the cache-line size: it is the span
// within which two cores' writes contend, which adjacent-line prefetch
// widens. The value for each GOARCH, with its reason beside it in the
// size_*.go files, is the one crossbeam-utils documents for its CachePadded
// type.
package pad

import "math"

// Size is the false-sharing range in bytes for the target GOARCH: two words
// that are written by different cores must be at least Size bytes apart, and
// aligned to Size, to never share one. It is a power of two.
const Size = size

// Line is a block of Size bytes, for padding struct fields apart:
//
//	type counters struct {
//		head atomic.Uint64
//		_    pad.Line
//		tail atomic.Uint64
//	}
//
// A field of type Line guarantees Size bytes of separation, which is enough
// for the fields on either side never to share a false-sharing range even
// when the struct itself is not aligned to Size.
type Line [Size]byte

// RoundUp returns n rounded up to a positive multiple of align, which must be
// a power of two. Zero rounds up to align. It returns ok == false when n is
// negative, align is not a power of two, or the result overflows an int.
func RoundUp(n, align int) (int, bool) {
	if n < 0 || align <= 0 || align&(align-1) != 0 {
		return 0, false
	}
	if n == 0 {
		return align, true
	}
	if n > math.MaxInt-(align-1) {
		return 0, false
	}
	return (n + align - 1) &^ (align - 1), true
}

// MulSize returns a*b, or ok == false when either is negative or the product
// overflows an int. It is the checked multiplication for sizing slot arrays.
func MulSize(a, b int) (int, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > math.MaxInt/b {
		return 0, false
	}
	return a * b, true
}
