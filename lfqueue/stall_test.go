//go:build lfkit_stall

package lfqueue

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The stall-injection test: go test -tags lfkit_stall -run Stall ./lfqueue
//
// For each stall point of an operation, one goroutine (the victim) is stopped
// there by the stall hook, and stays stopped while other goroutines make
// thousands of TryPush and TryPop calls. For a lock-free queue every one of
// those calls completes while the victim is stopped; then the victim is
// released and the queue must have neither lost nor invented an element.

// stallQueue is what the stall test drives: LockFree[uint64] and Queue[uint64].
type stallQueue interface {
	TryPush(v uint64) bool
	TryPop() (uint64, bool)
	Close()
	Len() int
	Cap() int
}

// pointInfo names a stall point: a subtest name and a description.
type pointInfo struct{ name, desc string }

// lockFreePoints lists every stall point of LockFree; queuePoints Queue's two.
var lockFreePoints = map[stallPoint]pointInfo{
	stallLockFreeFreeEnqClaimed:  {"free-enq-claimed", "free ring: enqueue claimed a position (TryPop returning an index)"},
	stallLockFreeFreeEnqPlaced:   {"free-enq-placed", "free ring: enqueue wrote its entry"},
	stallLockFreeFreeDeqClaimed:  {"free-deq-claimed", "free ring: dequeue claimed a position (TryPush taking an index)"},
	stallLockFreeFreeDeqTaken:    {"free-deq-taken", "free ring: dequeue took an index (TryPush holds it, nothing published)"},
	stallLockFreeFreeCatchup:     {"free-catchup", "free ring: dequeue found its position empty, before catchup (TryPush on full; a pop is stopped returning an index)"},
	stallLockFreeElemEnqClaimed:  {"elem-enq-claimed", "element ring: enqueue claimed a position, entry not written"},
	stallLockFreeElemEnqPlaced:   {"elem-enq-placed", "element ring: enqueue wrote its entry, before resetting the threshold"},
	stallLockFreeElemEnqFindable: {"elem-enq-findable", "element ring: enqueue wrote its entry and reset the threshold, before returning"},
	stallLockFreeElemDeqClaimed:  {"elem-deq-claimed", "element ring: dequeue claimed a position, entry not taken"},
	stallLockFreeElemDeqTaken:    {"elem-deq-taken", "element ring: dequeue took an index (TryPop holds it, value not read)"},
	stallLockFreeElemCatchup:     {"elem-catchup", "element ring: dequeue found its position empty, before catchup (TryPop on empty; a push is stopped before writing)"},
	stallLockFreeClosed:          {"close", "Close after setting the finalize bit"},
	stallLockFreeStashTakeover:   {"stash-takeover", "a pop put its index in a stash that held another goroutine's and holds that one, not yet in the free ring"},
}

var queuePoints = map[stallPoint]pointInfo{
	stallQueuePushClaimed: {"push-claimed", "push claimed a slot, value not published"},
	stallQueuePopClaimed:  {"pop-claimed", "pop claimed a slot, slot not released"},
}

const (
	stallCap     = 8
	stallWorkers = 2
	stallOps     = 5000 // per worker
)

// stallResult is the outcome of one stall run.
type stallResult struct {
	completed  bool // every worker call returned while the victim was stopped
	calls      int64
	pushes     int64 // successful worker pushes while the victim was stopped
	pops       int64
	elapsedFor time.Duration
}

