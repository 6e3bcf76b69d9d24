package atomicx

import (
	"math"
	"strconv"
	"sync/atomic"
	"unsafe"
)

// Floating is the set of floating-point types a Float can hold.
type Floating interface {
	~float32 | ~float64
}

// Float is an atomic floating-point number of type T (float32, float64 or a
// named type over them), stored as its IEEE-754 bits: 32 bits for a 4-byte T
// and 64 for an 8-byte one.
//
// CompareAndSwap compares bits, not values: the NaN that Load returned
// equals itself, and −0 differs from +0. That is what makes read-modify-write
// loops over a NaN end. Max and Min order values numerically, with −0 < +0,
// and ignore a NaN argument.
//
// The zero value holds +0 and is ready to use. A Float must not be copied
// after first use.
type Float[T Floating] struct {
	_ noCopy
	v atomic.Uint64
}

func is32[T Floating]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func toBits[T Floating](f T) uint64 {
	if is32[T]() {
		return uint64(math.Float32bits(float32(f)))
	}
	return math.Float64bits(float64(f))
}

func fromBits[T Floating](b uint64) T {
	if is32[T]() {
		return T(math.Float32frombits(uint32(b)))
	}
	return T(math.Float64frombits(b))
}

// Load atomically loads and returns the value.
func (x *Float[T]) Load() T { return fromBits[T](x.v.Load()) }

// Store atomically stores v.
func (x *Float[T]) Store(v T) { x.v.Store(toBits(v)) }

// Swap atomically stores v and returns the previous value.
func (x *Float[T]) Swap(v T) (old T) { return fromBits[T](x.v.Swap(toBits(v))) }

// CompareAndSwap replaces the value with new if its bits equal old's bits,
// and reports whether it did. Bitwise comparison means a NaN matches the
// same NaN and −0 does not match +0.
func (x *Float[T]) CompareAndSwap(old, new T) bool {
	return x.v.CompareAndSwap(toBits(old), toBits(new))
}

// Add atomically adds delta and returns the new value. It is a
// compare-and-swap loop, lock-free: it retries only when another write
// landed between its load and its swap. Rounding is that of one Go addition
// on T.
func (x *Float[T]) Add(delta T) (new T) {
	for {
		oldBits := x.v.Load()
		new = fromBits[T](oldBits) + delta
		if x.v.CompareAndSwap(oldBits, toBits(new)) {
			return new
		}
	}
}

// floatLess orders floats numerically with −0 < +0. Neither may be NaN.
func floatLess[T Floating](a, b T) bool {
	if a == b {
		return math.Signbit(float64(a)) && !math.Signbit(float64(b))
	}
	return a < b
}

// Max atomically stores v if it is greater than the value held (with
// −0 < +0), and returns the previous value. A NaN v is ignored: nothing is
// stored and the current value is returned. A NaN held in the cell is
// replaced by any non-NaN v. Like the package-level Max it returns after one
// atomic load when nothing would change.
func (x *Float[T]) Max(v T) (old T) {
	if v != v {
		return x.Load()
	}
	for {
		oldBits := x.v.Load()
		old = fromBits[T](oldBits)
		if old == old && !floatLess(old, v) {
			return old
		}
		if x.v.CompareAndSwap(oldBits, toBits(v)) {
			return old
		}
	}
}

// Min atomically stores v if it is less than the value held (with −0 < +0),
// and returns the previous value. A NaN v is ignored; a NaN held in the cell
// is replaced by any non-NaN v.
func (x *Float[T]) Min(v T) (old T) {
	if v != v {
		return x.Load()
	}
	for {
		oldBits := x.v.Load()
		old = fromBits[T](oldBits)
		if old == old && !floatLess(v, old) {
			return old
		}
		if x.v.CompareAndSwap(oldBits, toBits(v)) {
			return old
		}
	}
}

// String returns the value as a JSON value, so that *Float[T] is an
// expvar.Var: a finite value is a JSON number, the shortest decimal that
// parses back to the same T (−0 is "-0"); NaN, +Inf and −Inf, which JSON
// numbers cannot express, are the JSON strings "NaN", "+Inf" and "-Inf".
// (expvar.Float renders those three as bare words, which is not JSON.)
func (x *Float[T]) String() string {
	v := x.Load()
	switch {
	case v != v:
		return `"NaN"`
	case math.IsInf(float64(v), 1):
		return `"+Inf"`
	case math.IsInf(float64(v), -1):
		return `"-Inf"`
	}
	bitSize := 64
	if is32[T]() {
		bitSize = 32
	}
	return strconv.FormatFloat(float64(v), 'g', -1, bitSize)
}
