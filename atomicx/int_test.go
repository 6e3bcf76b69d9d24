package atomicx

import (
	"fmt"
	"math"
	"testing"
	"time"

	"golang.org/x/exp/constraints"
	"pgregory.net/rapid"
)

// tb is what the models report failures through: *rapid.T in the state
// machines and fuzz targets, *testing.T in the scripted scenarios.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// intMachine is the model of Int[T]: every operation, and the package-level
// Max and Min on an Int cell, checked against a plain T, which wraps by Go's
// own rules. Its exported methods are rapid actions that draw operands; the
// unexported ones take them, for scripted scenarios.
type intMachine[T constraints.Integer] struct {
	cell  Int[T]
	model T
	gen   *rapid.Generator[T]
}

func (m *intMachine[T]) Load(t *rapid.T)  { m.check(t) }
func (m *intMachine[T]) Store(t *rapid.T) { m.store(m.gen.Draw(t, "v")) }
func (m *intMachine[T]) Swap(t *rapid.T)  { m.swap(t, m.gen.Draw(t, "v")) }
func (m *intMachine[T]) Add(t *rapid.T)   { m.add(t, m.gen.Draw(t, "delta")) }
func (m *intMachine[T]) Max(t *rapid.T)   { m.max(t, m.gen.Draw(t, "v")) }
func (m *intMachine[T]) Min(t *rapid.T)   { m.min(t, m.gen.Draw(t, "v")) }

// MaxFunc and MinFunc are the package-level Max and Min on the cell.
func (m *intMachine[T]) MaxFunc(t *rapid.T) { m.maxFunc(t, m.gen.Draw(t, "v")) }
func (m *intMachine[T]) MinFunc(t *rapid.T) { m.minFunc(t, m.gen.Draw(t, "v")) }

func (m *intMachine[T]) CompareAndSwap(t *rapid.T) {
	old := m.model
	if rapid.Bool().Draw(t, "mismatch") {
		old = m.gen.Draw(t, "old")
	}
	m.cas(t, old, m.gen.Draw(t, "v"))
}

func (m *intMachine[T]) Check(t *rapid.T) { m.check(t) }

func (m *intMachine[T]) store(v T) {
	m.cell.Store(v)
	m.model = v
}

func (m *intMachine[T]) swap(t tb, v T) {
	t.Helper()
	if old := m.cell.Swap(v); old != m.model {
		t.Fatalf("Swap returned %v, model %v", old, m.model)
	}
	m.model = v
	m.check(t)
}

func (m *intMachine[T]) cas(t tb, old, v T) {
	t.Helper()
	want := old == m.model
	if got := m.cell.CompareAndSwap(old, v); got != want {
		t.Fatalf("CompareAndSwap(%v, %v) = %v with value %v", old, v, got, m.model)
	}
	if want {
		m.model = v
	}
	m.check(t)
}

func (m *intMachine[T]) add(t tb, d T) {
	t.Helper()
	m.model += d
	if got := m.cell.Add(d); got != m.model {
		t.Fatalf("Add(%v) = %v, model %v", d, got, m.model)
	}
	m.check(t)
}

// update checks that op, one of the Max and Min operations on the cell,
// returns the model's value when applied to v, and moves the model to
// next(model, v).
func (m *intMachine[T]) update(t tb, name string, op func(T) T, v T, next func(a, b T) T) {
	t.Helper()
	if old := op(v); old != m.model {
		t.Fatalf("%s returned %v, model %v", name, old, m.model)
	}
	m.model = next(m.model, v)
	m.check(t)
}

func (m *intMachine[T]) max(t tb, v T) { m.update(t, "Max", m.cell.Max, v, maxOf[T]) }
func (m *intMachine[T]) min(t tb, v T) { m.update(t, "Min", m.cell.Min, v, minOf[T]) }

func (m *intMachine[T]) maxFunc(t tb, v T) {
	m.update(t, "atomicx.Max", func(v T) T { return Max(&m.cell, v) }, v, maxOf[T])
}

func (m *intMachine[T]) minFunc(t tb, v T) {
	m.update(t, "atomicx.Min", func(v T) T { return Min(&m.cell, v) }, v, minOf[T])
}

func maxOf[T constraints.Integer](a, b T) T { return max(a, b) }
func minOf[T constraints.Integer](a, b T) T { return min(a, b) }

// check compares Load and String with the model.
func (m *intMachine[T]) check(t tb) {
	t.Helper()
	if got := m.cell.Load(); got != m.model {
		t.Fatalf("value %v, model %v", got, m.model)
	}
	if got, want := m.cell.String(), fmt.Sprintf("%d", m.model); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

// edgeInts draws from T's edges (where wraparound happens), small values,
// and raw bits truncated to T.
func edgeInts[T constraints.Integer](lo, hi T) *rapid.Generator[T] {
	return rapid.OneOf(
		rapid.SampledFrom([]T{lo, lo + 1, hi, hi - 1, 0, 1, ^T(0)}),
		rapid.Custom(func(t *rapid.T) T { return T(rapid.Uint8().Draw(t, "small")) }),
		rapid.Custom(func(t *rapid.T) T { return T(rapid.Uint64().Draw(t, "bits")) }),
	)
}

func runIntMachine[T constraints.Integer](t *rapid.T, lo, hi T) {
	m := &intMachine[T]{gen: edgeInts(lo, hi)}
	t.Repeat(rapid.StateMachineActions(m))
}

// intModels run the Int model for each integer type: every width, signed
// and unsigned, int, uintptr and a named type. The fuzz target picks one by
// its index, so the order stays.
var intModels = []struct {
	name string
	run  func(t *rapid.T)
}{
	{"int8", func(t *rapid.T) { runIntMachine[int8](t, math.MinInt8, math.MaxInt8) }},
	{"uint8", func(t *rapid.T) { runIntMachine[uint8](t, 0, math.MaxUint8) }},
	{"int16", func(t *rapid.T) { runIntMachine[int16](t, math.MinInt16, math.MaxInt16) }},
	{"uint16", func(t *rapid.T) { runIntMachine[uint16](t, 0, math.MaxUint16) }},
	{"int32", func(t *rapid.T) { runIntMachine[int32](t, math.MinInt32, math.MaxInt32) }},
	{"uint32", func(t *rapid.T) { runIntMachine[uint32](t, 0, math.MaxUint32) }},
	{"int64", func(t *rapid.T) { runIntMachine[int64](t, math.MinInt64, math.MaxInt64) }},
	{"uint64", func(t *rapid.T) { runIntMachine[uint64](t, 0, math.MaxUint64) }},
	{"int", func(t *rapid.T) { runIntMachine[int](t, math.MinInt, math.MaxInt) }},
	{"uintptr", func(t *rapid.T) { runIntMachine[uintptr](t, 0, ^uintptr(0)) }},
	{"Duration", func(t *rapid.T) { runIntMachine[time.Duration](t, math.MinInt64, math.MaxInt64) }},
}

func TestIntStateMachine(t *testing.T) {
	for _, model := range intModels {
		t.Run(model.name, func(t *testing.T) {
			rapid.Check(t, model.run)
		})
	}
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

// TestConcurrentAdd: concurrent Adds of an Int lose none, and wrap as
// sequential ones do.
func TestConcurrentAdd(t *testing.T) {
	const goroutines, per = 8, 5000
	var i Int[int32]
	all := applyAll(t, goroutines, per, func(v int64) { i.Add(int32(v)) })
	var want int32
	for _, v := range all {
		want += int32(v)
	}
	if i.Load() != want {
		t.Fatalf("Int sum %d want %d", i.Load(), want)
	}
}
