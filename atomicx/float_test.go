package atomicx

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// floatModel mirrors Float semantics on a plain T: bitwise CAS, numeric
// Max/Min with −0 < +0, NaN arguments ignored, a held NaN replaced.
type floatMachine[T Floating] struct {
	cell  Float[T]
	model T
	gen   *rapid.Generator[T]
}

func same[T Floating](a, b T) bool { return toBits(a) == toBits(b) }

func (m *floatMachine[T]) Load(t *rapid.T) {
	if got := m.cell.Load(); !same(got, m.model) {
		t.Fatalf("Load = %v, model %v", got, m.model)
	}
}

func (m *floatMachine[T]) Store(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	m.cell.Store(v)
	m.model = v
}

func (m *floatMachine[T]) Swap(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	if old := m.cell.Swap(v); !same(old, m.model) {
		t.Fatalf("Swap returned %v, model %v", old, m.model)
	}
	m.model = v
}

func (m *floatMachine[T]) CompareAndSwap(t *rapid.T) {
	old := m.model
	if rapid.Bool().Draw(t, "mismatch") {
		old = m.gen.Draw(t, "old")
	}
	v := m.gen.Draw(t, "v")
	want := same(old, m.model)
	if got := m.cell.CompareAndSwap(old, v); got != want {
		t.Fatalf("CompareAndSwap(%v, %v) = %v with value %v", old, v, got, m.model)
	}
	if want {
		m.model = v
	}
}

func (m *floatMachine[T]) Add(t *rapid.T) {
	d := m.gen.Draw(t, "delta")
	m.model += d
	if got := m.cell.Add(d); !same(got, m.model) {
		t.Fatalf("Add(%v) = %v, model %v", d, got, m.model)
	}
}

// refLess is the model's order: numeric, with −0 < +0.
func refLess[T Floating](a, b T) bool {
	if a < b {
		return true
	}
	return a == 0 && b == 0 && math.Signbit(float64(a)) && !math.Signbit(float64(b))
}

func (m *floatMachine[T]) Max(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	if old := m.cell.Max(v); !same(old, m.model) {
		t.Fatalf("Max returned %v, model %v", old, m.model)
	}
	if !math.IsNaN(float64(v)) && (math.IsNaN(float64(m.model)) || refLess(m.model, v)) {
		m.model = v
	}
}

func (m *floatMachine[T]) Min(t *rapid.T) {
	v := m.gen.Draw(t, "v")
	if old := m.cell.Min(v); !same(old, m.model) {
		t.Fatalf("Min returned %v, model %v", old, m.model)
	}
	if !math.IsNaN(float64(v)) && (math.IsNaN(float64(m.model)) || refLess(v, m.model)) {
		m.model = v
	}
}

func (m *floatMachine[T]) Check(t *rapid.T) {
	if got := m.cell.Load(); !same(got, m.model) {
		t.Fatalf("value %v (bits %x), model %v (bits %x)", got, toBits(got), m.model, toBits(m.model))
	}
}

func specialFloats[T Floating]() *rapid.Generator[T] {
	negZero := T(math.Copysign(0, -1))
	return rapid.OneOf(
		rapid.SampledFrom([]T{0, negZero, 1, -1, T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN()), 0.5, -2.5}),
		rapid.Custom(func(t *rapid.T) T { return T(rapid.Float64().Draw(t, "f")) }),
	)
}

func TestFloatStateMachine(t *testing.T) {
	t.Run("float32", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			t.Repeat(rapid.StateMachineActions(&floatMachine[float32]{gen: specialFloats[float32]()}))
		})
	})
	t.Run("float64", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			t.Repeat(rapid.StateMachineActions(&floatMachine[float64]{gen: specialFloats[float64]()}))
		})
	})
}

func TestFloatEdges(t *testing.T) {
	negZero := math.Copysign(0, -1)
	var f Float[float64]
	if math.Signbit(f.Load()) || f.Load() != 0 {
		t.Fatal("zero value is not +0")
	}
	f.Max(negZero)
	if math.Signbit(f.Load()) {
		t.Fatal("Max(-0) replaced +0")
	}
	f.Min(negZero)
	if !math.Signbit(f.Load()) {
		t.Fatal("Min(-0) did not replace +0")
	}
	f.Store(math.NaN())
	f.Add(1) // NaN + 1 = NaN: the CAS loop must end
	if !math.IsNaN(f.Load()) {
		t.Fatal("NaN+1 is not NaN")
	}
	f.Max(3)
	if f.Load() != 3 {
		t.Fatalf("Max(3) over NaN = %v, want 3", f.Load())
	}
	if old := f.Max(math.NaN()); old != 3 || f.Load() != 3 {
		t.Fatal("Max(NaN) changed the value")
	}
	n := math.NaN()
	f.Store(n)
	if !f.CompareAndSwap(n, 1) {
		t.Fatal("CompareAndSwap(NaN, 1) failed on a cell holding that NaN")
	}
	var g Float[float32]
	g.Store(1.5)
	if g.Add(0.25) != 1.75 {
		t.Fatal("float32 Add")
	}
}
