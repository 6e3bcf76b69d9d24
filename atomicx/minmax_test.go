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
