package lfqueue

import (
	"testing"
)

// The API contract LockFree shares with Queue for bad input and cancellation
// (the Queue versions are in blocking_test.go).

// TestLockFreeNilContextPanics: as TestNilContextPanics, for LockFree.
func TestLockFreeNilContextPanics(t *testing.T) { checkNilContextPanics(t, NewLockFree[int](1)) }

// TestLockFreeZeroValuePanics: every method of a LockFree not made by
// NewLockFree panics with a message saying so (the zero value would
// otherwise act as a queue of capacity 0 whose Push never returns).
func TestLockFreeZeroValuePanics(t *testing.T) {
	var q LockFree[int]
	checkZeroValuePanics(t, &q, "LockFree", notNewLockFreeMsg, nil)
}

// TestLockFreeAllStopsOnCancel: as TestAllStopsOnCancel, for LockFree.
func TestLockFreeAllStopsOnCancel(t *testing.T) { checkAllStopsOnCancel(t, NewLockFree[int](64)) }
