package lfqueue

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/wait"
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

// TestPushWatch: a Push blocked on a full Compact queue watches the last
// position of its run of slots sharing a range (clamped to the ring's end);
// Padded and Remap, whose consecutive positions never share a range, watch
// the position itself.
func TestPushWatch(t *testing.T) {
	q := New[int](20) // Compact, 16-byte slots: runs of pad.Size/16
	run := uint64(pad.Size / 16)
	if q.slotsPerRange != run {
		t.Fatalf("run of a Compact int queue = %d, want %d", q.slotsPerRange, run)
	}
	if r := New[string](20).slotsPerRange; r != 4 && pad.Size == 128 {
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

// waitRegistered waits until a goroutine has registered on l.
func waitRegistered(t *testing.T, l *wait.List) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !(l.Waiting.Load() != 0); time.Sleep(time.Millisecond) {
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
	if q.Len() != 1 || q.pushers.Waiting.Load() != 0 {
		t.Fatalf("Len %d, parked pushers left: %v", q.Len(), q.pushers.Waiting.Load() != 0)
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
