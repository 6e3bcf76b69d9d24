package atomicx

import (
	"math"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// stdCells are sync/atomic's cells, each with its own path through the
// package-level Max and Min (the four direct loops and the generic one).
type stdCells struct {
	I32 atomic.Int32
	I64 atomic.Int64
	U32 atomic.Uint32
	U64 atomic.Uint64
	Ptr atomic.Uintptr
}

// stdValues is the model of stdCells, and what one Max or Min returned.
type stdValues struct {
	I32 int32
	I64 int64
	U32 uint32
	U64 uint64
	Ptr uintptr
}

// stdMachine is the model of the package-level Max and Min on sync/atomic's
// cells: one operand, truncated to each cell's type, applied to every cell;
// the previous values and the new ones checked against plain max and min.
type stdMachine struct {
	cells stdCells
	model stdValues
	gen   *rapid.Generator[uint64]
}

func (m *stdMachine) Max(t *rapid.T)   { m.apply(t, true, m.gen.Draw(t, "v")) }
func (m *stdMachine) Min(t *rapid.T)   { m.apply(t, false, m.gen.Draw(t, "v")) }
func (m *stdMachine) Check(t *rapid.T) { m.check(t) }

func (m *stdMachine) apply(t tb, isMax bool, v uint64) {
	t.Helper()
	c, w := &m.cells, &m.model
	var got stdValues
	if isMax {
		got = stdValues{Max(&c.I32, int32(v)), Max(&c.I64, int64(v)), Max(&c.U32, uint32(v)), Max(&c.U64, v), Max(&c.Ptr, uintptr(v))}
	} else {
		got = stdValues{Min(&c.I32, int32(v)), Min(&c.I64, int64(v)), Min(&c.U32, uint32(v)), Min(&c.U64, v), Min(&c.Ptr, uintptr(v))}
	}
	if d := cmp.Diff(*w, got); d != "" {
		t.Fatalf("max=%v of %#x: previous values (-want +got):\n%s", isMax, v, d)
	}
	if isMax {
		*w = stdValues{max(w.I32, int32(v)), max(w.I64, int64(v)), max(w.U32, uint32(v)), max(w.U64, v), max(w.Ptr, uintptr(v))}
	} else {
		*w = stdValues{min(w.I32, int32(v)), min(w.I64, int64(v)), min(w.U32, uint32(v)), min(w.U64, v), min(w.Ptr, uintptr(v))}
	}
	m.check(t)
}

func (m *stdMachine) check(t tb) {
	t.Helper()
	c := &m.cells
	got := stdValues{c.I32.Load(), c.I64.Load(), c.U32.Load(), c.U64.Load(), c.Ptr.Load()}
	if d := cmp.Diff(m.model, got); d != "" {
		t.Fatalf("values (-want +got):\n%s", d)
	}
}

func runStdMachine(t *rapid.T) {
	// The edges of the 32- and 64-bit types, signed and unsigned.
	edges := []uint64{0, 1, math.MaxUint64, math.MaxInt64, 1 << 63, math.MaxUint32, math.MaxInt32, 1 << 31, 1<<31 + 1}
	m := &stdMachine{gen: rapid.OneOf(rapid.SampledFrom(edges), rapid.Uint64())}
	t.Repeat(rapid.StateMachineActions(m))
}

func TestMaxMinStateMachine(t *testing.T) { rapid.Check(t, runStdMachine) }

func TestConcurrentMaxMin(t *testing.T) {
	const goroutines, per = 8, 5000
	var smax, smin atomic.Int64
	var xmax, xmin Int[int64]
	var fmax, fmin Float[float64]
	smin.Store(1 << 62)
	xmin.Store(1 << 62)
	fmin.Store(1 << 62)
	smax.Store(-1 << 62)
	xmax.Store(-1 << 62)
	fmax.Store(-1 << 62)
	all := applyAll(t, goroutines, per, func(v int64) {
		Max(&smax, v)
		Min(&smin, v)
		xmax.Max(v)
		xmin.Min(v)
		fmax.Max(float64(v))
		fmin.Min(float64(v))
	})
	wantMax, wantMin := all[0], all[0]
	for _, v := range all {
		wantMax = max(wantMax, v)
		wantMin = min(wantMin, v)
	}
	if smax.Load() != wantMax || xmax.Load() != wantMax || fmax.Load() != float64(wantMax) {
		t.Errorf("max: sync/atomic %d, Int %d, Float %v; want %d", smax.Load(), xmax.Load(), fmax.Load(), wantMax)
	}
	if smin.Load() != wantMin || xmin.Load() != wantMin || fmin.Load() != float64(wantMin) {
		t.Errorf("min: sync/atomic %d, Int %d, Float %v; want %d", smin.Load(), xmin.Load(), fmin.Load(), wantMin)
	}
}

// TestMaxMinEveryCellType runs the generic Max/Min over each sync/atomic
// cell type (each takes its own fast path) and a cell the fast paths do not
// know. The steps run in order: each cell's result depends on the steps
// before it on that cell.
func TestMaxMinEveryCellType(t *testing.T) {
	var i32 atomic.Int32
	var u32 atomic.Uint32
	var i64 atomic.Int64
	var u64 atomic.Uint64
	var up atomic.Uintptr
	var f Float[float64]
	i32.Store(-5)
	u32.Store(1 << 31)
	i64.Store(-1)
	u64.Store(1 << 63)
	// The calls in a composite literal run in lexical left-to-right order.
	steps := []struct {
		name      string
		got, want any
	}{
		{"Int32 max", Max(&i32, int32(-7)), int32(-5)},
		{"Int32 max", Max(&i32, int32(3)), int32(-5)},
		{"Int32 min", Min(&i32, int32(-9)), int32(3)},
		{"Int32 value", i32.Load(), int32(-9)},
		{"Uint32 max", Max(&u32, uint32(5)), uint32(1 << 31)},
		{"Uint32 min", Min(&u32, uint32(5)), uint32(1 << 31)},
		{"Uint32 value", u32.Load(), uint32(5)},
		{"Int64 max", Max(&i64, int64(-2)), int64(-1)},
		{"Int64 min", Min(&i64, int64(-1<<62)), int64(-1)},
		{"Int64 value", i64.Load(), int64(-1 << 62)},
		{"Uint64 max", Max(&u64, uint64(^uint64(0))), uint64(1 << 63)},
		{"Uint64 value", u64.Load(), ^uint64(0)},
		{"Uint64 min", Min(&u64, uint64(0)), ^uint64(0)},
		{"Uint64 value", u64.Load(), uint64(0)},
		{"Uintptr max", Max(&up, uintptr(9)), uintptr(0)},
		{"Uintptr min", Min(&up, uintptr(4)), uintptr(9)},
		{"Uintptr value", up.Load(), uintptr(4)},
		{"Float generic max", Max[float64](&f, 2.5), 0.0},
		{"Float generic min", Min[float64](&f, -1), 2.5},
		{"Float value", f.Load(), -1.0},
	}
	for _, s := range steps {
		if s.got != s.want {
			t.Errorf("%s: got %v, want %v", s.name, s.got, s.want)
		}
	}
}
