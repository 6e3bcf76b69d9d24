package lfqueue

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
	"pgregory.net/rapid"
)

// nearWrap is a starting position a few laps before positions wrap (they
// wrap modulo 2^63: the counters hold them doubled).
func nearWrap(capacity int) uint64 { return 1<<63 - 3*uint64(capacity) - 7 }

// lockFreeMachine checks every operation of LockFree against a slice model,
// on a queue whose positions start at 0 or a few laps before they wrap.
func lockFreeMachine(t *rapid.T) {
	capacity := rapid.IntRange(1, 70).Draw(t, "capacity")
	start := uint64(0)
	if rapid.Bool().Draw(t, "nearWrap") {
		start = nearWrap(capacity) + rapid.Uint64Range(0, 200).Draw(t, "offset")
	}
	q := newLockFreeAt[int](capacity, start)
	m := &fifoModel{q: q, capacity: capacity}
	acts := m.actions()
	acts["Fill"] = func(t *rapid.T) { // many pushes: laps go by faster
		for !m.closed && len(m.items) < capacity {
			v := m.fresh()
			if !q.TryPush(v) {
				t.Fatalf("TryPush failed at len %d of %d", len(m.items), capacity)
			}
			m.items = append(m.items, v)
		}
	}
	acts["Drain"] = func(t *rapid.T) {
		for len(m.items) > 0 {
			v, ok := q.TryPop()
			m.wantPop(t, v, ok, "TryPop in Drain")
		}
	}
	acts["Close"] = func(t *rapid.T) {
		if rapid.IntRange(0, 9).Draw(t, "close?") == 0 { // rarely: it ends pushing
			q.Close()
			m.closed = true
		}
	}
	t.Repeat(acts)
}

func TestLockFreeStateMachine(t *testing.T) {
	rapid.Check(t, lockFreeMachine)
}

func FuzzLockFreeOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(lockFreeMachine))
}

func TestLockFreeBadCapacity(t *testing.T) {
	for _, c := range []int{0, -1, math.MaxInt, math.MaxInt/4 + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLockFree(%d) did not panic", c)
				}
			}()
			NewLockFree[int](c)
		}()
	}
}

// TestLockFreeWrap runs a queue whose positions start just before they wrap
// through many laps of both rings, sequentially against a model and then
// concurrently with conservation checked, and verifies that the counters did
// wrap.
func TestLockFreeWrap(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		lockFreeWrap(t)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute): // a liveness backstop: the run takes milliseconds
		buf := make([]byte, 1<<20)
		t.Fatalf("hung: a wrapped counter or cycle stopped the queue\n%s", buf[:runtime.Stack(buf, true)])
	}
}

func lockFreeWrap(t *testing.T) {
	for _, capacity := range []int{1, 3, 8, 100} {
		start := nearWrap(capacity)
		q := newLockFreeAt[int](capacity, start)
		var model []int
		r := rand.New(rand.NewPCG(uint64(capacity), 7))
		next := 0
		for i := 0; i < 40*capacity+200; i++ {
			if r.IntN(2) == 0 {
				next++
				want := len(model) < capacity
				if got := q.TryPush(next); got != want {
					t.Fatalf("cap %d step %d: TryPush = %v, want %v", capacity, i, got, want)
				}
				if want {
					model = append(model, next)
				}
			} else {
				v, ok := q.TryPop()
				if ok != (len(model) > 0) || ok && v != model[0] {
					t.Fatalf("cap %d step %d: TryPop = %d, %v; model %v", capacity, i, v, ok, model)
				}
				if ok {
					model = model[1:]
				}
			}
			if q.Len() != len(model) {
				t.Fatalf("cap %d step %d: Len %d, model %d", capacity, i, q.Len(), len(model))
			}
		}
		// Both rings' counters went past 2^64 (positions past 2^63). At
		// capacity 1 the free ring is never used after the first push:
		// the one index passes through the stash.
		if q.elems.tail.Load() > start<<1 || capacity > 1 && q.free.tail.Load() > start<<1 {
			t.Fatalf("cap %d: counters did not wrap: elems tail %#x free tail %#x, start %#x",
				capacity, q.elems.tail.Load(), q.free.tail.Load(), start<<1)
		}
		stressRun(t, newLockFreeAt[uint64](capacity, start), 3, 3, 2000, false, 1)
	}
}

