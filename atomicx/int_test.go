package atomicx

import (
	"math"
	"testing"
	"time"

	"golang.org/x/exp/constraints"
	"pgregory.net/rapid"
)

// intMachine checks every Int[T] operation against a plain T, which wraps by
// Go's own rules.
type intMachine[T constraints.Integer] struct {
	cell  Int[T]
	model T
	gen   *rapid.Generator[T]
}

func (m *intMachine[T]) Load(t *rapid.T) {
	if got := m.cell.Load(); got != m.model {
		t.Fatalf("Load = %v, model %v", got, m.model)
	}
}

func (m *intMachine[T]) Store(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	m.cell.Store(v)
	m.model = v
}

func (m *intMachine[T]) Swap(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	if old := m.cell.Swap(v); old != m.model {
		t.Fatalf("Swap returned %v, model %v", old, m.model)
	}
	m.model = v
}

func (m *intMachine[T]) CompareAndSwap(t *rapid.T) {
	old := m.model
	if rapid.Bool().Draw(t, "mismatch") {
		old = m.gen.Draw(t, "old")
	}
	v := m.gen.Draw(t, "v")
	want := old == m.model
	if got := m.cell.CompareAndSwap(old, v); got != want {
		t.Fatalf("CompareAndSwap(%v, %v) = %v with value %v", old, v, got, m.model)
	}
	if want {
		m.model = v
	}
}

func (m *intMachine[T]) Add(t *rapid.T) {
	d := m.gen.Draw(t, "delta")
	m.model += d
	if got := m.cell.Add(d); got != m.model {
		t.Fatalf("Add(%v) = %v, model %v", d, got, m.model)
	}
}

func (m *intMachine[T]) Max(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	if old := m.cell.Max(v); old != m.model {
		t.Fatalf("Max returned %v, model %v", old, m.model)
	}
	m.model = max(m.model, v)
}

func (m *intMachine[T]) Min(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	if old := m.cell.Min(v); old != m.model {
		t.Fatalf("Min returned %v, model %v", old, m.model)
	}
	m.model = min(m.model, v)
}

func (m *intMachine[T]) Check(t *rapid.T) {
	if got := m.cell.Load(); got != m.model {
		t.Fatalf("value %v, model %v", got, m.model)
	}
}

// edgeInts draws mostly from T's edges, where wraparound happens.
func edgeInts[T constraints.Integer](lo, hi T) *rapid.Generator[T] {
	return rapid.OneOf(
		rapid.SampledFrom([]T{lo, lo + 1, hi, hi - 1, 0, 1, ^T(0)}),
		rapid.Custom(func(t *rapid.T) T { return T(rapid.Uint64().Draw(t, "bits")) }),
	)
}

func runIntMachine[T constraints.Integer](t *rapid.T, lo, hi T) {
	m := &intMachine[T]{gen: edgeInts(lo, hi)}
	t.Repeat(rapid.StateMachineActions(m))
}

func TestIntStateMachine(t *testing.T) {
	t.Run("int8", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { runIntMachine[int8](t, math.MinInt8, math.MaxInt8) })
	})
	t.Run("uint8", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { runIntMachine[uint8](t, 0, math.MaxUint8) })
	})
	t.Run("int32", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { runIntMachine[int32](t, math.MinInt32, math.MaxInt32) })
	})
	t.Run("uint64", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { runIntMachine[uint64](t, 0, math.MaxUint64) })
	})
	t.Run("Duration", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { runIntMachine[time.Duration](t, math.MinInt64, math.MaxInt64) })
	})
}

func TestIntWraps(t *testing.T) {
	var x Int[int8]
	x.Store(127)
	if got := x.Add(1); got != -128 {
		t.Fatalf("127+1 = %d, want -128", got)
	}
	// The word now carries stray high bits; CAS must still match by T.
	if !x.CompareAndSwap(-128, 5) {
		t.Fatal("CompareAndSwap(-128, 5) failed after wraparound")
	}
	var u Int[uint8]
	if got := u.Add(255); got != 255 {
		t.Fatalf("0+255 = %d", got)
	}
	if got := u.Add(2); got != 1 {
		t.Fatalf("255+2 = %d, want 1", got)
	}
	if u.CompareAndSwap(2, 9) {
		t.Fatal("CompareAndSwap succeeded with the wrong old value")
	}
}
