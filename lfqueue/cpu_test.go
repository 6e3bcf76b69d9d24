package lfqueue

import (
	"context"
	"math"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/wait"
)

// waitRegistered waits until a goroutine has registered on l.
func waitRegistered(t *testing.T, l *wait.List) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !l.Any(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no goroutine registered to wait within 20s")
		}
	}
}

// checkParkedIdle fails if the process uses more than 5% of one CPU over
// 500 ms while waiters goroutines are parked in the operation named by what
// ("Pops", "Pushes").
func checkParkedIdle(t *testing.T, waiters int, what string) {
	t.Helper()
	const window = 500 * time.Millisecond
	before := cpuTime(t)
	time.Sleep(window)
	used := cpuTime(t) - before
	t.Logf("%d parked %s used %v CPU in %v", waiters, what, used, window)
	if used > window/20 {
		t.Errorf("%d parked %s used %v of CPU in %v (> 5%% of one CPU)", waiters, what, used, window)
	}
}

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
	// Wait until they park: the first registration shows, and the spin
	// budget is microseconds, so 100 ms later all four have parked.
	waitRegistered(t, &q.poppers)
	time.Sleep(100 * time.Millisecond)
	checkParkedIdle(t, waiters, "Pops")
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
	waitRegistered(t, &q.pushers)
	if v, ok := q.TryPop(); !ok || v != 1 {
		t.Fatalf("TryPop = %v, %v", v, ok)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Cancellation of a parked Push: nothing pushed.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- q.Push(ctx, 3) }()
	waitRegistered(t, &q.pushers)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Push after cancel = %v", err)
	}
	if q.Len() != 1 || q.pushers.Any() {
		t.Fatalf("Len %d, parked pushers left: %v", q.Len(), q.pushers.Any())
	}
	// Close wakes a parked Push (ErrClosed) and a parked Pop (after drain).
	go func() { done <- q.Push(context.Background(), 4) }()
	waitRegistered(t, &q.pushers)
	q.Close()
	if err := <-done; err != ErrClosed {
		t.Fatalf("parked Push after Close = %v", err)
	}
	q2 := New[int](1)
	go func() { _, err := q2.Pop(context.Background()); done <- err }()
	waitRegistered(t, &q2.poppers)
	q2.Close()
	if err := <-done; err != ErrClosed {
		t.Fatalf("parked Pop after Close = %v", err)
	}
}

func TestNewPanics(t *testing.T) {
	for _, c := range []int{0, -1, math.MinInt} {
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
	huge := math.MaxInt / 64 // times a 256-byte stride overflows int
	func() {
		defer func() {
			r := recover()
			s, _ := r.(string)
			if r == nil || !contains(s, itoa(huge)) {
				t.Errorf("New(%d) of 256-byte slots: panic = %v", huge, r)
			}
		}()
		New[[200]byte](huge)
	}()
	// A nil option is named, not a nil dereference.
	func() {
		defer func() {
			r := recover()
			s, _ := r.(string)
			if !strings.HasPrefix(s, "lfqueue: New: option 1 is nil") {
				t.Errorf("New with a nil option: panic = %v", r)
			}
		}()
		New[int](8, Padded(), nil)
	}()
}
