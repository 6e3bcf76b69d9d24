package atomicx

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/exp/constraints"
)

// Cell is any atomic cell that Max and Min can work on: sync/atomic's
// *Int32, *Int64, *Uint32, *Uint64 and *Uintptr, and this package's *Int and
// *Float, satisfy it.
type Cell[T any] interface {
	Load() T
	CompareAndSwap(old, new T) bool
}

// Max atomically stores v in c if v is greater than the value c holds, and
// returns the value c held before (C++26 fetch_max semantics). After Max
// returns, c holds at least v.
//
// Max loads first and returns without writing when v would not change c, so
// an update that loses costs one atomic load, not a compare-and-swap; the
// previous value returned is then the one that load saw. Otherwise it
// retries its compare-and-swap until it stores v or sees a value ≥ v. It is
// lock-free: a retry means another goroutine's write succeeded.
//
// For a floating-point T, v = NaN never changes c (a NaN is not greater than
// anything), and a cell holding NaN is never changed; Float.Max instead
// replaces a held NaN and orders −0 below +0.
//
// sync/atomic's Int32, Int64, Uint32 and Uint64 take a direct loop here.
// Other cells, this package's Int and Float included, go through their Load
// and CompareAndSwap methods, which generic code calls indirectly: for an Int
// or a Float, call its own Max method, a direct loop that costs a third (Int)
// to three fifths (Float) as much.
func Max[T constraints.Ordered, C Cell[T]](c C, v T) (old T) {
	// Go compiles one body for all pointer-typed C and calls their methods
	// through a dictionary. sync/atomic's integer cells take a direct loop
	// instead; in each case the cell's type fixes T, so the reinterpretations
	// are exact. *Int[T] has no case: Max's T is only Ordered, so the case
	// must go through an interface (an assertion doubled the cost: 138
	// instructions per op against 69 for the dictionary loop, callgrind) or
	// name instantiations (*Int[int64] ... : 61 against 69, and none for
	// named types); Int.Max itself is 24. Float.Max is 45 against 74.
	if p, ok := any(c).(*atomic.Int64); ok {
		return as[T](casMax64((*atomic.Uint64)(unsafe.Pointer(p)), as[int64](v)))
	}
	return maxOther(c, v)
}

func maxOther[T constraints.Ordered, C Cell[T]](c C, v T) (old T) {
	switch p := any(c).(type) {
	case *atomic.Uint64:
		return as[T](casMax64(p, as[uint64](v)))
	case *atomic.Int32:
		return as[T](casMax32((*atomic.Uint32)(unsafe.Pointer(p)), as[int32](v)))
	case *atomic.Uint32:
		return as[T](casMax32(p, as[uint32](v)))
	}
	for {
		old = c.Load()
		if !(v > old) || c.CompareAndSwap(old, v) {
			return old
		}
	}
}

// Min atomically stores v in c if v is less than the value c holds, and
// returns the value c held before. It mirrors Max: the same load-first early
// return, lock-free, and the same NaN rule.
func Min[T constraints.Ordered, C Cell[T]](c C, v T) (old T) {
	if p, ok := any(c).(*atomic.Int64); ok {
		return as[T](casMin64((*atomic.Uint64)(unsafe.Pointer(p)), as[int64](v)))
	}
	return minOther(c, v)
}

func minOther[T constraints.Ordered, C Cell[T]](c C, v T) (old T) {
	switch p := any(c).(type) {
	case *atomic.Uint64:
		return as[T](casMin64(p, as[uint64](v)))
	case *atomic.Int32:
		return as[T](casMin32((*atomic.Uint32)(unsafe.Pointer(p)), as[int32](v)))
	case *atomic.Uint32:
		return as[T](casMin32(p, as[uint32](v)))
	}
	for {
		old = c.Load()
		if !(v < old) || c.CompareAndSwap(old, v) {
			return old
		}
	}
}

// as reinterprets v as a U; callers use it only where U and T are the same
// type.
func as[U, T any](v T) U { return *(*U)(unsafe.Pointer(&v)) }

// casMax64 is Max over a 64-bit word holding a T (sync/atomic's Int64 and
// Uint64 share atomic.Uint64's layout). Only T's bits of the word count, as
// in Int.
func casMax64[T constraints.Integer](w *atomic.Uint64, v T) T {
	for {
		raw := w.Load()
		if old := T(raw); v <= old || w.CompareAndSwap(raw, uint64(v)) {
			return old
		}
	}
}

func casMin64[T constraints.Integer](w *atomic.Uint64, v T) T {
	for {
		raw := w.Load()
		if old := T(raw); v >= old || w.CompareAndSwap(raw, uint64(v)) {
			return old
		}
	}
}

func casMax32[T int32 | uint32](w *atomic.Uint32, v T) T {
	for {
		raw := w.Load()
		if old := T(raw); v <= old || w.CompareAndSwap(raw, uint32(v)) {
			return old
		}
	}
}

func casMin32[T int32 | uint32](w *atomic.Uint32, v T) T {
	for {
		raw := w.Load()
		if old := T(raw); v >= old || w.CompareAndSwap(raw, uint32(v)) {
			return old
		}
	}
}
