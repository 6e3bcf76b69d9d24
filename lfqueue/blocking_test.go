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

	"github.com/lfkit/lfkit/internal/pad"
)

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
