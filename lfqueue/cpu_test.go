package lfqueue

import (
	"context"
	"syscall"
	"testing"
	"time"
)

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Skipf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestBlockedPopIdle checks that goroutines blocked in Pop park instead of
// spinning (4 of them use < 5% of one CPU over 500 ms), and that a Push wakes
// a parked Pop.
func TestBlockedPopIdle(t *testing.T) {
	q := New[int](8)
	const waiters = 4
	got := make(chan int, waiters)
	for i := 0; i < waiters; i++ {
		go func() {
			v, err := q.Pop(context.Background())
			if err != nil {
				t.Errorf("Pop: %v", err)
			}
			got <- v
		}()
	}
	// Wait until all four are parked on the waiter list.
	for deadline := time.Now().Add(10 * time.Second); q.poppers.Len() != waiters; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d poppers parked", q.poppers.Len(), waiters)
		}
		time.Sleep(time.Millisecond)
	}
	const window = 500 * time.Millisecond
	before := cpuTime(t)
	time.Sleep(window)
	used := cpuTime(t) - before
	t.Logf("%d parked Pops used %v CPU in %v", waiters, used, window)
	if used > window/20 {
		t.Errorf("%d parked Pops used %v of CPU in %v (> 5%% of one CPU)", waiters, used, window)
	}
	for i := 0; i < waiters; i++ {
		if err := q.Push(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int]bool{}
	for i := 0; i < waiters; i++ {
		select {
		case v := <-got:
			seen[v] = true
		case <-time.After(10 * time.Second):
			t.Fatal("Push did not wake a parked Pop")
		}
	}
	if len(seen) != waiters {
		t.Fatalf("got %v", seen)
	}
}

// TestBlockedPushWakes checks that Pop wakes a parked Push, Close wakes
// parked pushers and poppers, and ctx cancellation unblocks both.
func TestBlockedWakeups(t *testing.T) {
	q := New[int](1)
	q.TryPush(1)
	done := make(chan error, 1)
	go func() { done <- q.Push(context.Background(), 2) }()
	for q.pushers.Len() != 1 {
		time.Sleep(time.Millisecond)
	}
	if v, ok := q.TryPop(); !ok || v != 1 {
		t.Fatalf("TryPop = %v, %v", v, ok)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Cancellation of a parked Push: nothing pushed.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- q.Push(ctx, 3) }()
	for q.pushers.Len() != 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Push after cancel = %v", err)
	}
	if q.Len() != 1 || q.pushers.Len() != 0 {
		t.Fatalf("Len %d, parked pushers %d", q.Len(), q.pushers.Len())
	}
	// Close wakes a parked Push (ErrClosed) and a parked Pop (after drain).
	go func() { done <- q.Push(context.Background(), 4) }()
	for q.pushers.Len() != 1 {
		time.Sleep(time.Millisecond)
	}
	q.Close()
	if err := <-done; err != ErrClosed {
		t.Fatalf("parked Push after Close = %v", err)
	}
	q2 := New[int](1)
	go func() { _, err := q2.Pop(context.Background()); done <- err }()
	for q2.poppers.Len() != 1 {
		time.Sleep(time.Millisecond)
	}
	q2.Close()
	if err := <-done; err != ErrClosed {
		t.Fatalf("parked Pop after Close = %v", err)
	}
}

func TestNewPanics(t *testing.T) {
	for _, c := range []int{0, -1, -1 << 40} {
		func() {
			defer func() {
				r := recover()
				s, _ := r.(string)
				if r == nil || !contains(s, itoa(c)) {
					t.Errorf("New(%d) panic = %v; want a message naming %d", c, r, c)
				}
			}()
			New[int](c)
		}()
	}
	// Slot memory overflows int.
	huge := 1 << 56
	func() {
		defer func() {
			r := recover()
			s, _ := r.(string)
			if r == nil || !contains(s, itoa(huge)) {
				t.Errorf("New(%d) of 128-byte slots: panic = %v", huge, r)
			}
		}()
		New[[200]byte](huge)
	}()
}