// TestLockFreeBlockedIdle checks that goroutines blocked in Pop and Push
// park instead of spinning (4 of them use < 5% of one CPU over 500 ms), and
// that Push wakes a parked Pop, Pop a parked Push.
func TestLockFreeBlockedIdle(t *testing.T) {
	q := NewLockFree[int](2)
	const waiters = 4
	got := make(chan int, waiters)
	for range waiters {
		go func() {
			v, err := q.Pop(context.Background())
			if err != nil {
				t.Errorf("Pop: %v", err)
			}
			got <- v
		}()
	}
	waitFor(t, func() bool { return int(q.poppers.Waiting.Load()) == waiters }, "poppers to park")
	checkParkedIdle(t, waiters, "Pops")
	for i := range waiters {
		if err := q.Push(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int]bool{}
	for range waiters {
		select {
		case v := <-got:
			seen[v] = true
		case <-time.After(20 * time.Second):
			t.Fatal("Push did not wake a parked Pop")
		}
	}
	if len(seen) != waiters {
		t.Fatalf("got %v", seen)
	}

	// Full queue: parked Pushes, woken by pops.
	q.TryPush(100)
	q.TryPush(101)
	done := make(chan error, waiters)
	for i := range waiters {
		go func() { done <- q.Push(context.Background(), 200+i) }()
	}
	waitFor(t, func() bool { return int(q.pushers.Waiting.Load()) == waiters }, "pushers to park")
	checkParkedIdle(t, waiters, "Pushes")
	popped := 0
	for range waiters {
		for {
			if _, ok := q.TryPop(); ok {
				popped++
				break
			}
			runtime.Gosched()
		}
	}
	for range waiters {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Pop did not wake a parked Push")
		}
	}
	if q.Len() != 2 {
		t.Fatalf("Len %d after %d pops, want 2", q.Len(), popped)
	}
}

