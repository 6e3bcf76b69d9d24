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
// or a Float, call its own Max method, a direct loop that costs less.
func Max[T constraints.Ordered, C Cell[T]](c C, v T) (old T) {
	// Go compiles one body for all pointer-typed C and calls their methods
	// through a dictionary. sync/atomic's integer cells take a direct loop
	// instead; in each case the cell's type fixes T, so the reinterpretations
	// are exact. *Int[T] has no case: Max's T is only Ordered, so the case
	// would have to go through an interface assertion, which costs more than
	// the dictionary loop it would replace, or name each instantiation, which
	// leaves out named types. Int.Max and Float.Max are those cells' direct
	// loops. The *atomic.Int64 case is tested here and the others in
	// maxOther, so that Max stays small enough to inline.
	if p, ok := any(c).(*atomic.Int64); ok {
		return as[T](casMax64((*atomic.Uint64)(unsafe.Pointer(p)), as[int64](v)))
	}
	return maxOther(c, v)
}

// maxOther is Max for every cell but *atomic.Int64.
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
// return, lock-free, the same NaN rule and the same direct loops.
func Min[T constraints.Ordered, C Cell[T]](c C, v T) (old T) {
	if p, ok := any(c).(*atomic.Int64); ok {
		return as[T](casMin64((*atomic.Uint64)(unsafe.Pointer(p)), as[int64](v)))
	}
	return minOther(c, v)
}

// minOther is Min for every cell but *atomic.Int64.
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
