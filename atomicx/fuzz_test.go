package atomicx

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// FuzzIntOps drives the Int state machines (int8, uint8, int32, uint64,
// time.Duration) from fuzzer-chosen bytes.
func FuzzIntOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		switch rapid.IntRange(0, 4).Draw(t, "type") {
		case 0:
			runIntMachine[int8](t, math.MinInt8, math.MaxInt8)
		case 1:
			runIntMachine[uint8](t, 0, math.MaxUint8)
		case 2:
			runIntMachine[int32](t, math.MinInt32, math.MaxInt32)
		case 3:
			runIntMachine[uint64](t, 0, math.MaxUint64)
		default:
			runIntMachine[time.Duration](t, math.MinInt64, math.MaxInt64)
		}
	}))
}

// FuzzFloatOps drives the Float state machines (float32, float64), NaN,
// ±Inf and −0 included, from fuzzer-chosen bytes.
func FuzzFloatOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		if rapid.Bool().Draw(t, "32") {
			t.Repeat(rapid.StateMachineActions(&floatMachine[float32]{gen: specialFloats[float32]()}))
		} else {
			t.Repeat(rapid.StateMachineActions(&floatMachine[float64]{gen: specialFloats[float64]()}))
		}
	}))
}

// FuzzMaxMin checks the generic Max/Min on a sync/atomic-style cell against
// plain max/min over a fuzzer-chosen sequence.
func FuzzMaxMin(f *testing.F) {
	f.Add(int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64))
	f.Add(int64(5), int64(5), int64(-5), int64(7))
	f.Fuzz(func(t *testing.T, a, b, c, d int64) {
		var hi, lo Int[int64]
		hi.Store(a)
		lo.Store(a)
		want := [2]int64{a, a}
		for _, v := range []int64{b, c, d} {
			if prev := Max(&hi, v); prev != want[0] {
				t.Fatalf("Max returned %d, want %d", prev, want[0])
			}
			if prev := Min(&lo, v); prev != want[1] {
				t.Fatalf("Min returned %d, want %d", prev, want[1])
			}
			want[0], want[1] = max(want[0], v), min(want[1], v)
		}
		if hi.Load() != want[0] || lo.Load() != want[1] {
			t.Fatalf("max/min = %d/%d, want %d/%d", hi.Load(), lo.Load(), want[0], want[1])
		}
	})
}
