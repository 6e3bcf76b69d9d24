package atomicx

import (
	"testing"

	"pgregory.net/rapid"
)

// The fuzz targets drive the package's models (the same state machines the
// Test*StateMachine tests run) from fuzzer-chosen bytes, through
// rapid.MakeFuzz. Scripted inputs worth keeping live in scenario_test.go.

// FuzzIntOps drives the Int model over every integer type (int8 … uint64,
// int, uintptr and time.Duration).
func FuzzIntOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		intModels[rapid.IntRange(0, len(intModels)-1).Draw(t, "type")].run(t)
	}))
}

// FuzzFloatOps drives the Float model (float32, float64 and a named type),
// NaN payloads, ±Inf, ±0 and subnormals included.
func FuzzFloatOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		floatModels[rapid.IntRange(0, len(floatModels)-1).Draw(t, "type")].run(t)
	}))
}

// FuzzMaxMin drives the model of the package-level Max and Min on
// sync/atomic's cells.
func FuzzMaxMin(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(runStdMachine))
}

// FuzzCounterOps drives the Counter model: Add, Inc, Dec, handles, Drain,
// Load and String, across goroutine switches and multiplier draws.
func FuzzCounterOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(runCounterMachine))
}
