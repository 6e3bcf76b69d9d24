package lfqueue

import (
	"context"
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
	for name, f := range map[string]func(){
		"TryPush":   func() { q.TryPush(1) },
		"TryPop":    func() { q.TryPop() },
		"Push":      func() { _ = q.Push(context.Background(), 1) },
		"Pop":       func() { _, _ = q.Pop(context.Background()) },
		"Len":       func() { q.Len() },
		"Cap":       func() { q.Cap() },
		"IsEmpty":   func() { q.IsEmpty() },
		"IsFull":    func() { q.IsFull() },
		"FillRatio": func() { q.FillRatio() },
		"Close":     func() { q.Close() },
		"Closed":    func() { q.Closed() },
		"Offer":     func() { _ = q.Offer(1) },
		"All":       func() { q.All(context.Background())(func(int) bool { return true }) },
	} {
		checkPanics(t, name+" on a zero LockFree", notNewLockFreeMsg, f)
	}
}

// TestLockFreeAllStopsOnCancel: as TestAllStopsOnCancel, for LockFree.
func TestLockFreeAllStopsOnCancel(t *testing.T) { checkAllStopsOnCancel(t, NewLockFree[int](64)) }