// runStall stops a victim at point p of q and runs the workers; it waits for
// them up to wait (then reports completed == false), releases the victim,
// lets everything finish and checks conservation.
func runStall(t *testing.T, q stallQueue, p stallPoint, wait time.Duration) stallResult {
	t.Helper()
	var mu sync.Mutex
	pushed := map[uint64]bool{}
	var popped []uint64
	addPush := func(v uint64) { mu.Lock(); pushed[v] = true; mu.Unlock() }
	addPop := func(v uint64) { mu.Lock(); popped = append(popped, v); mu.Unlock() }

	for i := uint64(1); i <= stallCap/2; i++ {
		if !q.TryPush(i) {
			t.Fatalf("prefill push %d failed", i)
		}
		addPush(i)
	}

	stopped := make(chan struct{})
	release := make(chan struct{})
	var armed, helperArmed atomic.Bool
	armed.Store(true)
	// The catchup points are reached only by a dequeue that sees a claimed
	// position beyond head and then finds it empty: a helper goroutine is
	// first stopped holding such a position (a push that claimed an
	// element-ring position, or a pop that claimed a free-ring position),
	// and stays stopped with the victim.
	helper, helperAt := helperFor(p)
	helperStopped := make(chan struct{})
	helperArmed.Store(helper != nil)
	setStallHook(func(at stallPoint) {
		if at == helperAt && helperArmed.CompareAndSwap(true, false) {
			close(helperStopped)
			<-release
			return
		}
		if at == p && !helperArmed.Load() && armed.CompareAndSwap(true, false) {
			close(stopped)
			<-release
		}
	})
	defer func() { setStallHook(nil) }()
	helperDone := make(chan struct{})
	if helper != nil {
		go func() {
			defer close(helperDone)
			growStack() // a stable stash key: see growStack
			for _, v := range helper(q) {
				if helperAt == stallLockFreeElemEnqClaimed {
					addPush(v)
				} else {
					addPop(v)
				}
			}
		}()
		<-helperStopped
	} else {
		close(helperDone)
	}

	// The victim cycles through every operation until it is stopped.
	victimDone := make(chan struct{})
	go func() {
		defer close(victimDone)
		growStack()
		if p == stallLockFreeClosed {
			q.Close()
			return
		}
		v := uint64(1) << 40
		for round := 0; round < 1000; round++ {
			for i := 0; i <= stallCap && p != stallLockFreeElemCatchup; i++ { // one more than fits: TryPush on full
				v++
				if q.TryPush(v) {
					addPush(v)
				}
				if !armed.Load() {
					return
				}
			}
			for i := 0; i <= stallCap; i++ { // and TryPop on empty
				if x, ok := q.TryPop(); ok {
					addPop(x)
				}
				if !armed.Load() {
					return
				}
			}
			q.Len()
			if !armed.Load() {
				return
			}
		}
	}()
	select {
	case <-stopped:
	case <-victimDone:
		t.Fatalf("the victim never reached stall point %d", p)
	}

	// Workers: stallOps calls each while the victim is stopped.
	var calls, pushes, pops atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range stallWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(p)))
			v := uint64(w+1) << 32
			for range stallOps {
				if r.IntN(2) == 0 {
					v++
					if q.TryPush(v) {
						addPush(v)
						pushes.Add(1)
					}
				} else if x, ok := q.TryPop(); ok {
					addPop(x)
					pops.Add(1)
				}
				calls.Add(1)
			}
		}()
	}
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()
	res := stallResult{completed: true}
	select {
	case <-workersDone:
	case <-time.After(wait):
		res.completed = false
	}
	res.elapsedFor = time.Since(start)
	res.calls, res.pushes, res.pops = calls.Load(), pushes.Load(), pops.Load()

	close(release)
	<-workersDone
	<-victimDone
	<-helperDone
	setStallHook(nil)

	// Drain and check conservation: every pushed value popped exactly once.
	for {
		x, ok := q.TryPop()
		if !ok {
			break
		}
		addPop(x)
	}
	if n := q.Len(); n != 0 {
		t.Errorf("Len = %d after the drain", n)
	}
	// Capacity: no slot was lost either (a closed queue takes no push).
	if p != stallLockFreeClosed {
		for i := range q.Cap() {
			if !q.TryPush(uint64(i)) {
				t.Errorf("after the drain, TryPush %d of Cap() = %d failed: a slot was lost", i, q.Cap())
				break
			}
		}
		if q.TryPush(0) {
			t.Errorf("after the drain, TryPush succeeded beyond Cap() = %d", q.Cap())
		}
		for {
			if _, ok := q.TryPop(); !ok {
				break
			}
		}
	}
	seen := map[uint64]bool{}
	for _, x := range popped {
		if seen[x] {
			t.Errorf("%#x popped twice", x)
		}
		if !pushed[x] {
			t.Errorf("%#x popped, never pushed", x)
		}
		seen[x] = true
	}
	if len(seen) != len(pushed) {
		var lost []uint64
		for x := range pushed {
			if !seen[x] {
				lost = append(lost, x)
			}
		}
		sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
		t.Errorf("%d pushed, %d popped; lost %#x", len(pushed), len(seen), lost)
	}
	return res
}

// growStack grows the calling goroutine's stack well past what the queue's
// calls need, so that its stack (and so its stash key) does not move in the
// middle of a test: a new goroutine's first calls would otherwise grow it,
// and a push could then hash to one stash and the pop after it to another.
//
//go:noinline
func growStack() {
	var b [32 << 10]byte
	touchBytes(b[:])
}

