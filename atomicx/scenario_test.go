package atomicx

import (
	"math"
	"testing"
	"time"
)

// TestScenarios replays fixed operation sequences through the package's
// models: edge cases worth running on every test run, not only when a fuzzer
// happens to find them. They were the seed inputs of fuzz/'s former
// FuzzAtomicx target (named as its corpus files were) and of FuzzMaxMin.
func TestScenarios(t *testing.T) {
	nan32 := float32(math.NaN())
	nan := math.NaN()
	nanPayload := math.Float64frombits(0x7ff8000000000001) // a quiet NaN, payload 1
	negZero := math.Copysign(0, -1)
	inf := math.Inf(1)

	t.Run("int8-wraparound", func(t *testing.T) {
		m := &intMachine[int8]{}
		m.store(127)
		m.add(t, 1) // -128
		m.maxFunc(t, -1)
		m.minFunc(t, -128)
		m.cas(t, -128, 127) // fails: the value is -1
		m.cas(t, -1, 127)
		m.add(t, 127)
		m.add(t, 127)
	})
	t.Run("uint64-wraparound", func(t *testing.T) {
		m := &intMachine[uint64]{}
		m.store(math.MaxUint64)
		m.add(t, 1) // 0
		m.min(t, math.MaxUint64)
		m.max(t, math.MaxUint64)
		m.swap(t, 0)
		m.add(t, math.MaxUint64)
	})
	t.Run("duration-named-type", func(t *testing.T) {
		m := &intMachine[time.Duration]{}
		m.store(math.MinInt64)
		m.add(t, -1) // wraps to the greatest Duration
		m.max(t, math.MaxInt64)
		m.min(t, math.MinInt64)
		m.maxFunc(t, 1)
		m.minFunc(t, 0)
	})
	t.Run("int64-maxmin-edges", func(t *testing.T) {
		m := &intMachine[int64]{}
		m.store(math.MinInt64)
		for _, v := range []int64{math.MaxInt64, 0, -1} {
			m.maxFunc(t, v)
			m.minFunc(t, v)
		}
	})
	t.Run("std-maxmin-edges", func(t *testing.T) {
		m := &stdMachine{}
		m.apply(t, true, 0)
		m.apply(t, false, math.MaxUint64)
		m.apply(t, true, math.MaxUint64)
		m.apply(t, false, 0)
		m.apply(t, true, math.MaxUint64)
		m.apply(t, false, 0)
		m.apply(t, true, 0x80000000)
	})
	t.Run("float32-nan-signed-zero", func(t *testing.T) {
		m := &floatMachine[float32]{}
		m.store(nan32)
		m.max(t, float32(negZero)) // replaces the held NaN
		m.max(t, 0)                // +0 > −0
		m.min(t, float32(negZero))
		m.cas(t, float32(negZero), nan32)
		m.cas(t, nan32, 1) // the same NaN bits: succeeds
		m.add(t, float32(inf))
		m.add(t, float32(-inf)) // Inf − Inf = NaN
		m.max(t, nan32)         // ignored
		m.min(t, nan32)
		m.maxFunc(t, 3) // a held NaN stays for the package-level Max
	})
	t.Run("float64-nan-signed-zero", func(t *testing.T) {
		m := &floatMachine[float64]{}
		m.store(nan)
		m.max(t, negZero)
		m.max(t, 0)
		m.min(t, negZero)
		m.maxFunc(t, 0) // +0 is not > −0 for the package-level Max
		m.cas(t, negZero, nan)
		m.cas(t, nan, 1)
		m.add(t, inf)
		m.add(t, -inf)
		m.max(t, nan)
		m.min(t, nan)
	})
	t.Run("float64-nan-payload", func(t *testing.T) {
		m := &floatMachine[float64]{}
		m.store(nanPayload)
		m.cas(t, nan, 2)        // another NaN's bits: fails
		m.cas(t, nanPayload, 1) // its own bits: succeeds
		m.add(t, 1)
		m.swap(t, nanPayload)
		m.add(t, 1) // NaN + 1 keeps a NaN
	})
	t.Run("celsius-named-float", func(t *testing.T) {
		m := &floatMachine[celsius]{}
		m.store(celsius(inf))
		m.max(t, celsius(negZero))
		m.max(t, celsius(nan))
		m.min(t, 0)
		m.swap(t, celsius(inf))
		m.min(t, celsius(nan))
		m.max(t, 0)
	})
	t.Run("counter-drain-handles", func(t *testing.T) {
		m := &counterMachine{}
		m.add(t, math.MaxInt64)
		m.inc(t) // the sum wraps
		m.dec(t)
		m.handles = append(m.handles, m.c.Handle(), m.c.Handle())
		m.handleAdd(t, 0, -56)
		m.handleAdd(t, 1, 5)
		m.handleAdd(t, 1, 1)
		m.gosched(t)
		m.drain(t)
		m.add(t, math.MinInt64)
		m.rehash(t)
		m.add(t, -1)
		m.drain(t)
		m.drain(t)
	})
}
