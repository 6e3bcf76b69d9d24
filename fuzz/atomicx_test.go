package fuzz

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/exp/constraints"

	"github.com/lfkit/lfkit/atomicx"
)

// maxAtomicOps bounds the operations of one FuzzAtomicx input.
const maxAtomicOps = 1000

// FuzzAtomicx decodes the input into a cell type and a sequence of
// operations and checks each result against plain Go arithmetic on the same
// type:
//
//   - Int[T] for every integer width, signed and unsigned, and a named type
//     (time.Duration): Load, Store, Swap, CompareAndSwap, Add (wrapping as Go
//     does), Max/Min methods and the package-level Max/Min;
//   - sync/atomic's Int32, Int64, Uint32 and Uint64 through the package-level
//     Max/Min (their fast paths);
//   - Float[float32] and Float[float64]: the same operations, compared bit for
//     bit, with NaN (any payload), ±0, ±Inf and subnormals; CompareAndSwap
//     compares bits, Max/Min ignore a NaN argument, replace a held NaN and
//     order −0 below +0;
//   - Counter: Add, Inc, Dec, handles, Load and Drain against an int64.
//
// Layout: byte 0 selects the type; then one op byte per operation, followed
// by its operand bytes. Values are drawn from the type's edges (0, ±1, min,
// max, NaN, ±0, ±Inf) or taken raw from the input.
func FuzzAtomicx(f *testing.F) {
	for typ := range byte(16) {
		f.Add([]byte{typ, 0, 3, 4, 1, 4, 2, 5, 0, 6, 1, 3, 5, 2, 4, 0})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &input{b: data}
		switch r.intn(16) {
		case 0:
			fuzzInt[int8](t, r)
		case 1:
			fuzzInt[uint8](t, r)
		case 2:
			fuzzInt[int16](t, r)
		case 3:
			fuzzInt[uint16](t, r)
		case 4:
			fuzzInt[int32](t, r)
		case 5:
			fuzzInt[uint32](t, r)
		case 6:
			fuzzInt[int64](t, r)
		case 7:
			fuzzInt[uint64](t, r)
		case 8:
			fuzzInt[int](t, r)
		case 9:
			fuzzInt[uintptr](t, r)
		case 10:
			fuzzInt[time.Duration](t, r)
		case 11:
			fuzzFloat[float32](t, r)
		case 12:
			fuzzFloat[float64](t, r)
		case 13:
			fuzzStdMaxMin(t, r)
		case 14:
			fuzzCounter(t, r)
		default:
			fuzzFloat[celsius](t, r) // a named float type
		}
	})
}

type celsius float64

// intEdges returns the least and greatest T.
func intEdges[T constraints.Integer]() (lo, hi T) {
	var z T
	bits := unsafe.Sizeof(z) * 8
	if ^z < 0 { // signed
		hi = T(uint64(1)<<(bits-1) - 1)
		return -hi - 1, hi
	}
	return 0, ^z
}

func intValue[T constraints.Integer](r *input) T {
	lo, hi := intEdges[T]()
	switch r.intn(8) {
	case 0:
		return 0
	case 1:
		return 1
	case 2:
		return ^T(0) // −1, or the greatest unsigned value
	case 3:
		return lo
	case 4:
		return hi
	case 5:
		return T(r.byte()) // small
	}
	return T(r.uint64()) // truncated to T's width
}