// touchBytes writes p, so that the compiler keeps growStack's array.
//
//go:noinline
func touchBytes(p []byte) { p[len(p)-1] = 1 }

// plantForeignStashes moves one free index from the free ring into every
// stash of q, marked as left there by a goroutine that does not exist (stack
// key 1, an address no stack has), as a goroutine descheduled after a pop
// would leave it, and asked for by the goroutine with stack key asker.
func plantForeignStashes(t *testing.T, q *LockFree[uint64], asker uint64) {
	t.Helper()
	for j := range q.stashes {
		i, st := q.free.dequeue(false)
		if st != lockFreeOK {
			t.Fatalf("planting stash %d: the free ring has no index (%d)", j, st)
		}
		q.stashes[j].w.Store(q.stashMark(1) | stashTag(asker)<<q.stashBits | (i + 1))
	}
}

// fixedKeyLockFree is a LockFree whose try operations run as if called by
// the goroutine with stack key key, wherever they are called from.
type fixedKeyLockFree struct {
	*LockFree[uint64]
	key uint64
}

func (f fixedKeyLockFree) TryPush(v uint64) bool { return f.push(&v, false, f.key) == lockFreeOK }

func (f fixedKeyLockFree) TryPop() (uint64, bool) {
	var v uint64
	ok := f.pop(&v, false, f.key) == lockFreeOK
	return v, ok
}

// helperFor returns, for the catchup points, the operation of the helper
// goroutine and the point where it is stopped first.
func helperFor(p stallPoint) (func(stallQueue) []uint64, stallPoint) {
	switch p {
	case stallLockFreeElemCatchup: // a push holds an unwritten element-ring position
		return func(q stallQueue) []uint64 {
			v := uint64(1) << 41
			if q.TryPush(v) {
				return []uint64{v}
			}
			return nil
		}, stallLockFreeElemEnqClaimed
	case stallLockFreeFreeCatchup: // a pop holds an unwritten free-ring position
		// A pop gives its index to the free ring only while its
		// goroutine's stash holds one: the first pop may fill the stash,
		// the second then stops in the free ring (or the first does).
		return func(q stallQueue) []uint64 {
			var got []uint64
			for range 2 {
				if v, ok := q.TryPop(); ok {
					got = append(got, v)
				}
			}
			return got
		}, stallLockFreeFreeEnqClaimed
	}
	return nil, 0
}

