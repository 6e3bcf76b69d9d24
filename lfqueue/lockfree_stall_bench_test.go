//go:build lfkit_stall

package lfqueue

// The stall benchmark: one goroutine stopped for 50 ms in the middle of an
// operation, and the throughput of the others during those 50 ms against
// their throughput in the 50 ms windows just before and after, where one
// goroutine is stopped between two calls instead, holding nothing: both
// kinds of window run the same number of goroutines and differ only in
// where the stopped one stands. -benchtime Nx takes N stalled windows.
//
//	go test -tags lfkit_stall -run '^$' -bench '^BenchmarkLFStall' -benchtime 10x -cpu 2 ./lfqueue
//
// Metrics: free-pairs/s and stalled-pairs/s (the mean rates of the two
// kinds of window), stalled/free (the median over stalled windows of each
// one's rate ÷ the mean of its two neighbours) and min-stalled/free (the
// least of those), plus the regime.

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

const (
	stallBenchGoroutines = 3
	stallBenchWindow     = 50 * time.Millisecond
)

// stallBench runs stallBenchGoroutines goroutines doing TryPush+TryPop
// pairs (two pushes, then two pops) on q (kept half full). A free window
// stops the next goroutine to start a pair for stallBenchWindow and counts
// the pairs the others complete meanwhile; a stalled window does the same
// with the next goroutine to reach point. It takes b.N stalled windows,
// each between two free ones.
//
// For the wake path's point (stallWakeClaimed) q starts empty and one more
// goroutine loops on Pop, parking at once whenever it finds q empty (no
// spin), so that the pairs' pushes keep finding a parked Pop to wake; the
// push stopped there has claimed that Pop's wakeup, which stays unsent for
// the window while the others go on, and their pushes keep finding a
// registered waiter they cannot claim. Its pops count in no window, and
// free windows hold it between two calls.
func stallBench(b *testing.B, q stallWaitQueue, point stallPoint) {
	// The placement probe runs before the goroutines start: with them
	// running it could only find the vCPUs busy.
	s := regime.Begin()
	var stop atomic.Bool
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { stop.Store(true); cancel(); wg.Wait() }()
	var hold atomic.Bool // set: the Pop goroutine waits between its calls
	if point == stallWakeClaimed {
		spinTest.Store(-1)
		defer spinTest.Store(0)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				for hold.Load() && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
				q.Pop(ctx)
			}
		}()
	} else {
		for i := 0; i < lockFreeBenchCap/2; i++ {
			q.TryPush(uint64(i))
		}
	}
	var pairs atomic.Int64
	// A window: the pairs the others completed while one goroutine was
	// stopped, and for how long it was (a stopped goroutine resumes only
	// once it gets a processor back, which can take a while beyond its
	// sleep).
	type window struct {
		pairs int64
		d     time.Duration
	}
	rate := func(w window) float64 { return float64(w.pairs) / w.d.Seconds() }
	ws := make(chan window, 1)
	// stopHere stops its caller for a window and reports the pairs the
	// others completed meanwhile.
	stopHere := func() {
		n, t := pairs.Load(), time.Now()
		time.Sleep(stallBenchWindow)
		ws <- window{pairs.Load() - n, time.Since(t)}
	}
	take := func(what string) window {
		select {
		case w := <-ws:
			return w
		case <-time.After(10 * time.Second):
			setStallHook(nil)
			b.Fatalf("no goroutine reached %s in 10 s", what)
			return window{}
		}
	}
	var idle atomic.Bool // set: the next goroutine to start a pair stops there
	for g := range stallBenchGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			growStack() // a stable stash key: see growStack
			// Two pushes, then two pops: a LockFree goroutine's stash
			// holds one free index, so the second of each goes through
			// the free ring and every free-ring point is reached.
			for !stop.Load() {
				if idle.Load() && idle.CompareAndSwap(true, false) {
					stopHere()
				}
				q.TryPush(uint64(g))
				q.TryPush(uint64(g))
				q.TryPop()
				q.TryPop()
				pairs.Add(2)
			}
		}()
	}
	// Windows alternate, starting and ending with a free one: F0 S1 F1 …
	// Sn Fn. Each stalled window is judged against the mean of the free
	// windows on either side of it, and the metric is the median of those
	// ratios: the host can change the placement of the vCPUs from one
	// window to the next (tripling the rate or cutting it to a third), and
	// a ratio of sums would let the windows of one placement decide.
	//
	// The hook stays installed through both kinds of window, so that both
	// pay the same for it: a call at every point and a load of armed (a
	// compare-and-swap that fails would still take its line).
	var armed atomic.Bool
	setStallHook(func(p stallPoint) {
		if p == point && armed.Load() && armed.CompareAndSwap(true, false) {
			stopHere()
		}
	})
	defer func() { setStallHook(nil) }()
	//
	// At the wake path's point, a stalled window leaves the Pop goroutine
	// parked (its wakeup claimed, not sent); a free window holds it
	// between its calls, so that both run the same goroutines.
	freeWindow := func() float64 {
		hold.Store(point == stallWakeClaimed)
		idle.Store(true)
		w := take("the start of a pair")
		hold.Store(false)
		return rate(w)
	}
	var freeSum, stalledSum float64
	ratios := make([]float64, 0, b.N)
	freeWindow() // warm-up, not counted
	b.ResetTimer()
	prev := freeWindow()
	freeSum += prev
	for range b.N {
		// Stalled window: the first goroutine to reach point sleeps there.
		armed.Store(true)
		w := take("the stall point")
		stalled := rate(w)
		next := freeWindow()
		stalledSum += stalled
		freeSum += next
		ratios = append(ratios, stalled/((prev+next)/2))
		prev = next
	}
	b.StopTimer()
	s.Report(b)
	slices.Sort(ratios)
	med := ratios[len(ratios)/2]
	if len(ratios)%2 == 0 {
		med = (ratios[len(ratios)/2-1] + med) / 2
	}
	b.ReportMetric(freeSum/float64(b.N+1), "free-pairs/s")
	b.ReportMetric(stalledSum/float64(b.N), "stalled-pairs/s")
	b.ReportMetric(med, "stalled/free")
	b.ReportMetric(ratios[0], "min-stalled/free")
}

