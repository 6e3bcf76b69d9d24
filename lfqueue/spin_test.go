package lfqueue

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSpinOneP: with GOMAXPROCS 1 nothing can publish into a slot while its
// waiter spins on the only P, so after a sampling wait has read the
// scheduler's state, waits do not spin: they return at once, having seen no
// change; with two idle Ps one wait per side may spin again.
func TestSpinOneP(t *testing.T) {
	var l spinLimit
	var stamp atomic.Uint64
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if l.wait(&stamp, 0, 0) {
		t.Fatal("wait reported a change of a stamp nobody wrote")
	}
	if n := sched.spinners.Load(); n != 0 {
		t.Fatalf("at GOMAXPROCS 1, %d waits may spin, want 0", n)
	}
	runtime.GOMAXPROCS(2)
	// Goroutines of earlier tests may still be waiting for a P at one
	// sample or another: the process is idle at some sample.
	for i := 0; i < 1000 && sched.spinners.Load() != 1; i++ {
		time.Sleep(time.Millisecond)
		l.wait(&stamp, 0, spinSample)
	}
	if n := sched.spinners.Load(); n != 1 {
		t.Fatalf("at GOMAXPROCS 2 on an idle process, %d waits may spin, want 1", n)
	}
	if n := l.spinners.Load(); n != 0 {
		t.Fatalf("%d spinners counted after the waits returned", n)
	}
}

// TestSpinBusy: while goroutines are waiting for a P, spinning would take
// CPU they need, so a sampling wait turns spinning off; once they are gone
// it turns it back on.
func TestSpinBusy(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				busy(1000)
			}
		}()
	}
	var l spinLimit
	var stamp atomic.Uint64
	busy := false
	for i := 0; i < 1000 && !busy; i++ {
		l.wait(&stamp, 0, 0)
		busy = sched.spinners.Load() == 0
	}
	stop.Store(true)
	wg.Wait()
	if !busy {
		t.Fatal("with 8 CPU-bound goroutines on 2 Ps, waits kept spinning")
	}
	for i := 0; i < 1000 && sched.spinners.Load() == 0; i++ {
		time.Sleep(time.Millisecond)
		l.wait(&stamp, 0, 0)
	}
	if sched.spinners.Load() == 0 {
		t.Fatal("once the CPU-bound goroutines ended, waits did not spin again")
	}
}

// TestWaitingPopReachable: a goroutine waiting in Pop is always reachable by
// the push that should wake it. At GOMAXPROCS 1, with N goroutines that
// keep the only P busy (each does a little work per time slice and yields),
// a consumer pops elements that a producer pushes one at a time. A consumer
// that waits where a push cannot wake it (in the run queue, behind the busy
// goroutines) takes its element only after all N of them have had a time
// slice; a parked consumer is readied by the push, runs next, and takes it
// before. Slices are counted, not timed.
func TestWaitingPopReachable(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ctx := context.Background()
	type queue struct {
		name string
		make func() (pop func() (int, error), push func(int) bool)
	}
	queues := []queue{
		{"Queue", func() (func() (int, error), func(int) bool) {
			q := New[int](4)
			return func() (int, error) { return q.Pop(ctx) }, q.TryPush
		}},
		{"LockFree", func() (func() (int, error), func(int) bool) {
			q := NewLockFree[int](4)
			return func() (int, error) { return q.Pop(ctx) }, q.TryPush
		}},
	}
	const (
		nbusy = 8
		items = 50
	)
	for _, qu := range queues {
		pop, push := qu.make()
		var slices atomic.Int64
		var stop atomic.Bool
		var wg sync.WaitGroup
		for range nbusy {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					slices.Add(1)
					busy(200)
					runtime.Gosched()
				}
			}()
		}
		popped := make(chan int64)
		go func() {
			for range items {
				if _, err := pop(); err != nil {
					t.Error(err)
				}
				popped <- slices.Load()
			}
		}()
		late := 0
		for i := range items {
			// The consumer has just popped the last element and gone
			// back to Pop: it is waiting, or on its way to.
			at := slices.Load()
			push(i)
			if <-popped-at >= nbusy {
				late++
			}
		}
		stop.Store(true)
		wg.Wait()
		if late > items/10 {
			t.Errorf("%s: %d of %d elements were popped only after all %d busy goroutines had a time slice", qu.name, late, items, nbusy)
		}
	}
}

// TestPushYieldsForRoom: a Push on a full queue while no consumer is parked
// gives its processor to the consumers before it registers to park, for
// Queue and LockFree. At GOMAXPROCS 1 a consumer started just before the
// Push can run only when the Push yields or parks; it records whether a
// Push was registered to park when it ran. The scheduler sometimes resumes
// the yielding goroutine first (every 61st schedule takes from the global
// run queue), so most runs, not all, must see none.
func TestPushYieldsForRoom(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ctx := context.Background()
	type queue struct {
		name string
		make func() (push func(int) error, pop func() (int, bool), parked func() int64)
	}
	queues := []queue{
		{"Queue", func() (func(int) error, func() (int, bool), func() int64) {
			q := New[int](4)
			for i := range 4 {
				q.TryPush(i)
			}
			return func(v int) error { return q.Push(ctx, v) }, q.TryPop, q.pushers.Waiting.Load
		}},
		{"LockFree", func() (func(int) error, func() (int, bool), func() int64) {
			q := NewLockFree[int](4)
			for i := range 4 {
				q.TryPush(i)
			}
			return func(v int) error { return q.Push(ctx, v) }, q.TryPop, q.pushers.Waiting.Load
		}},
	}
	const runs = 20
	for _, qu := range queues {
		unparked := 0
		for range runs {
			push, pop, parked := qu.make()
			seen := make(chan int64, 1)
			go func() {
				seen <- parked()
				pop()
			}()
			if err := push(9); err != nil {
				t.Fatalf("%s: Push = %v", qu.name, err)
			}
			if <-seen == 0 {
				unparked++
			}
		}
		if unparked < runs*3/4 {
			t.Errorf("%s: the consumer ran before the Push registered to park in only %d of %d runs", qu.name, unparked, runs)
		}
	}
}