func sortedPoints(m map[stallPoint]pointInfo) []stallPoint {
	var ps []stallPoint
	for p := range m {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}

// TestStallLockFree: with a goroutine stopped at any step of any LockFree
// operation, two others complete 2×5000 TryPush/TryPop calls, with pushes
// and pops succeeding, and no element is lost or invented.
func TestStallLockFree(t *testing.T) {
	if len(lockFreePoints) != int(stallLockFreeEnd-stallPointsFirstFree) {
		t.Fatalf("%d points listed, %d declared", len(lockFreePoints), stallLockFreeEnd-stallPointsFirstFree)
	}
	for _, p := range sortedPoints(lockFreePoints) {
		t.Run(lockFreePoints[p].name, func(t *testing.T) {
			var q stallQueue = NewLockFree[uint64](stallCap)
			if p == stallLockFreeStashTakeover {
				// Every stash holds an index of "another goroutine",
				// asked for by the goroutine that every call here
				// claims to be, so the victim's first pop takes its
				// stash over.
				const key = 1 << 24
				lf := NewLockFree[uint64](64)
				plantForeignStashes(t, lf, key)
				q = fixedKeyLockFree{lf, key}
			}
			// A generous bound: the calls take milliseconds even under
			// -race on a loaded machine; only a call that waits for the
			// stopped victim can reach it.
			res := runStall(t, q, p, 60*time.Second)
			t.Logf("%s: %d calls in %v (%d pushes, %d pops succeeded)",
				lockFreePoints[p].desc, res.calls, res.elapsedFor.Round(time.Microsecond), res.pushes, res.pops)
			if !res.completed {
				t.Fatalf("stopped at %q, the victim blocked the others: %d of %d calls completed",
					lockFreePoints[p].desc, res.calls, stallWorkers*stallOps)
			}
			if res.pops == 0 || (res.pushes == 0 && p != stallLockFreeClosed) {
				t.Errorf("no progress: %d pushes, %d pops succeeded", res.pushes, res.pops)
			}
		})
	}
}

// TestStallQueueFails runs the same test against Queue, which is not
// lock-free: with a producer stopped after claiming a slot, or a consumer
// stopped after claiming one, the others stop completing calls once the ring
// reaches that slot. The test asserts that the check fails there, which
// shows the check can fail. Elements are still conserved once the victim
// runs again.
func TestStallQueueFails(t *testing.T) {
	for _, p := range sortedPoints(queuePoints) {
		t.Run(queuePoints[p].name, func(t *testing.T) {
			q := New[uint64](stallCap)
			// Queue never completes while the victim is stopped, so any
			// wait shows it; 2 s keeps the test short.
			res := runStall(t, q, p, 2*time.Second)
			t.Logf("%s: %d of %d calls completed in %v, then the others waited for the stopped goroutine",
				queuePoints[p].desc, res.calls, stallWorkers*stallOps, res.elapsedFor.Round(time.Millisecond))
			if res.completed {
				t.Fatalf("Queue completed every call with a goroutine stopped at %q: the stall test cannot tell a blocking queue from a lock-free one", queuePoints[p].desc)
			}
		})
	}
}

// stopFirstAt installs a stall hook that stops the first goroutine to reach
// point p: stopped is closed once it is stopped, and it resumes when the
// caller closes release. The hook is removed when the test ends.
func stopFirstAt(t *testing.T, p stallPoint) (stopped <-chan struct{}, release chan struct{}) {
	t.Helper()
	s := stopFirstAtEach(t, p)[0]
	return s.stopped, s.release
}

// stopAt is one goroutine to be stopped at a stall point: stopped is closed
// once it is stopped, and it resumes when the test closes release.
type stopAt struct{ stopped, release chan struct{} }

// stopFirstAtEach installs a stall hook that stops the first goroutine to
// reach each of the points ps, one stopAt per point. The hook is removed
// when the test ends.
func stopFirstAtEach(t *testing.T, ps ...stallPoint) []stopAt {
	t.Helper()
	stops := make([]stopAt, len(ps))
	armed := make([]atomic.Bool, len(ps))
	for i := range ps {
		stops[i] = stopAt{make(chan struct{}), make(chan struct{})}
		armed[i].Store(true)
	}
	setStallHook(func(at stallPoint) {
		for i, p := range ps {
			if at == p && armed[i].CompareAndSwap(true, false) {
				close(stops[i].stopped)
				<-stops[i].release
				return
			}
		}
	})
	t.Cleanup(func() { setStallHook(nil) })
	return stops
}

// TestStallLockFreeCloseInFlight: a push stopped after writing its entry
// when Close runs was in progress before Close, so it may take effect: it
// resumes, reports success, and its element is popped after the one pushed
// before it; only then does Pop report ErrClosed. And a push that starts
// after Close returned fails and leaves nothing behind.
func TestStallLockFreeCloseInFlight(t *testing.T) {
	q := NewLockFree[uint64](4)
	q.TryPush(1)
	stopped, release := stopFirstAt(t, stallLockFreeElemEnqPlaced)
	result := make(chan bool)
	go func() { result <- q.TryPush(2) }()
	<-stopped
	q.Close()
	close(release)
	if !<-result {
		t.Fatal("a push whose entry was written before Close failed")
	}
	if q.TryPush(3) {
		t.Fatal("a push that started after Close returned succeeded")
	}
	if n := q.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	for _, want := range []uint64{1, 2} {
		if v, err := q.Pop(context.Background()); err != nil || v != want {
			t.Fatalf("Pop = %d, %v; want %d", v, err, want)
		}
	}
	if v, err := q.Pop(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Pop = %d, %v after the drain; want ErrClosed", v, err)
	}
	if n := q.Len(); n != 0 {
		t.Fatalf("Len = %d", n)
	}
}

// TestStallLockFreeCloseFindable: a push stopped after writing its entry and
// resetting the threshold, before it returns, when Close happens. The push
// succeeds, so its element must be findable: a TryPop after Close returns
// it, and the push then reports success.
func TestStallLockFreeCloseFindable(t *testing.T) {
	q := NewLockFree[uint64](4) // fresh: the threshold is negative
	stopped, release := stopFirstAt(t, stallLockFreeElemEnqFindable)
	result := make(chan bool)
	go func() { result <- q.TryPush(7) }()
	<-stopped
	q.Close()
	v, ok := q.TryPop()
	close(release)
	pushed := <-result
	if !ok || v != 7 || !pushed {
		t.Fatalf("TryPop after Close = %d, %v; the push returned %v: want 7, true, true", v, ok, pushed)
	}
}

// TestStallLockFreeLenAfterSkip: a pop stopped after claiming its position
// in the element ring, before taking its element, while other goroutines
// push and pop around the ring. Enqueuers that reach its slot one lap later
// must skip that position (the slot still holds the stopped pop's element),
// and the skipped position stays between the ring's head and tail until a
// later dequeue passes it. Once everything has returned, Len must still be
// exact: an earlier Len computed from tail-head counted the skipped
// positions and reported 3 of capacity 3 for a queue holding 2 (found by
// porcupine).
func TestStallLockFreeLenAfterSkip(t *testing.T) {
	const capacity = 3
	q := NewLockFree[uint64](capacity)
	q.TryPush(1)
	stopped, release := stopFirstAt(t, stallLockFreeElemDeqClaimed)
	got := make(chan uint64)
	go func() {
		v, _ := q.TryPop()
		got <- v
	}()
	<-stopped
	// The stopped pop claimed position 0 and holds element 1. Move head and
	// tail with push/pop pairs to position size, whose slot is position 0's
	// one lap later, then push two: the first enqueue meets the stopped
	// pop's element in that slot and must skip to the next position, which
	// no dequeue passes before the check below.
	next := uint64(100)
	for range q.elems.size - 1 {
		next++
		if !q.TryPush(next) {
			t.Fatalf("TryPush(%d) failed with the queue holding at most 1 element", next)
		}
		if v, ok := q.TryPop(); !ok || v != next {
			t.Fatalf("TryPop = %d, %v; want %d", v, ok, next)
		}
	}
	for _, v := range []uint64{201, 202} {
		if !q.TryPush(v) {
			t.Fatalf("TryPush(%d) failed with the queue holding less than %d", v, capacity)
		}
	}
	close(release)
	if v := <-got; v != 1 {
		t.Fatalf("the stopped TryPop returned %d, want 1", v)
	}
	// Quiet now, holding 201 and 202.
	if n := q.Len(); n != 2 || q.IsFull() || q.IsEmpty() {
		t.Fatalf("Len = %d, IsFull %v, IsEmpty %v on a quiet queue holding 2 of %d", n, q.IsFull(), q.IsEmpty(), capacity)
	}
	for _, want := range []uint64{201, 202} {
		if v, ok := q.TryPop(); !ok || v != want {
			t.Fatalf("TryPop = %d, %v; want %d", v, ok, want)
		}
	}
	if n := q.Len(); n != 0 || !q.IsEmpty() {
		t.Fatalf("Len = %d on a drained quiet queue", n)
	}
}

// TestStallLockFreeCloseDrained is the race by which Close was not
// linearizable, replayed with two stall points. On a fresh ring (whose
// element-ring threshold is negative), a Push claims its element-ring
// position and stops before writing it; Close runs; a Pop sees the queue
// closed. Then the push resumes and stops again once its entry is written
// and findable, and a second Pop runs; then the push returns. The rule: once
// a Pop has returned ErrClosed ("closed and drained"), no later Pop returns
// an element, and a Push that returned nil has its element popped. (A Pop
// that trusted the negative threshold reported ErrClosed at once; the push
// then wrote its element, the second Pop took it, and the push returned nil.)
func TestStallLockFreeCloseDrained(t *testing.T) {
	q := NewLockFree[uint64](4)
	stops := stopFirstAtEach(t, stallLockFreeElemEnqClaimed, stallLockFreeElemEnqFindable)
	claimed, releaseClaimed := stops[0].stopped, stops[0].release
	findable, releaseFindable := stops[1].stopped, stops[1].release

	result := make(chan error, 1)
	go func() { result <- q.Push(context.Background(), 7) }()
	<-claimed
	q.Close()
	var pops []string // each Pop's outcome, in order
	pop := func() (uint64, error) {
		v, err := q.Pop(context.Background()) // the queue is closed: Pop cannot wait
		if err != nil {
			pops = append(pops, err.Error())
		} else {
			pops = append(pops, fmt.Sprint(v))
		}
		return v, err
	}
	_, err1 := pop()
	close(releaseClaimed)
	var pushErr error
	returned := false
	select {
	case <-findable: // the push wrote its entry and stopped before returning
	case pushErr = <-result:
		returned = true
	}
	v2, err2 := pop()
	close(releaseFindable)
	if !returned {
		pushErr = <-result
	}
	// Drain what is left.
	popped := 0
	if err2 == nil && v2 == 7 {
		popped++
	}
	for {
		v, err := pop()
		if err != nil {
			break
		}
		if v == 7 {
			popped++
		}
	}
	t.Logf("Pops after Close: %v; Push returned %v", pops, pushErr)
	if errors.Is(err1, ErrClosed) && err2 == nil {
		t.Errorf("a Pop returned ErrClosed, then a later Pop returned %d: ErrClosed did not mean drained", v2)
	}
	if err1 != nil && !errors.Is(err1, ErrClosed) || err2 != nil && !errors.Is(err2, ErrClosed) {
		t.Errorf("Pop on a closed queue: %v, %v", err1, err2)
	}
	switch {
	case pushErr == nil && popped != 1:
		t.Errorf("Push returned nil and its element was popped %d times", popped)
	case pushErr != nil && (!errors.Is(pushErr, ErrClosed) || popped != 0):
		t.Errorf("Push returned %v and its element was popped %d times", pushErr, popped)
	}
}

// TestStallLockFreePopPastUnfilled: a push stopped after claiming its
// element-ring position, before writing it, leaves the entry at the ring's
// head unfilled while a later push completes. A blocking Pop watches that
// entry while it spins, but must not wait for it: it finds the completed
// push's element (overtaking the stopped one, which then retries) and
// returns it without parking.
func TestStallLockFreePopPastUnfilled(t *testing.T) {
	q := NewLockFree[uint64](4)
	stopped, release := stopFirstAt(t, stallLockFreeElemEnqClaimed)
	first := make(chan bool)
	go func() { first <- q.TryPush(1) }()
	<-stopped
	if !q.TryPush(2) {
		t.Fatal("TryPush(2) failed with a push stopped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := q.Pop(ctx)
	close(release)
	if err != nil || v != 2 {
		t.Fatalf("Pop = %d, %v with the head entry unfilled; want 2", v, err)
	}
	if !<-first {
		t.Fatal("the stopped push failed after it resumed")
	}
	if v, ok := q.TryPop(); !ok || v != 1 {
		t.Fatalf("TryPop = %d, %v; want the resumed push's 1", v, ok)
	}
}

// TestStallLockFreePushPastUnfilled is the same for a blocking Push on a
// full queue: a pop stopped after claiming its free-ring position, before
// giving its index back, leaves the free ring's head entry unfilled while
// a later pop gives another index back behind it. The blocking Pushes
// must find the free slots (behind that entry, or in a stash), not wait
// for the stopped pop.
func TestStallLockFreePushPastUnfilled(t *testing.T) {
	q := NewLockFree[uint64](4)
	pushed := map[uint64]bool{}
	for v := uint64(1); v <= 4; v++ {
		q.TryPush(v)
		pushed[v] = true
	}
	var popped []uint64
	// This goroutine's first pop fills its stash, so that its next pop
	// gives its index to the free ring.
	if v, ok := q.TryPop(); ok {
		popped = append(popped, v)
	}
	stopped, release := stopFirstAt(t, stallLockFreeFreeEnqClaimed)
	victim := make(chan []uint64)
	go func() {
		// Pops until one stops in the free ring (the first may fill this
		// goroutine's own stash; growStack keeps its stash key stable).
		growStack()
		var got []uint64
		for range 2 {
			if v, ok := q.TryPop(); ok {
				got = append(got, v)
			}
			select {
			case <-stopped:
				victim <- got
				return
			default:
			}
		}
		victim <- got
	}()
	<-stopped
	if v, ok := q.TryPop(); ok {
		popped = append(popped, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	free := 4 - q.Len() - 1 // the stopped pop holds one slot
	for v := uint64(5); v < 5+uint64(free); v++ {
		if err := q.Push(ctx, v); err != nil {
			close(release)
			t.Fatalf("Push(%d) = %v with %d slots free and the free ring's head entry unfilled", v, err, free)
		}
		pushed[v] = true
	}
	close(release)
	popped = append(popped, <-victim...)
	for {
		v, ok := q.TryPop()
		if !ok {
			break
		}
		popped = append(popped, v)
	}
	seen := map[uint64]bool{}
	for _, v := range popped {
		if seen[v] || !pushed[v] {
			t.Fatalf("popped %v, pushed %v", popped, pushed)
		}
		seen[v] = true
	}
	if len(seen) != len(pushed) || free < 1 {
		t.Fatalf("popped %v, pushed %v (%d slots were free)", popped, pushed, free)
	}
}