// BenchmarkLFStall: LockFree with a goroutine stopped at each of its stall
// points that TryPush+TryPop pairs on a half-full queue reach (every point
// but the catchups, which need an empty or full ring, Close, and the stash
// takeover, which needs another goroutine's index in a stash), and Queue
// with a pusher stopped after claiming its slot (before publishing it);
// and, for both, a push stopped in the wake path after claiming a parked
// Pop's wakeup (wake-claimed). The target is stalled/free >= 0.9 at every
// LockFree point.
func BenchmarkLFStall(b *testing.B) {
	for _, p := range sortedPoints(lockFreePoints) {
		switch p {
		case stallLockFreeFreeCatchup, stallLockFreeElemCatchup, stallLockFreeClosed:
			continue
		case stallLockFreeStashTakeover:
			// Reached only when a goroutine's stash holds another's
			// index, which three goroutines on a half-full queue need
			// not ever produce; TestStallLockFree stops a pop there.
			continue
		}
		b.Run("LockFree/"+lockFreePoints[p].name, func(b *testing.B) {
			stallBench(b, NewLockFree[uint64](lockFreeBenchCap), p)
		})
	}
	b.Run("LockFree/wake-claimed", func(b *testing.B) {
		stallBench(b, NewLockFree[uint64](lockFreeBenchCap), stallWakeClaimed)
	})
	b.Run("Queue", func(b *testing.B) {
		stallBench(b, New[uint64](lockFreeBenchCap), stallQueuePushClaimed)
	})
	b.Run("Queue/wake-claimed", func(b *testing.B) {
		stallBench(b, New[uint64](lockFreeBenchCap), stallWakeClaimed)
	})
}
