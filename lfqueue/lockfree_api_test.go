package lfqueue

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// The API contract LockFree shares with Queue for bad input and cancellation
// (the Queue versions are in blocking_test.go).

// TestLockFreeNilContextPanics: Push, Pop and All panic at once on a nil ctx,
// with a message naming it, even when they would not block.
func TestLockFreeNilContextPanics(t *testing.T) {
	q := NewLockFree[int](1)
	q.TryPush(1)
	check := func(name string, f func()) {
		t.Helper()
		defer func() {
			t.Helper()
			s, _ := recover().(string)
			if !strings.Contains(s, "nil Context") || !strings.Contains(s, name) {
				t.Errorf("%s(nil): panic %q; want one naming the nil Context", name, s)
			}
		}()
		f()
	}
	//lint:ignore SA1012 the test passes a nil Context on purpose
	check("Pop", func() { _, _ = q.Pop(nil) })
	//lint:ignore SA1012 the test passes a nil Context on purpose
	check("Push", func() { _ = q.Push(nil, 2) })
	//lint:ignore SA1012 the test passes a nil Context on purpose
	check("All", func() { q.All(nil) })
	if q.Len() != 1 {
		t.Fatalf("Len %d after the panics, want 1", q.Len())
	}
}

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
		"All":       func() { q.All(context.Background())(func(int) bool { return true }) },
	} {
		func() {
			defer func() {
				if s, _ := recover().(string); s != errNotNewLockFree {
					t.Errorf("%s on a zero LockFree: panic %q, want %q", name, s, errNotNewLockFree)
				}
			}()
			f()
		}()
	}
}

// TestLockFreeAllStopsOnCancel: All ends promptly once ctx is done even while
// a producer never lets the queue drain.
func TestLockFreeAllStopsOnCancel(t *testing.T) {
	q := NewLockFree[int](64)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			q.TryPush(i)
		}
	}()
	for q.Len() < 32 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	for range q.All(ctx) {
		if n++; n == 100 {
			cancel()
		}
		if n > 101 {
			break
		}
	}
	close(stop)
	wg.Wait()
	if n != 100 {
		t.Fatalf("All yielded %d elements; want it to stop right after ctx is cancelled at 100", n)
	}
}
