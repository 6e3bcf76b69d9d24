package wait

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRegisterCancel(t *testing.T) {
	var l List
	if l.Waiting.Load() != 0 {
		t.Fatal("empty list reports waiters")
	}
	l.Register()
	if !(l.Waiting.Load() != 0) {
		t.Fatal("registration not visible")
	}
	l.Cancel()
	if l.Waiting.Load() != 0 {
		t.Fatal("cancel left a waiter")
	}
}

// TestWakeOrderAndCount: parked waiters are woken in the order they
// parked, as many as asked for.
func TestWakeOrderAndCount(t *testing.T) {
	var l List
	const n = 5
	order := make(chan int, n)
	for i := 0; i < n; i++ {
		l.Register()
		go func() {
			if err := l.Park(context.Background()); err != nil {
				t.Error(err)
			}
			order <- i
		}()
		waitParked(t, &l, i+1)
	}
	l.WakeOne()
	if got := <-order; got != 0 {
		t.Fatalf("WakeOne woke %d, want the first parked (0)", got)
	}
	l.WakeN(2)
	a, b := <-order, <-order
	if a+b != 3 {
		t.Fatalf("WakeN(2) woke %d and %d, want 1 and 2", a, b)
	}
	if int(l.Waiting.Load()) != 2 {
		t.Fatalf("%d waiters left after 3 wakeups of 5, want 2", int(l.Waiting.Load()))
	}
	l.WakeAll()
	<-order
	<-order
	if l.Waiting.Load() != 0 {
		t.Fatal("WakeAll left waiters")
	}
}

// waitParked waits until n goroutines are blocked receiving on l's token
// channel (its length does not show them; the runtime's goroutine states
// do not either, so it watches for Len == n and then gives the last one
// time to reach its receive).
func waitParked(t *testing.T, l *List, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); int(l.Waiting.Load()) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters registered, want %d", int(l.Waiting.Load()), n)
		}
	}
	time.Sleep(10 * time.Millisecond)
}

// TestCancelForwardsWakeup: a waiter chosen by WakeOne that cancels instead
// of consuming the wakeup passes it to the next waiter.
func TestCancelForwardsWakeup(t *testing.T) {
	var l List
	l.Register() // w1
	l.Register() // w2
	l.WakeN(2)   // claims both: a token each
	l.Cancel()   // w1 leaves: it takes a token and passes the wakeup on (to nobody)
	done := make(chan error)
	go func() { done <- l.Park(context.Background()) }() // w2
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("wakeup lost on cancel")
	}
	if c := len(l.channel()); c != 0 || (l.Waiting.Load() != 0) {
		t.Fatalf("%d tokens and %d waiters left, want none", c, int(l.Waiting.Load()))
	}
}

// TestCancelPassesClaimedWakeup: a waiter whose wakeup was claimed (all
// registered waiters were) but that leaves without parking passes the
// wakeup to a waiter that registered later, so that none is absorbed.
func TestCancelPassesClaimedWakeup(t *testing.T) {
	var l List
	l.Register() // w1
	l.WakeOne()  // claims w1's wakeup
	l.Register() // w2, unclaimed
	l.Cancel()   // w1: Waiting is 1 (w2's), so w1 takes itself out of it...
	// ...and the token stays for w2, which must not block.
	done := make(chan error)
	go func() { done <- l.Park(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("wakeup absorbed by a cancelled waiter")
	}
}

func TestParkContext(t *testing.T) {
	var l List
	ctx, cancel := context.WithCancel(context.Background())
	l.Register()
	done := make(chan error)
	go func() { done <- l.Park(ctx) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Park = %v", err)
	}
	if l.Waiting.Load() != 0 {
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
			if l.Waiting.Load() != 0 {
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
			l.Register()
			if items.Load() > 0 {
				l.Cancel()
				continue
			}
			if err := l.Park(context.Background()); err != nil {
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

// TestChaosAccounting runs episodes of a few goroutines that each both wait
// and wake, as a queue's Push and Pop do: in turn they register and leave in
// every way (Cancel, Park with a context that has ended, ends soon, or ends
// later), and call WakeOne, WakeN and WakeAll. A goroutine's wakeup may be
// claimed and its token taken by another that registered after the claim.
// No call may then block for good, even after the episode's last wake call,
// and once every goroutine of an episode has finished its List must be
// empty: Waiting zero and no token left in the channel (a token left there
// is a wakeup claimed for nobody).
//
// Regression test: Cancel used to block in a token receive whenever it
// found Waiting zero, and hung when a later registrant's Park took the
// token claimed for it and no wake call followed. Goroutines that leaving
// waiters handed their wait to must finish too before the check.
func TestChaosAccounting(t *testing.T) {
	const (
		episodes   = 3000
		goroutines = 3
		ops        = 20
	)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	seed := uint64(time.Now().UnixNano())
	for e := range episodes {
		var l List
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(seed, uint64(e*goroutines+g)))
				for range ops {
					switch rng.IntN(8) {
					case 0:
						l.WakeOne()
					case 1:
						l.WakeN(2)
					case 2:
						l.WakeAll()
					case 3:
						l.Register()
						l.Cancel()
					case 4:
						l.Register()
						_ = l.Park(canceled)
					case 5, 6:
						l.Register()
						ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.IntN(20))*time.Microsecond)
						_ = l.Park(ctx)
						cancel()
					case 7:
						runtime.Gosched()
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("episode %d of seed %d: a waiter never returned:\n%s", e, seed, buf[:runtime.Stack(buf, true)])
		}
		waitHandedOff(t)
		if n := l.Waiting.Load(); n != 0 {
			t.Fatalf("episode %d of seed %d: Waiting = %d after every waiter left", e, seed, n)
		}
		if n := len(l.channel()); n != 0 {
			t.Fatalf("episode %d of seed %d: %d tokens left after every waiter left", e, seed, n)
		}
	}
}

// waitHandedOff waits until every goroutine that a leaving waiter handed
// its wait to has finished.
func waitHandedOff(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for handedOff.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d handed-off waits still running after 10s", handedOff.Load())
		}
		time.Sleep(time.Millisecond)
	}
}
