package atomicx

import (
	"math"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// floatMachine is the model of Float[T]: bitwise CompareAndSwap, numeric
// Max/Min with −0 < +0 that ignore a NaN argument and replace a held NaN,
// and the package-level Max/Min on a Float cell (plain > and <, so a NaN on
// either side changes nothing and −0 equals +0). Results are compared bit
// for bit: NaN payloads and the sign of zero count.
type floatMachine[T Floating] struct {
	cell  Float[T]
	model T
	gen   *rapid.Generator[T]
}

func same[T Floating](a, b T) bool { return toBits(a) == toBits(b) }

func (m *floatMachine[T]) Load(t *rapid.T)    { m.check(t) }
func (m *floatMachine[T]) Store(t *rapid.T)   { m.store(m.gen.Draw(t, "v")) }
func (m *floatMachine[T]) Swap(t *rapid.T)    { m.swap(t, m.gen.Draw(t, "v")) }
func (m *floatMachine[T]) Add(t *rapid.T)     { m.add(t, m.gen.Draw(t, "delta")) }
func (m *floatMachine[T]) Max(t *rapid.T)     { m.max(t, m.gen.Draw(t, "v")) }
func (m *floatMachine[T]) Min(t *rapid.T)     { m.min(t, m.gen.Draw(t, "v")) }
func (m *floatMachine[T]) MaxFunc(t *rapid.T) { m.maxFunc(t, m.gen.Draw(t, "v")) }
func (m *floatMachine[T]) MinFunc(t *rapid.T) { m.minFunc(t, m.gen.Draw(t, "v")) }
func (m *floatMachine[T]) Check(t *rapid.T)   { m.check(t) }

func (m *floatMachine[T]) CompareAndSwap(t *rapid.T) {
	old := m.model
	if rapid.Bool().Draw(t, "mismatch") {
		old = m.gen.Draw(t, "old")
	}
	m.cas(t, old, m.gen.Draw(t, "v"))
}

func (m *floatMachine[T]) store(v T) {
	m.cell.Store(v)
	m.model = v
}

func (m *floatMachine[T]) swap(t tb, v T) {
	t.Helper()
	if old := m.cell.Swap(v); !same(old, m.model) {
		t.Fatalf("Swap returned %v, model %v", old, m.model)
	}
	m.model = v
	m.check(t)
}

func (m *floatMachine[T]) cas(t tb, old, v T) {
	t.Helper()
	want := same(old, m.model)
	if got := m.cell.CompareAndSwap(old, v); got != want {
		t.Fatalf("CompareAndSwap(%v, %v) = %v with value %v (bits %#x)", old, v, got, m.model, toBits(m.model))
	}
	if want {
		m.model = v
	}
	m.check(t)
}

func (m *floatMachine[T]) add(t tb, d T) {
	t.Helper()
	m.model += d
	if got := m.cell.Add(d); !same(got, m.model) {
		t.Fatalf("Add(%v) = %v, model %v", d, got, m.model)
	}
	m.check(t)
}

// refLess is the model's order: numeric, with −0 < +0.
func refLess[T Floating](a, b T) bool {
	if a < b {
		return true
	}
	return a == 0 && b == 0 && math.Signbit(float64(a)) && !math.Signbit(float64(b))
}

func isNaN[T Floating](v T) bool { return math.IsNaN(float64(v)) }

// update checks that op, one of the Max and Min operations on the cell,
// returns the model's value, bit for bit, when applied to v, and moves the
// model to next(model, v).
func (m *floatMachine[T]) update(t tb, name string, op func(T) T, v T, next func(model, v T) T) {
	t.Helper()
	if old := op(v); !same(old, m.model) {
		t.Fatalf("%s returned %v, model %v", name, old, m.model)
	}
	m.model = next(m.model, v)
	m.check(t)
}

// Float.Max and Float.Min ignore a NaN v, replace a held NaN, and order
// −0 below +0.
func (m *floatMachine[T]) max(t tb, v T) {
	m.update(t, "Max", m.cell.Max, v, func(model, v T) T {
		if !isNaN(v) && (isNaN(model) || refLess(model, v)) {
			return v
		}
		return model
	})
}

func (m *floatMachine[T]) min(t tb, v T) {
	m.update(t, "Min", m.cell.Min, v, func(model, v T) T {
		if !isNaN(v) && (isNaN(model) || refLess(v, model)) {
			return v
		}
		return model
	})
}

// The package-level Max and Min use plain > and <.
func (m *floatMachine[T]) maxFunc(t tb, v T) {
	m.update(t, "atomicx.Max", func(v T) T { return Max(&m.cell, v) }, v, func(model, v T) T {
		if v > model {
			return v
		}
		return model
	})
}

func (m *floatMachine[T]) minFunc(t tb, v T) {
	m.update(t, "atomicx.Min", func(v T) T { return Min(&m.cell, v) }, v, func(model, v T) T {
		if v < model {
			return v
		}
		return model
	})
}

// check compares Load, bit for bit, and String with the model.
func (m *floatMachine[T]) check(t tb) {
	t.Helper()
	if got := m.cell.Load(); !same(got, m.model) {
		t.Fatalf("value %v (bits %#x), model %v (bits %#x)", got, toBits(got), m.model, toBits(m.model))
	}
	if got, want := m.cell.String(), floatJSON(m.model); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

// floatJSON is the String the model expects.
func floatJSON[T Floating](v T) string {
	switch {
	case isNaN(v):
		return `"NaN"`
	case math.IsInf(float64(v), 0):
		if v > 0 {
			return `"+Inf"`
		}
		return `"-Inf"`
	case is32[T]():
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	}
	return strconv.FormatFloat(float64(v), 'g', -1, 64)
}

// specialFloats draws the values where float semantics bite (±0, ±Inf, NaN,
// the extremes, the least subnormal), small integers (exact sums), ordinary
// values, and raw bits: NaN payloads and subnormals.
func specialFloats[T Floating]() *rapid.Generator[T] {
	negZero := T(math.Copysign(0, -1))
	maxT, tiny := fromBits[T](math.Float64bits(math.MaxFloat64)), fromBits[T](1)
	if is32[T]() {
		maxT = fromBits[T](uint64(math.Float32bits(math.MaxFloat32)))
	}
	return rapid.OneOf(
		rapid.SampledFrom([]T{0, negZero, 1, -1, T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN()), 0.5, -2.5, maxT, -maxT, tiny}),
		rapid.Custom(func(t *rapid.T) T { return T(rapid.Int8().Draw(t, "small")) }),
		rapid.Custom(func(t *rapid.T) T { return T(rapid.Float64().Draw(t, "f")) }),
		rapid.Custom(func(t *rapid.T) T { return fromBits[T](rapid.Uint64().Draw(t, "bits")) }),
	)
}

// celsius is a named float type: Float[celsius] must behave as Float[float64].
type celsius float64

func runFloatMachine[T Floating](t *rapid.T) {
	t.Repeat(rapid.StateMachineActions(&floatMachine[T]{gen: specialFloats[T]()}))
}

// floatModels run the Float model for float32, float64 and a named type.
// The fuzz target picks one by its index, so the order stays.
var floatModels = []struct {
	name string
	run  func(t *rapid.T)
}{
	{"float32", runFloatMachine[float32]},
	{"float64", runFloatMachine[float64]},
	{"celsius", runFloatMachine[celsius]},
}

func TestFloatStateMachine(t *testing.T) {
	for _, model := range floatModels {
		t.Run(model.name, func(t *testing.T) {
			rapid.Check(t, model.run)
		})
	}
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

// TestConcurrentFloatAdd: concurrent Adds of a Float lose none.
func TestConcurrentFloatAdd(t *testing.T) {
	const goroutines, per = 8, 5000
	var f Float[float64]
	all := applyAll(t, goroutines, per, func(v int64) {
		f.Add(float64(v & 0xffff)) // small integers: float sums stay exact
	})
	var want float64
	for _, v := range all {
		want += float64(v & 0xffff)
	}
	if f.Load() != want {
		t.Fatalf("Float sum %v want %v", f.Load(), want)
	}
}
