package lfqueue

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/pad"
)

// TestWaiterWokenOnPublish parks a Pop on an empty queue, claims a position
// for pushing without publishing it, and checks that the Pop is still
// waiting; then publishes, and checks that the Pop returns that value.
func TestWaiterWokenOnPublish(t *testing.T) {
	q := New[string](4)
	got := make(chan string, 1)
	go func() {
		v, err := q.Pop(context.Background())
		if err != nil {
			v = "error: " + err.Error()
		}
		got <- v
	}()
	waitRegistered(t, &q.poppers)
	pos, k, st := q.claimPush(1, claimTry)
	if st != claimOK || k != 1 {
		t.Fatalf("claimPush = %d, %d, %v", pos, k, st)
	}
	select {
	case v := <-got:
		t.Fatalf("Pop returned %q before the claimed slot was published", v)
	case <-time.After(50 * time.Millisecond):
	}
	v := "published"
	q.publish(pos, []string{v})
	select {
	case g := <-got:
		if g != v {
			t.Fatalf("Pop = %q, want %q", g, v)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Pop not woken by the publish")
	}
}

// TestBlockedPushIdle: goroutines parked in Push on a full queue burn no CPU
// (< 5% of one CPU over 500 ms), and a pop wakes one.
func TestBlockedPushIdle(t *testing.T) {
	q := New[int](2)
	q.TryPush(0)
	q.TryPush(1)
	const waiters = 4
	errs := make(chan error, waiters)
	for i := range waiters {
		go func() { errs <- q.Push(context.Background(), 10+i) }()
	}
	waitRegistered(t, &q.pushers)
	time.Sleep(100 * time.Millisecond)
	checkParkedIdle(t, waiters, "Pushes")
	seen := map[int]bool{}
	for range waiters + 2 {
		v, err := q.Pop(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		seen[v] = true
	}
	for range waiters {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != waiters+2 {
		t.Fatalf("popped %v", seen)
	}
}

// TestAllStopsOnCancel: All ends promptly once ctx is done even while a
// producer never lets the queue drain (checkAllStopsOnCancel, api_test.go).
func TestAllStopsOnCancel(t *testing.T) { checkAllStopsOnCancel(t, New[int](64)) }

// TestNilContextPanics: Push, Pop and All panic at once on a nil ctx, with
// a message naming it, even when they would not block.
func TestNilContextPanics(t *testing.T) { checkNilContextPanics(t, New[int](1)) }

// TestZeroValuePanics: every method of a Queue not made by New panics with a
// message saying so, not with a nil dereference.
func TestZeroValuePanics(t *testing.T) {
	var q Queue[int]
	for name, f := range map[string]func(){
		"TryPush":      func() { q.TryPush(1) },
		"TryPop":       func() { q.TryPop() },
		"Push":         func() { _ = q.Push(context.Background(), 1) },
		"Pop":          func() { _, _ = q.Pop(context.Background()) },
		"ForcePush":    func() { _, _, _ = q.ForcePush(1) },
		"TryPushBatch": func() { q.TryPushBatch([]int{1}) },
		"Offer":        func() { _ = q.Offer(1) },
		"All":          func() { q.All(context.Background()) },
		"Layout":       func() { q.Layout() },
		"TryPopBatch":  func() { q.TryPopBatch(make([]int, 1)) },
		"Len":          func() { q.Len() },
		"Cap":          func() { q.Cap() },
		"IsEmpty":      func() { q.IsEmpty() },
		"IsFull":       func() { q.IsFull() },
		"FillRatio":    func() { q.FillRatio() },
		"Close":        func() { q.Close() },
		"Closed":       func() { q.Closed() },
	} {
		checkPanics(t, name+" on a zero Queue", errNotNew, f)
	}
}

// TestLenAcrossWrap starts a queue one lap before positions wrap past 2^64
// and checks Len (and its observers) while tail has wrapped and head has
// not. The old Len divided before subtracting and reported a full queue.
func TestLenAcrossWrap(t *testing.T) {
	const capacity = 4
	oneLap := uint64(2 * 8) // mark = 8 for capacity 4
	q := newAt[int](capacity, -oneLap+capacity-1, Compact())
	for i := range 2 { // tail: index 3 of the last lap, then lap 0
		if !q.TryPush(i) {
			t.Fatal("push failed")
		}
	}
	if q.tail.Load() >= q.head.Load() {
		t.Fatalf("tail %#x did not wrap past head %#x", q.tail.Load(), q.head.Load())
	}
	if q.Len() != 2 || q.IsFull() || q.IsEmpty() || q.FillRatio() != 0.5 {
		t.Fatalf("Len %d IsFull %v IsEmpty %v FillRatio %v; want 2 of 4", q.Len(), q.IsFull(), q.IsEmpty(), q.FillRatio())
	}
	for i := range 2 {
		if v, ok := q.TryPop(); !ok || v != i {
			t.Fatalf("TryPop = %d, %v; want %d", v, ok, i)
		}
	}
	if q.Len() != 0 || !q.IsEmpty() {
		t.Fatalf("Len %d after draining", q.Len())
	}
}

// refreshSched makes the next sampling wait read the scheduler's state
// again, whatever the time since the last read.
func refreshSched() { sched.last.Store(0) }

// TestSpinOneP: with GOMAXPROCS 1 nothing can publish into a slot while its
// waiter spins on the only P, so after a sampling wait has read the
// scheduler's state, waits do not spin: they return at once, having seen no
// change; with two idle Ps one wait per side may spin again.
func TestSpinOneP(t *testing.T) {
	var l spinLimit
	var stamp atomic.Uint64
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	refreshSched()
	if l.wait(&stamp, 0, 0) {
		t.Fatal("wait reported a change of a stamp nobody wrote")
	}
	if n := sched.spinners.Load(); n != 0 {
		t.Fatalf("at GOMAXPROCS 1, %d waits may spin, want 0", n)
	}
	runtime.GOMAXPROCS(2)
	refreshSched()
	l.wait(&stamp, 0, spinSample)
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
		refreshSched()
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
		refreshSched()
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

// TestPushWatch: a Push blocked on a full Compact queue watches the last
// position of its run of slots sharing a range (clamped to the ring's end);
// Padded and Remap, whose consecutive positions never share a range, watch
// the position itself.
func TestPushWatch(t *testing.T) {
	q := New[int](20) // Compact, 16-byte slots: runs of pad.Size/16
	run := uint64(pad.Size / 16)
	if q.run != run {
		t.Fatalf("run of a Compact int queue = %d, want %d", q.run, run)
	}
	if r := New[string](20).run; r != 4 && pad.Size == 128 {
		t.Errorf("run of a Compact string queue = %d, want 4 (24-byte slots in 128 bytes)", r)
	}
	// Full: every slot holds lap 0's element, and a Push at lap 1 waits.
	for i := range 20 {
		q.TryPush(i)
	}
	for index := uint64(0); index < 20; index++ {
		pos := q.oneLap | index
		want := min(index/run*run+run-1, 19)
		stamp, old, _ := q.pushWatch(pos)
		if stamp != q.stampOf(want) || old != want+1 {
			t.Errorf("pushWatch(index %d) does not watch index %d for its last lap's element", index, want)
		}
	}
	// The end of the run released (its consumer overtook the one of
	// index 0, which has not released yet): watch index 0 itself.
	q.stampOf(run - 1).Store(run - 1 + q.oneLap)
	if stamp, old, _ := q.pushWatch(q.oneLap); stamp != q.stampOf(0) || old != 1 {
		t.Errorf("with the end of its run released, pushWatch(index 0) does not watch index 0")
	}
	for _, opt := range []Option{Padded(), Remap()} {
		q := New[int](20, opt)
		for i := range 20 {
			q.TryPush(i)
		}
		for index := uint64(0); index < 20; index++ {
			if stamp, old, _ := q.pushWatch(q.oneLap | index); stamp != q.stampOf(index) || old != index+1 {
				t.Errorf("%+v: pushWatch(index %d) does not watch the position itself", q.ring, index)
			}
		}
	}
}
