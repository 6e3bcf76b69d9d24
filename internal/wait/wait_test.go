package wait

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRegisterCancel(t *testing.T) {
	var l List
	if l.Any() {
		t.Fatal("empty list reports waiters")
	}
	w := l.Register()
	if !l.Any() {
		t.Fatal("registration not visible")
	}
	l.Cancel(w)
	if l.Any() {
		t.Fatal("cancel left a waiter")
	}
}

func TestWakeOrderAndCount(t *testing.T) {
	var l List
	const n = 5
	order := make(chan int, n)
	for i := 0; i < n; i++ {
		w := l.Register()
		go func() {
			if err := l.Park(context.Background(), w); err != nil {
				t.Error(err)
			}
			order <- i
		}()
	}
	l.WakeOne()
	if got := <-order; got != 0 {
		t.Fatalf("WakeOne woke %d, want the oldest (0)", got)
	}
	l.WakeN(2)
	a, b := <-order, <-order
	if a+b != 3 {
		t.Fatalf("WakeN(2) woke %d and %d, want 1 and 2", a, b)
	}
	if !l.Any() {
		t.Fatal("no waiters left after 3 wakeups of 5")
	}
	l.WakeAll()
	<-order
	<-order
	if l.Any() {
		t.Fatal("WakeAll left waiters")
	}
}

// TestCancelForwardsWakeup: a waiter chosen by WakeOne that cancels instead
// of consuming the wakeup passes it to the next waiter.
func TestCancelForwardsWakeup(t *testing.T) {
	var l List
	w1 := l.Register()
	w2 := l.Register()
	l.WakeOne() // chooses w1
	l.Cancel(w1)
	done := make(chan error)
	go func() { done <- l.Park(context.Background(), w2) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("wakeup lost on cancel")
	}
}

func TestParkContext(t *testing.T) {
	var l List
	ctx, cancel := context.WithCancel(context.Background())
	w := l.Register()
	done := make(chan error)
	go func() { done <- l.Park(ctx, w) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Park = %v", err)
	}
	if l.Any() {
		t.Fatal("canceled waiter still listed")
	}
}

// TestNoLostWakeup runs the register/recheck/park protocol against a
// producer many times; a lost wakeup would hang the test.
func TestNoLostWakeup(t *testing.T) {
	var l List
	var items atomic.Int64
	const n = 20000
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			items.Add(1)
			if l.Any() {
				l.WakeOne()
			}
		}
	}()
	go func() {
		defer wg.Done()
		for got := 0; got < n; {
			if items.Load() > 0 {
				items.Add(-1)
				got++
				continue
			}
			w := l.Register()
			if items.Load() > 0 {
				l.Cancel(w)
				continue
			}
			if err := l.Park(context.Background(), w); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
}

// TestBackoffSnoozeYields: a goroutine that snoozes while waiting for
// another lets it run, even on one P.
func TestBackoffSnoozeYields(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var flag atomic.Bool
	go flag.Store(true)
	var b Backoff
	for i := 0; !flag.Load(); i++ {
		if i%2 == 0 {
			b.Snooze()
		} else {
			b.Spin()
		}
		if i > 1000 { // far below the 10 ms async preemption
			t.Fatal("Snooze never yielded to the goroutine it waits for")
		}
	}
}
