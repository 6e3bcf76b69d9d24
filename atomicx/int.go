package atomicx

import (
	"strconv"
	"sync/atomic"

	"golang.org/x/exp/constraints"
)

// Int is an atomic integer of type T: any signed or unsigned integer type of
// at most 64 bits, named types included. Arithmetic wraps as it does on T:
// an Int[int8] holding 127 plus 1 holds −128.
//
// The zero value holds 0 and is ready to use. An Int must not be copied
// after first use.
//
// The value lives in a 64-bit word (atomic.Uint64), so on 32-bit platforms
// every operation is still a single 64-bit atomic (sync/atomic guarantees
// the word's alignment). Only the low bits that T has are significant: the
// word may carry stray high bits after an Add wraps, which every method
// discards by converting to T.
type Int[T constraints.Integer] struct {
	_ noCopy
	v atomic.Uint64
}

// Load atomically loads and returns the value.
func (x *Int[T]) Load() T { return T(x.v.Load()) }

// Store atomically stores v.
func (x *Int[T]) Store(v T) { x.v.Store(uint64(v)) }

// Swap atomically stores v and returns the previous value.
func (x *Int[T]) Swap(v T) (old T) { return T(x.v.Swap(uint64(v))) }

// CompareAndSwap executes the compare-and-swap operation for the value: if it
// equals old (as a T), it is replaced by new and CompareAndSwap reports true.
// It fails only if the value differs from old.
func (x *Int[T]) CompareAndSwap(old, new T) bool {
	for {
		raw := x.v.Load()
		if T(raw) != old {
			return false
		}
		if x.v.CompareAndSwap(raw, uint64(new)) {
			return true
		}
		// The word changed; if only its stray high bits did, T(raw) may
		// still equal old, so look again rather than fail spuriously.
	}
}

// Add atomically adds delta and returns the new value, wrapping as Go
// arithmetic on T does. It is a single atomic add (wait-free).
func (x *Int[T]) Add(delta T) (new T) {
	// Adding modulo 2^64 then truncating to T equals adding modulo 2^width(T),
	// for signed T too (two's complement).
	return T(x.v.Add(uint64(delta)))
}

// Max atomically stores v if it is greater than the value held, and returns
// the previous value; see the package-level Max for the load-first rule.
func (x *Int[T]) Max(v T) (old T) { return casMax64(&x.v, v) }

// Min atomically stores v if it is less than the value held, and returns the
// previous value; see the package-level Min.
func (x *Int[T]) Min(v T) (old T) { return casMin64(&x.v, v) }

// String returns the value as a decimal integer, which is a JSON number, so
// that *Int[T] is an expvar.Var: expvar.Publish("queued", &x) publishes it.
// A named T's own String method is not used (an Int[time.Duration] renders
// as its count of nanoseconds, "1500", not as a duration string).
func (x *Int[T]) String() string {
	v := x.Load()
	if v < 0 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatUint(uint64(v), 10)
}