// TestLockFreeWakeups checks that Close wakes parked pushers and poppers
// with ErrClosed and that ctx cancellation unblocks both.
func TestLockFreeWakeups(t *testing.T) {
	q := NewLockFree[int](1)
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := q.Pop(ctx); errs <- err }()
	waitFor(t, func() bool { return int(q.poppers.Waiting.Load()) == 1 }, "Pop to park")
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("Pop after cancel = %v", err)
	}
	q.TryPush(1)
	ctx, cancel = context.WithCancel(context.Background())
	go func() { errs <- q.Push(ctx, 2) }()
	waitFor(t, func() bool { return int(q.pushers.Waiting.Load()) == 1 }, "Push to park")
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("Push after cancel = %v", err)
	}
	go func() { errs <- q.Push(context.Background(), 3) }()
	waitFor(t, func() bool { return int(q.pushers.Waiting.Load()) == 1 }, "Push to park")
	q.Close()
	if err := <-errs; !errors.Is(err, ErrClosed) {
		t.Fatalf("parked Push after Close = %v", err)
	}
	if v, err := q.Pop(context.Background()); v != 1 || err != nil {
		t.Fatalf("Pop after Close = %v, %v; want 1", v, err)
	}
	go func() { _, err := q.Pop(context.Background()); errs <- err }()
	if err := <-errs; !errors.Is(err, ErrClosed) {
		t.Fatalf("Pop on closed empty = %v", err)
	}
	q2 := NewLockFree[int](1)
	go func() { _, err := q2.Pop(context.Background()); errs <- err }()
	waitFor(t, func() bool { return int(q2.poppers.Waiting.Load()) == 1 }, "Pop to park")
	q2.Close()
	if err := <-errs; !errors.Is(err, ErrClosed) {
		t.Fatalf("parked Pop after Close = %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestConcurrentLockFree checks conservation and per-producer order for
// P×C in 1..3 with and without an early Close, at the test's GOMAXPROCS (run
// with -cpu=1,2,4).
func TestConcurrentLockFree(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for P := 1; P <= 3; P++ {
		for C := 1; C <= 3; C++ {
			for _, capacity := range []int{1, 2, 7, 64} {
				for _, early := range []bool{false, true} {
					stressRun(t, NewLockFree[uint64](capacity), P, C, n, early, seed)
					seed++
				}
			}
		}
	}
}

func TestLockFreeNoAllocs(t *testing.T) {
	q := NewLockFree[int](16)
	ctx := context.Background()
	n := testing.AllocsPerRun(1000, func() {
		q.TryPush(1)
		q.TryPop()
		_ = q.Push(ctx, 2)
		_, _ = q.Pop(ctx)
		q.TryPop()
		q.Len()
	})
	if n != 0 {
		t.Fatalf("%v allocs per run", n)
	}
}

// TestLockFreePopZeroes checks that a popped slot no longer references the
// popped value.
func TestLockFreePopZeroes(t *testing.T) {
	q := NewLockFree[*int](4)
	x := new(int)
	q.TryPush(x)
	q.TryPop()
	for i, p := range q.data {
		if p != nil {
			t.Fatalf("data[%d] still references a popped value", i)
		}
	}
}

func TestSpreadIndices(t *testing.T) {
	for _, n := range []int{1, 2, 15, 16, 17, 100} {
		for _, size := range []uintptr{0, 1, 8, 24, 64, 128, 200} {
			idx := spreadIndices(n, size)
			seen := make([]bool, n)
			for _, i := range idx {
				if seen[i] {
					t.Fatalf("n %d size %d: %d twice", n, size, i)
				}
				seen[i] = true
			}
			if len(idx) != n {
				t.Fatalf("n %d size %d: %d indices", n, size, len(idx))
			}
		}
	}
}

// TestLockFreeMemory checks the memory the documentation states: two rings
// of 2n entries (n the power of two >= capacity), capacity elements, and a
// fixed part of at most 17*pad.Size bytes.
func TestLockFreeMemory(t *testing.T) {
	for _, c := range []int{1, 2, 3, 1000, 1024, 1025} {
		q := NewLockFree[int](c)
		n := 1
		for n < c {
			n *= 2
		}
		if len(q.elems.entries) != 2*n || len(q.free.entries) != 2*n || len(q.data) != c {
			t.Fatalf("capacity %d: rings %d and %d entries, %d elements; want %d, %d", c, len(q.elems.entries), len(q.free.entries), len(q.data), 2*n, c)
		}
		perSlot := float64(16*2*n+8*c) / float64(c)
		t.Logf("capacity %d: %.1f bytes per int slot", c, perSlot)
	}
	if sz := unsafe.Sizeof(LockFree[int]{}); sz > 17*pad.Size {
		t.Fatalf("LockFree[int] is %d bytes, more than the documented 17*%d", sz, pad.Size)
	}
	// The stashes: the smallest power of two >= 4*GOMAXPROCS, at most 16,
	// pad.Size bytes each.
	for _, procs := range []int{1, 2, 3, 4, 64} {
		old := runtime.GOMAXPROCS(procs)
		k := len(NewLockFree[int](8).stashes)
		runtime.GOMAXPROCS(old)
		want := 1
		for want < 4*procs && want < 16 {
			want *= 2
		}
		if k != want || unsafe.Sizeof(stashSlot{}) != pad.Size {
			t.Fatalf("GOMAXPROCS %d: %d stashes of %d bytes, want %d of %d", procs, k, unsafe.Sizeof(stashSlot{}), want, pad.Size)
		}
	}
}

// TestLockFreeStashPair: a goroutine that pushes and pops in turn passes one
// index through its own stash, so the free ring's counters do not move
// (the free ring would take two locked instructions each way).
func TestLockFreeStashPair(t *testing.T) {
	q := NewLockFree[int](64)
	q.TryPush(0)
	q.TryPop() // the index is now in this goroutine's stash
	head, tail := q.free.head.Load(), q.free.tail.Load()
	for i := range 1000 {
		if !q.TryPush(i) {
			t.Fatal("TryPush failed")
		}
		if v, ok := q.TryPop(); !ok || v != i {
			t.Fatalf("TryPop = %d, %v; want %d", v, ok, i)
		}
	}
	if h, tl := q.free.head.Load(), q.free.tail.Load(); h != head || tl != tail {
		t.Fatalf("free ring moved: head %d -> %d, tail %d -> %d", head, h, tail, tl)
	}
}

// stashKeys returns n stack keys that q maps to one stash, with distinct
// asker tags: goroutines that share a stash, for tests that drive push and
// pop as a given goroutine (pushAs, popAs) instead of relying on where real
// goroutines' stacks lie.
func stashKeys(t *testing.T, q *LockFree[int], n int) []uint64 {
	t.Helper()
	first := uint64(1) << 24
	want, _ := q.stashOf(first)
	tags := map[uint64]bool{}
	var keys []uint64
	for k := first; len(keys) < n && k < first+1<<16; k++ {
		if s, _ := q.stashOf(k); s == want && !tags[stashTag(k)] {
			tags[stashTag(k)] = true
			keys = append(keys, k)
		}
	}
	if len(keys) < n {
		t.Fatalf("found %d keys for one stash, want %d", len(keys), n)
	}
	return keys
}

// pushAs pushes v as the goroutine with stack key k.
func pushAs(t *testing.T, q *LockFree[int], k uint64, v int) {
	t.Helper()
	if st := q.push(&v, false, k); st != lockFreeOK {
		t.Fatalf("push as %#x: status %d", k, st)
	}
}

// popAs pops as the goroutine with stack key k.
func popAs(t *testing.T, q *LockFree[int], k uint64) int {
	t.Helper()
	var v int
	if st := q.pop(&v, false, k); st != lockFreeOK {
		t.Fatalf("pop as %#x: status %d", k, st)
	}
	return v
}

// stashedBy returns the stash of the goroutine with key a after a push and
// a pop by it, which leave its index there (the stash was empty).
func stashedBy(t *testing.T, q *LockFree[int], a uint64) *atomic.Uint64 {
	t.Helper()
	s, _ := q.stashOf(a)
	pushAs(t, q, a, 1)
	popAs(t, q, a)
	if q.stashOwner(s.Load()) != q.stashMark(a) {
		t.Fatalf("the pop of %#x left stash %#x, want its own index", a, s.Load())
	}
	return s
}

// TestLockFreeStashTakeover: goroutine B pushes and pops in turn, but its
// stash holds goroutine A's index (A popped last, then was descheduled).
// B's push asks for the stash (its tag in the word) and takes a free-ring
// index; B's pop swaps its own index in and moves A's to the free ring; and
// from then on B's pairs go through the stash alone. No index is lost: the
// queue then takes exactly Cap() pushes.
func TestLockFreeStashTakeover(t *testing.T) {
	q := NewLockFree[int](64)
	keys := stashKeys(t, q, 2)
	a, b := keys[0], keys[1]
	s := stashedBy(t, q, a)
	pushAs(t, q, b, 2)
	if got := q.stashAsker(s.Load()); got != stashTag(b) {
		t.Fatalf("B's push left asker %#x, want B's tag %#x", got, stashTag(b))
	}
	freeTail := q.free.tail.Load()
	if v := popAs(t, q, b); v != 2 {
		t.Fatalf("B popped %d, want 2", v)
	}
	if q.stashOwner(s.Load()) != q.stashMark(b) {
		t.Fatalf("B's pop left stash %#x: it did not take the stash over", s.Load())
	}
	if q.free.tail.Load() == freeTail {
		t.Fatal("B took the stash over, but A's index did not go to the free ring")
	}
	head, tail := q.free.head.Load(), q.free.tail.Load()
	for i := range 100 {
		pushAs(t, q, b, i)
		if v := popAs(t, q, b); v != i {
			t.Fatalf("B popped %d, want %d", v, i)
		}
	}
	if h, tl := q.free.head.Load(), q.free.tail.Load(); h != head || tl != tail {
		t.Fatalf("B's pairs after the takeover moved the free ring: head %d -> %d, tail %d -> %d", head, h, tail, tl)
	}
	for i := range q.Cap() {
		if !q.TryPush(i) {
			t.Fatalf("TryPush %d of %d failed: an index was lost", i, q.Cap())
		}
	}
	if q.TryPush(-1) {
		t.Fatal("TryPush succeeded on a full queue")
	}
}

// TestLockFreeStashAskedOwner: the owner of a stashed index still takes it
// back after another goroutine's push asked for the stash.
func TestLockFreeStashAskedOwner(t *testing.T) {
	q := NewLockFree[int](64)
	keys := stashKeys(t, q, 2)
	a, p := keys[0], keys[1]
	s := stashedBy(t, q, a)
	pushAs(t, q, p, 2) // asks for A's stash
	if q.stashAsker(s.Load()) != stashTag(p) {
		t.Fatalf("P's push left stash %#x without its tag", s.Load())
	}
	head := q.free.head.Load()
	pushAs(t, q, a, 3)
	if q.free.head.Load() != head || s.Load() != 0 {
		t.Fatalf("A's push did not take its own index back (stash %#x)", s.Load())
	}
}

// TestLockFreeStashPopOnly: goroutines that only pop never take a stash
// from one another, even while a goroutine that only pushes keeps asking
// for it: a takeover needs the asker's own pop.
func TestLockFreeStashPopOnly(t *testing.T) {
	q := NewLockFree[int](64)
	keys := stashKeys(t, q, 3)
	p, c1, c2 := keys[0], keys[1], keys[2]
	s, _ := q.stashOf(c1)
	pushAs(t, q, p, 0)
	popAs(t, q, c1) // c1's index now in the stash
	owner := q.stashOwner(s.Load())
	if owner != q.stashMark(c1) {
		t.Fatalf("C1's pop left stash %#x", s.Load())
	}
	for i := range 100 {
		pushAs(t, q, p, i)
		pushAs(t, q, p, i)
		popAs(t, q, c2)
		popAs(t, q, c1)
		if got := q.stashOwner(s.Load()); got != owner {
			t.Fatalf("round %d: a goroutine that only pops took the stash over (owner %#x, was %#x)", i, got, owner)
		}
	}
}

// TestLockFreeStashesFull: indices left in other goroutines' stashes still
// count as free: a queue emptied by many goroutines takes Cap() pushes from
// one goroutine again, and then reports full.
func TestLockFreeStashesFull(t *testing.T) {
	for _, c := range []int{1, 2, 5, 64} {
		q := NewLockFree[int](c)
		for round := range 3 {
			for i := range c {
				if !q.TryPush(i) {
					t.Fatalf("cap %d round %d: TryPush %d failed with Len %d", c, round, i, q.Len())
				}
			}
			if q.TryPush(-1) {
				t.Fatalf("cap %d round %d: TryPush succeeded on a full queue", c, round)
			}
			var wg sync.WaitGroup
			for range c {
				wg.Add(1)
				go func() { // each pop's index goes to its goroutine's stash if that is empty
					defer wg.Done()
					if _, ok := q.TryPop(); !ok {
						t.Error("TryPop failed")
					}
				}()
			}
			wg.Wait()
			if n := q.Len(); n != 0 {
				t.Fatalf("cap %d: Len %d after popping everything", c, n)
			}
		}
	}
}
