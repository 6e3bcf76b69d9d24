package peers

import (
	"context"
	"testing"
)

// TestBatch moves runs of odd lengths through the batch forms, so that
// they cross the end of the ring: the order is kept, a push batch stops
// at the capacity, and a pop batch at the elements there are.
func TestBatch(t *testing.T) {
	const capacity, batch = 64, 24
	r := NewMutexRing[int](capacity)
	buf := make([]int, batch)
	next, want := 0, 0
	for _, k := range []int{1, 50, 37, capacity, 63, capacity, 5, 60} {
		for pushed := 0; pushed < k; {
			m := min(batch, k-pushed)
			for i := range m {
				buf[i] = next + i
			}
			n := r.TryPushBatch(buf[:m])
			if n != m {
				t.Fatalf("k %d: TryPushBatch of %d with room moved %d", k, m, n)
			}
			next += n
			pushed += n
		}
		// The ring holds k: a batch moves only what fits.
		if n := r.TryPushBatch(make([]int, capacity-k+1)); n != capacity-k {
			t.Fatalf("k %d: TryPushBatch of %d moved %d, want %d", k, capacity-k+1, n, capacity-k)
		}
		for popped := 0; popped < k; {
			m := min(batch, k-popped)
			if n := r.TryPopBatch(buf[:m]); n != m {
				t.Fatalf("k %d: TryPopBatch of %d moved %d", k, m, n)
			}
			for _, v := range buf[:m] {
				if v != want {
					t.Fatalf("k %d: popped %d, want %d", k, v, want)
				}
				want++
			}
			popped += m
		}
		// Then the filler, which a batch larger than it leaves: a pop
		// batch stops at the elements there are.
		if n := r.TryPopBatch(make([]int, capacity)); n != capacity-k {
			t.Fatalf("k %d: TryPopBatch after the run moved %d, want %d", k, n, capacity-k)
		}
	}
	if n := r.TryPopBatch(buf); n != 0 {
		t.Fatalf("TryPopBatch on an empty ring moved %d", n)
	}
	r.Close()
	if !panics(func() { r.TryPushBatch(buf[:1]) }) {
		t.Error("TryPushBatch on a closed ring did not panic")
	}
}

// TestBatchWake: a batch push wakes a waiting pop, and a batch pop wakes
// a waiting push.
func TestBatchWake(t *testing.T) {
	r := NewMutexRing[int](2)
	got := async(r.Pop)
	r.await(1, 0)
	if n := r.TryPushBatch([]int{1, 2}); n != 2 {
		t.Fatalf("TryPushBatch moved %d, want 2", n)
	}
	if v := <-got; v != 1 {
		t.Fatalf("waiting Pop = %d, want 1", v)
	}
	r.Push(3)
	waited := async(func() bool { return r.PushWaited(4) })
	r.await(0, 1)
	buf := make([]int, 1)
	if n := r.TryPopBatch(buf); n != 1 || buf[0] != 2 {
		t.Fatalf("TryPopBatch = %d, %v; want 1, [2]", n, buf)
	}
	if !<-waited {
		t.Error("PushWaited on a full ring reported no wait")
	}
	if n := r.TryPopBatch(buf[:0]); n != 0 {
		t.Fatalf("TryPopBatch into an empty slice moved %d", n)
	}
	want := 3
	checkPop(t, r, queue.TryPop, &want)
	checkPop(t, r, queue.TryPop, &want)
}

// e64 is a 64-byte element, as the benchmarks use.
type e64 [8]int64

// TestZeroAllocs: the operations the benchmarks measure allocate nothing
// (PopCtx with a context that is never done, as on its fast path).
func TestZeroAllocs(t *testing.T) {
	r := NewMutexRing[e64](64)
	c := NewChan[e64](64)
	buf := make([]e64, 64)
	ctx := context.Background()
	for name, f := range map[string]func(){
		"MutexRing try":    func() { r.TryPush(e64{}); r.TryPop() },
		"MutexRing wait":   func() { r.Push(e64{}); r.Pop() },
		"MutexRing ok":     func() { r.PushWaited(e64{}); r.PopOK() },
		"MutexRing PopCtx": func() { r.Push(e64{}); _, _ = r.PopCtx(ctx) },
		"MutexRing batch":  func() { r.TryPushBatch(buf); r.TryPopBatch(buf) },
		"Chan try":         func() { c.TryPush(e64{}); c.TryPop() },
		"Chan wait":        func() { c.Push(e64{}); c.Pop() },
		"Chan ok":          func() { c.PushWaited(e64{}); c.PopOK() },
		"Chan PopCtx":      func() { c.Push(e64{}); _, _ = c.PopCtx(ctx) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs per op, want 0", name, n)
		}
	}
}
