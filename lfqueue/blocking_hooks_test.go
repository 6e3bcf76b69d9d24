//go:build lfkit_stall

package lfqueue

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Tests that replace the spin budget (spinTest, a test hook that exists only
// in the lfkit_stall build): go test -tags lfkit_stall ./lfqueue

// TestWakeOrdering is the stress test of the wake protocol (claim.go). In
// each round one goroutine announces that it is about to wait (Pop on an
// empty queue, or Push on a full one) and a second goroutine, spinning on
// the announcement, makes the wait end (TryPush, or TryPop) after a random
// short delay, so that the claim races with the waiter's registration and
// recheck. Spinning is disabled, so every wait parks. A lost wakeup leaves
// the waiter parked, and its 10 s deadline fails the test.
//
// The protocol needs no ordering from the publishing stamp store, which is a
// plain MOV on amd64 (store_asm.go): the claimer loads "anyone waiting?"
// after its claiming CAS, and a waiter rechecks head and tail, never the
// stamp, after registering. Mutation check: loading "anyone waiting?" at the
// start of the claim step instead of after its CAS (so that only the release
// store precedes the wake decision's effect) failed 3 of 4 subtest runs here,
// at rounds 4,897 to 12,891 (a lost wakeup needs the claim to land inside
// the waiter's few-hundred-nanosecond registration window). A second mutation, keeping the load after the CAS
// but making the waiter recheck the stamp instead of tail (a pure
// store-then-load reordering on x86-TSO), was not caught in 500,000 rounds:
// the waiter's registration is a locked RMW whose own cache-line round trip
// gives the publishing store time to drain, so that window is too narrow to
// hit on this host.
func TestWakeOrdering(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the claim must race the registration on another thread: needs GOMAXPROCS >= 2")
	}
	rounds := 20000
	if testing.Short() {
		rounds = 3000
	}
	if os.Getenv("LFKIT_LONG") != "" {
		rounds = 500000
	}
	spinTest.Store(-1)
	defer spinTest.Store(0)
	for _, waitFull := range []bool{false, true} {
		t.Run(fmt.Sprintf("waitFull=%v", waitFull), func(t *testing.T) {
			q := New[int](1)
			if waitFull {
				q.TryPush(-1)
			}
			var announce, done atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the partner: ends each wait
				defer wg.Done()
				r := rand.New(rand.NewPCG(1, 2))
				for i := int64(1); i <= int64(rounds); i++ {
					for announce.Load() != i {
						select {
						case <-stop:
							return
						default:
						}
					}
					for range r.IntN(64) {
						announce.Load() // a short random delay
					}
					if waitFull {
						for _, ok := q.TryPop(); !ok; _, ok = q.TryPop() {
						}
					} else {
						for !q.TryPush(int(i)) {
						}
					}
					for done.Load() != i {
						select {
						case <-stop:
							return
						default:
						}
					}
				}
			}()
			defer wg.Wait()
			defer close(stop)
			for i := int64(1); i <= int64(rounds); i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				announce.Store(i)
				var err error
				if waitFull {
					err = q.Push(ctx, int(i))
				} else {
					var v int
					if v, err = q.Pop(ctx); err == nil && v != int(i) {
						err = fmt.Errorf("got %d", v)
					}
				}
				cancel()
				if err != nil {
					t.Fatalf("round %d: %v (lost wakeup?)", i, err)
				}
				done.Store(i)
			}
		})
	}
}

