package peers

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBatch checks the batch forms against a slice as the model, over
// batches of random sizes (up to more than the capacity) that cross the
// end of the ring: a push batch moves the prefix that fits, a pop batch
// the oldest elements there are, in order.
func TestBatch(t *testing.T) {
	const capacity = 64
	r := NewMutexRing[int](capacity)
	var model []int
	rng := rand.New(rand.NewPCG(1, 2))
	next := 0
	for step := range 2000 {
		buf := make([]int, rng.IntN(capacity+8))
		if rng.IntN(2) == 0 {
			for i := range buf {
				buf[i] = next + i
			}
			n := r.TryPushBatch(buf)
			if want := min(len(buf), capacity-len(model)); n != want {
				t.Fatalf("step %d: TryPushBatch of %d into %d moved %d, want %d", step, len(buf), len(model), n, want)
			}
			model = append(model, buf[:n]...)
			next += n
			continue
		}
		n := r.TryPopBatch(buf)
		if want := min(len(buf), len(model)); n != want {
			t.Fatalf("step %d: TryPopBatch of %d from %d moved %d, want %d", step, len(buf), len(model), n, want)
		}
		if !slices.Equal(buf[:n], model[:n]) {
			t.Fatalf("step %d: TryPopBatch got %v, want %v", step, buf[:n], model[:n])
		}
		model = model[n:]
	}
	r.Close()
	if !panics(func() { r.TryPushBatch(make([]int, 1)) }) {
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
