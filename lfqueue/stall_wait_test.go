//go:build lfkit_stall

package lfqueue

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// stallWaitQueue is what the wake-path stall test drives.
type stallWaitQueue interface {
	stallQueue
	Pop(ctx context.Context) (uint64, error)
	parkedPops() int
}

func (q *LockFree[T]) parkedPops() int { return int(q.poppers.Waiting.Load()) }
func (q *Queue[T]) parkedPops() int    { return int(q.poppers.Waiting.Load()) }

// TestStallWakePath: the wake path needs no goroutine to finish a step for
// another to complete. One goroutine is parked in Pop; the push that must
// wake it is stopped after claiming it and before sending its wakeup (and,
// in the second case, a parked Pop whose context ends is stopped after
// finding its wakeup claimed). Meanwhile other goroutines must complete
// thousands of TryPush and TryPop calls; once the stopped goroutine is
// released, every element is accounted for. With the mutex-guarded waiter
// list this replaced, a waker stopped while holding the mutex stopped every
// successful push and pop.
func TestStallWakePath(t *testing.T) {
	queues := map[string]func() stallWaitQueue{
		"LockFree": func() stallWaitQueue { return NewLockFree[uint64](stallCap) },
		"Queue":    func() stallWaitQueue { return New[uint64](stallCap) },
	}
	for name, mk := range queues {
		for _, p := range []stallPoint{stallWakeClaimed, stallCancelClaimed} {
			t.Run(name+"/"+map[stallPoint]string{stallWakeClaimed: "wake-claimed", stallCancelClaimed: "cancel-claimed"}[p], func(t *testing.T) {
				runStallWake(t, mk(), p)
			})
		}
	}
}

func runStallWake(t *testing.T, q stallWaitQueue, p stallPoint) {
	var mu sync.Mutex
	counts := map[uint64]int{} // +1 pushed, -1 popped
	note := func(v uint64, d int) { mu.Lock(); counts[v] += d; mu.Unlock() }

	// The victim stops at p; for cancel-claimed, the push that claims the
	// parked Pop stops first (at stallWakeClaimed), so that the Pop's
	// context can end while its wakeup is claimed.
	points := []stallPoint{p}
	if p == stallCancelClaimed {
		points = append(points, stallWakeClaimed)
	}
	stops := stopFirstAtEach(t, points...)
	stopped := stops[0].stopped

	// A Pop parks on the empty queue.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	popDone := make(chan error, 1)
	go func() {
		v, err := q.Pop(ctx)
		if err == nil {
			note(v, -1)
		}
		popDone <- err
	}()
	waitFor(t, func() bool { return q.parkedPops() == 1 }, "Pop to park")

	// The victim: a push that claims the parked Pop and stops before
	// waking it. For cancel-claimed, the Pop's context then ends, and the
	// Pop stops where it finds its wakeup claimed, while the push is let
	// go only after the workers' run.
	pushDone := make(chan struct{})
	go func() { defer close(pushDone); q.TryPush(1 << 40); note(1<<40, 1) }()
	if p == stallCancelClaimed {
		<-stops[1].stopped // the push claimed the Pop's wakeup
		cancel()
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the victim never reached the stall point")
	}

	var wg sync.WaitGroup
	for w := range stallWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := uint64(w+1) << 32
			for i := range stallOps {
				if i%2 == 0 {
					v++
					if q.TryPush(v) {
						note(v, 1)
					}
				} else if x, ok := q.TryPop(); ok {
					note(x, -1)
				}
			}
		}()
	}
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()
	select {
	case <-workersDone:
	case <-time.After(20 * time.Second):
		for _, s := range stops {
			close(s.release)
		}
		t.Fatal("TryPush/TryPop calls did not complete while a goroutine was stopped in the wake path")
	}
	for _, s := range stops {
		close(s.release)
	}
	<-pushDone
	// The woken Pop may find the queue drained by the workers and park
	// again: give it one more element.
	if q.TryPush(1 << 41) {
		note(1<<41, 1)
	}
	err := <-popDone
	if p == stallCancelClaimed && !errors.Is(err, context.Canceled) && err != nil {
		t.Fatalf("Pop = %v", err)
	}
	if p == stallWakeClaimed && err != nil {
		t.Fatalf("Pop woken after the stall = %v, want an element", err)
	}
	for {
		x, ok := q.TryPop()
		if !ok {
			break
		}
		note(x, -1)
	}
	for v, c := range counts {
		if c != 0 {
			t.Errorf("element %#x: pushed minus popped = %d", v, c)
		}
	}
}

// TestStallPushBehindReleasingPop: a Push waiting for a slot whose consumer
// is stopped in the middle of releasing it (the queue is not full: head has
// moved on) neither burns a CPU nor ignores its context. With the Compact
// layout the Push used to watch the end of its run, which the consumers
// after the stopped one had already released, so its spin returned at once,
// again and again.
func TestStallPushBehindReleasingPop(t *testing.T) {
	for name, opt := range map[string]Option{"Compact": Compact(), "Padded": Padded()} {
		t.Run(name, func(t *testing.T) {
			q := New[int](16, opt)
			for i := range 16 {
				q.TryPush(i)
			}
			stopped, release := stopFirstAt(t, stallQueuePopClaimed)
			victimDone := make(chan struct{})
			go func() { defer close(victimDone); q.TryPop() }()
			<-stopped
			// The pops after it complete, up to the end of its run.
			for range max(q.slotsPerRange, 2) - 1 {
				if _, ok := q.TryPop(); !ok {
					t.Fatal("TryPop failed on a queue with elements")
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			pushDone := make(chan error, 1)
			go func() { pushDone <- q.Push(ctx, 99) }()
			time.Sleep(20 * time.Millisecond) // past the spin
			const window = 300 * time.Millisecond
			before := cpuTime(t)
			time.Sleep(window)
			used := cpuTime(t) - before
			t.Logf("a Push behind a stopped pop used %v of CPU in %v", used, window)
			if used > window/4 {
				t.Errorf("a Push behind a stopped pop used %v of CPU in %v (> 25%% of one CPU)", used, window)
			}
			cancel()
			select {
			case err := <-pushDone:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Push = %v, want context.Canceled", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Push did not return on its context while the pop was stopped")
			}
			close(release)
			<-victimDone
			if err := q.Push(context.Background(), 100); err != nil {
				t.Fatalf("Push after the pop resumed = %v", err)
			}
		})
	}
}