// TestCancelCloseRace races waiting Push and Pop calls against ctx
// cancellation and Close, on small queues where most calls wait, many times
// over: every value whose Push returned nil is popped exactly once, and no
// value whose Push failed is ever popped.
func TestCancelCloseRace(t *testing.T) {
	iters := 2000
	if testing.Short() {
		iters = 300
	}
	for it := range iters {
		seed := uint64(it)
		r := rand.New(rand.NewPCG(seed, 7))
		capacity := 1 + r.IntN(2)
		q := New[int](capacity)
		if r.IntN(2) == 0 {
			spinTest.Store(-1) // park at once
		}
		const P, C, per = 3, 3, 20
		var mu sync.Mutex
		pushed := map[int]bool{}
		failed := map[int]bool{}
		popped := map[int]int{}
		var wg sync.WaitGroup
		for p := range P {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rr := rand.New(rand.NewPCG(seed, uint64(p)))
				for i := range per {
					v := p*1000 + i
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rr.IntN(50))*time.Microsecond)
					err := q.Push(ctx, v)
					cancel()
					mu.Lock()
					if err == nil {
						pushed[v] = true
					} else {
						failed[v] = true
					}
					mu.Unlock()
					if errors.Is(err, ErrClosed) {
						return
					}
				}
			}()
		}
		for c := range C {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rr := rand.New(rand.NewPCG(seed, 100+uint64(c)))
				for {
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rr.IntN(50))*time.Microsecond)
					v, err := q.Pop(ctx)
					cancel()
					if errors.Is(err, ErrClosed) {
						return
					}
					if err == nil {
						mu.Lock()
						popped[v]++
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(r.IntN(300)) * time.Microsecond)
		q.Close()
		wg.Wait()
		spinTest.Store(0)
		for v, n := range popped {
			if n != 1 || !pushed[v] || failed[v] {
				t.Fatalf("iteration %d: value %d popped %d times, pushed %v, push failed %v", it, v, n, pushed[v], failed[v])
			}
		}
		for v := range pushed {
			if popped[v] != 1 {
				t.Fatalf("iteration %d: value %d pushed but popped %d times", it, v, popped[v])
			}
		}
	}
}

// TestPushTakesFreedSlotWhileRunHeld: a Push blocked on a full Compact queue
// watches the end of its run, but a single pop that frees only its own slot
// must still let it through (after the spin budget, the exact try claim
// takes the slot; or the pop's wakeup does). The consumer pops exactly one
// element, so the watched slot is never freed.
func TestPushTakesFreedSlotWhileRunHeld(t *testing.T) {
	for _, spin := range []int32{0, -1, 4096} {
		spinTest.Store(spin)
		q := New[int](64)
		for i := range 64 {
			q.TryPush(i)
		}
		done := make(chan error, 1)
		go func() { done <- q.Push(context.Background(), 64) }()
		time.Sleep(time.Millisecond)
		if v, ok := q.TryPop(); !ok || v != 0 {
			t.Fatalf("spin %d: TryPop = %d, %v, want 0, true", spin, v, ok)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("spin %d: Push: %v", spin, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("spin %d: Push still blocked 10 s after a pop freed its slot", spin)
		}
		if n := q.Len(); n != 64 {
			t.Fatalf("spin %d: Len = %d, want 64", spin, n)
		}
	}
	spinTest.Store(0)
}

// TestLockFreeSpinSkips: a blocked LockFree Pop or Push spins on the ring
// entry it needs, which some events do not write; it must not spin where
// spinning cannot pay. With the spin budget raised to 2^30 loads (seconds),
// a Pop on a closed, drained queue returns ErrClosed at once (Close writes
// no entry), and a Push on a full queue whose only free slot sits in a
// consumer's stash (not in the free ring it watches) takes that slot at
// once. Without the checks, each call spins out the budget first.
func TestLockFreeSpinSkips(t *testing.T) {
	spinTest.Store(1 << 30)
	defer spinTest.Store(0)
	within := func(what string, f func() error) {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- f() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%s spun instead of returning", what)
		}
	}

	q := NewLockFree[int](2)
	q.Close()
	within("Pop on a closed, empty queue", func() error {
		if _, err := q.Pop(context.Background()); !errors.Is(err, ErrClosed) {
			return fmt.Errorf("Pop = %v, want ErrClosed", err)
		}
		return nil
	})

	q = NewLockFree[int](2)
	q.TryPush(1)
	q.TryPush(2) // both indices came from the free ring, which is now empty
	popped, exit := make(chan int), make(chan struct{})
	go func() {
		v, _ := q.TryPop() // its index goes to its own stash
		popped <- v
		<-exit // stays alive, so that no later goroutine reuses its stack (and stash key)
	}()
	defer close(exit)
	if v := <-popped; v != 1 {
		t.Fatalf("TryPop = %d, want 1", v)
	}
	within("Push with a free slot in another goroutine's stash", func() error {
		return q.Push(context.Background(), 3)
	})
}
