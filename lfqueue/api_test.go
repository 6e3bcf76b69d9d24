package lfqueue

import (
	"context"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockingQueue is the API Queue and LockFree share; the checks below test
// that shared contract once, for both types.
type blockingQueue[T any] interface {
	TryPush(v T) bool
	Len() int
	Push(ctx context.Context, v T) error
	Pop(ctx context.Context) (T, error)
	All(ctx context.Context) iter.Seq[T]
}

// checkAllStopsOnCancel: All ends promptly once ctx is done even while a
// producer never lets q (capacity >= 32, empty) drain.
func checkAllStopsOnCancel(t *testing.T, q blockingQueue[int]) {
	t.Helper()
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

// checkNilContextPanics: Push, Pop and All on q (capacity 1, empty) panic at
// once on a nil ctx, with a message naming it, even when they would not block.
func checkNilContextPanics(t *testing.T, q blockingQueue[int]) {
	t.Helper()
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

// checkPanics calls f and fails the test unless f panics with exactly want.
func checkPanics(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if s, _ := recover().(string); s != want {
			t.Errorf("%s: panic %q, want %q", what, s, want)
		}
	}()
	f()
}