func fuzzInt[T constraints.Integer](t *testing.T, r *input) {
	var cell atomicx.Int[T]
	var m T // the model
	var trace []string
	check := func(what string, want, got any) {
		t.Helper()
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("Int[%T] after %v: %s (-want +got):\n%s", m, trace, what, d)
		}
	}
	for i := 0; r.more() && i < maxAtomicOps; i++ {
		switch r.intn(9) {
		case 0:
			v := intValue[T](r)
			trace = append(trace, fmt.Sprintf("Store(%v)", v))
			cell.Store(v)
			m = v
		case 1:
			v := intValue[T](r)
			trace = append(trace, fmt.Sprintf("Swap(%v)", v))
			check("Swap", m, cell.Swap(v))
			m = v
		case 2:
			old, nw := intValue[T](r), intValue[T](r)
			if r.byte()&1 == 0 {
				old = m // a CAS that should succeed
			}
			trace = append(trace, fmt.Sprintf("CompareAndSwap(%v, %v)", old, nw))
			check("CompareAndSwap", old == m, cell.CompareAndSwap(old, nw))
			if old == m {
				m = nw
			}
		case 3:
			d := intValue[T](r)
			trace = append(trace, fmt.Sprintf("Add(%v)", d))
			m += d // wraps as Go arithmetic on T does
			check("Add", m, cell.Add(d))
		case 4:
			v := intValue[T](r)
			trace = append(trace, fmt.Sprintf("Max(%v)", v))
			check("Max", m, cell.Max(v))
			m = max(m, v)
		case 5:
			v := intValue[T](r)
			trace = append(trace, fmt.Sprintf("Min(%v)", v))
			check("Min", m, cell.Min(v))
			m = min(m, v)
		case 6:
			v := intValue[T](r)
			trace = append(trace, fmt.Sprintf("atomicx.Max(%v)", v))
			check("atomicx.Max", m, atomicx.Max(&cell, v))
			m = max(m, v)
		case 7:
			v := intValue[T](r)
			trace = append(trace, fmt.Sprintf("atomicx.Min(%v)", v))
			check("atomicx.Min", m, atomicx.Min(&cell, v))
			m = min(m, v)
		case 8:
			trace = append(trace, "Load")
		}
		check("Load", m, cell.Load())
	}
}

// fuzzStdMaxMin runs the package-level Max and Min on sync/atomic's cells
// (each has its own fast path) side by side with a model per cell.
func fuzzStdMaxMin(t *testing.T, r *input) {
	var (
		i32 atomic.Int32
		i64 atomic.Int64
		u32 atomic.Uint32
		u64 atomic.Uint64
	)
	var m struct {
		I32 int32
		I64 int64
		U32 uint32
		U64 uint64
	}
	var trace []string
	for i := 0; r.more() && i < maxAtomicOps; i++ {
		isMax := r.byte()&1 == 0
		v := intValue[uint64](r)
		if isMax {
			trace = append(trace, fmt.Sprintf("Max(%#x)", v))
		} else {
			trace = append(trace, fmt.Sprintf("Min(%#x)", v))
		}
		type olds struct {
			I32 int32
			I64 int64
			U32 uint32
			U64 uint64
		}
		want := olds(m)
		var got olds
		if isMax {
			got = olds{atomicx.Max(&i32, int32(v)), atomicx.Max(&i64, int64(v)), atomicx.Max(&u32, uint32(v)), atomicx.Max(&u64, v)}
			m.I32, m.I64, m.U32, m.U64 = max(m.I32, int32(v)), max(m.I64, int64(v)), max(m.U32, uint32(v)), max(m.U64, v)
		} else {
			got = olds{atomicx.Min(&i32, int32(v)), atomicx.Min(&i64, int64(v)), atomicx.Min(&u32, uint32(v)), atomicx.Min(&u64, v)}
			m.I32, m.I64, m.U32, m.U64 = min(m.I32, int32(v)), min(m.I64, int64(v)), min(m.U32, uint32(v)), min(m.U64, v)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("after %v: previous values (-want +got):\n%s", trace, d)
		}
		if d := cmp.Diff(olds(m), olds{i32.Load(), i64.Load(), u32.Load(), u64.Load()}); d != "" {
			t.Fatalf("after %v: values (-want +got):\n%s", trace, d)
		}
	}
}

func is32[T atomicx.Floating]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func floatBits[T atomicx.Floating](f T) uint64 {
	if is32[T]() {
		return uint64(math.Float32bits(float32(f)))
	}
	return math.Float64bits(float64(f))
}

func floatFromBits[T atomicx.Floating](b uint64) T {
	if is32[T]() {
		return T(math.Float32frombits(uint32(b)))
	}
	return T(math.Float64frombits(b))
}

func floatValue[T atomicx.Floating](r *input) T {
	switch r.intn(12) {
	case 0:
		return 0
	case 1:
		return T(math.Copysign(0, -1))
	case 2:
		return T(math.NaN())
	case 3:
		return T(math.Inf(1))
	case 4:
		return T(math.Inf(-1))
	case 5:
		return 1
	case 6:
		return -1
	case 7:
		if is32[T]() {
			return floatFromBits[T](uint64(math.Float32bits(math.MaxFloat32)))
		}
		return floatFromBits[T](math.Float64bits(math.MaxFloat64))
	case 8:
		return floatFromBits[T](1) // the least subnormal
	case 9:
		return T(int8(r.byte())) // small integers: exact sums
	}
	return floatFromBits[T](r.uint64()) // any bits: NaN payloads, subnormals
}

// less is the order Float's Max and Min use: numeric, with −0 < +0.
func less[T atomicx.Floating](a, b T) bool {
	if a == b {
		return math.Signbit(float64(a)) && !math.Signbit(float64(b))
	}
	return a < b
}

func isNaN[T atomicx.Floating](f T) bool { return f != f }

func fuzzFloat[T atomicx.Floating](t *testing.T, r *input) {
	var cell atomicx.Float[T]
	var m T
	var trace []string
	// Results are compared as bits: NaN payloads and the sign of zero count.
	check := func(what string, want, got T) {
		t.Helper()
		if floatBits(want) != floatBits(got) {
			t.Fatalf("Float[%T] after %v: %s = %v (%#x), want %v (%#x)",
				m, trace, what, got, floatBits(got), want, floatBits(want))
		}
	}
	for i := 0; r.more() && i < maxAtomicOps; i++ {
		switch r.intn(7) {
		case 0:
			v := floatValue[T](r)
			trace = append(trace, fmt.Sprintf("Store(%v)", v))
			cell.Store(v)
			m = v
		case 1:
			v := floatValue[T](r)
			trace = append(trace, fmt.Sprintf("Swap(%v)", v))
			check("Swap", m, cell.Swap(v))
			m = v
		case 2:
			old, nw := floatValue[T](r), floatValue[T](r)
			if r.byte()&1 == 0 {
				old = m // same bits: must succeed, NaN included
			}
			trace = append(trace, fmt.Sprintf("CompareAndSwap(%v, %v)", old, nw))
			want := floatBits(old) == floatBits(m)
			if got := cell.CompareAndSwap(old, nw); got != want {
				t.Fatalf("Float[%T] after %v: CompareAndSwap = %v, want %v", m, trace, got, want)
			}
			if want {
				m = nw
			}
		case 3:
			d := floatValue[T](r)
			trace = append(trace, fmt.Sprintf("Add(%v)", d))
			m += d
			check("Add", m, cell.Add(d))
		case 4:
			v := floatValue[T](r)
			trace = append(trace, fmt.Sprintf("Max(%v)", v))
			check("Max", m, cell.Max(v))
			if !isNaN(v) && (isNaN(m) || less(m, v)) {
				m = v
			}
		case 5:
			v := floatValue[T](r)
			trace = append(trace, fmt.Sprintf("Min(%v)", v))
			check("Min", m, cell.Min(v))
			if !isNaN(v) && (isNaN(m) || less(v, m)) {
				m = v
			}
		case 6:
			trace = append(trace, "Load")
		}
		check("Load", m, cell.Load())
	}
}

func fuzzCounter(t *testing.T, r *input) {
	var c atomicx.Counter
	var m int64 // not yet drained
	var handles []*atomicx.CounterHandle
	var trace []string
	check := func(what string, want, got int64) {
		t.Helper()
		if want != got {
			t.Fatalf("Counter after %v: %s = %d, want %d", trace, what, got, want)
		}
	}
	for i := 0; r.more() && i < maxAtomicOps; i++ {
		switch r.intn(7) {
		case 0:
			n := int64(intValue[int64](r))
			trace = append(trace, fmt.Sprintf("Add(%d)", n))
			c.Add(n)
			m += n
		case 1:
			trace = append(trace, "Inc")
			c.Inc()
			m++
		case 2:
			trace = append(trace, "Dec")
			c.Dec()
			m--
		case 3:
			if len(handles) < 8 {
				handles = append(handles, c.Handle())
			}
			n := int64(int8(r.byte()))
			h := handles[int(r.byte())%len(handles)]
			trace = append(trace, fmt.Sprintf("handle.Add(%d)", n))
			h.Add(n)
			m += n
		case 4:
			trace = append(trace, "Drain")
			check("Drain", m, c.Drain())
			m = 0
		case 5:
			// Move to another thread, and so probably another stripe.
			trace = append(trace, "Gosched")
			runtime.Gosched()
		case 6:
			trace = append(trace, "Load")
		}
		check("Load", m, c.Load())
	}
}
