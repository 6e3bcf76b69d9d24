//go:build lfkit_stall

package lfqueue

// The stall benchmark: one goroutine stopped for 100 ms in the middle of an
// operation, and the throughput of the others during those 100 ms against their
// throughput in a 100 ms window without the stop.
//
//	go test -tags lfkit_stall -run '^$' -bench '^BenchmarkLFStall' -benchtime 5x -cpu 2 ./lfqueue
//
// Metrics: free-pairs/s (all goroutines running), stalled-pairs/s (one of
// them stopped at the stall point) and stalled/free, plus the regime.

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

const (
	stallBenchGoroutines = 3
	stallBenchWindow     = 100 * time.Millisecond
)

// stallBench runs stallBenchGoroutines goroutines doing TryPush+TryPop
// pairs (two pushes, then two pops) on q (kept half full); in each of b.N
// rounds it measures a window without a stop, then stops the next
// goroutine to reach point for stallBenchWindow and measures the pairs
// completed meanwhile.
//
// For the wake path's point (stallWakeClaimed) q starts empty and one more
// goroutine loops on Pop, parking at once whenever it finds q empty (no
// spin), so that the pairs' pushes keep finding a parked Pop to wake; the
// push stopped there has claimed that Pop's wakeup, which stays unsent for
// the window while the others go on. Its pops count in no window.
func stallBench(b *testing.B, q stallWaitQueue, point stallPoint) {
	// The placement probe runs before the goroutines start: with them
	// running it could only find the vCPUs busy.
	s := regime.Begin()
	var stop atomic.Bool
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { stop.Store(true); cancel(); wg.Wait() }()
	if point == stallWakeClaimed {
		spinTest.Store(-1)
		defer spinTest.Store(0)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				q.Pop(ctx)
			}
		}()
	} else {
		for i := 0; i < lockFreeBenchCap/2; i++ {
			q.TryPush(uint64(i))
		}
	}
	var pairs atomic.Int64
	for g := range stallBenchGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			growStack() // a stable stash key: see growStack
			// Two pushes, then two pops: a LockFree goroutine's stash
			// holds one free index, so the second of each goes through
			// the free ring and every free-ring point is reached.
			for !stop.Load() {
				q.TryPush(uint64(g))
				q.TryPush(uint64(g))
				q.TryPop()
				q.TryPop()
				pairs.Add(2)
			}
		}()
	}
	var free, stalled float64
	type window struct{ n0, n1 int64 }
	ws := make(chan window, 1)
	b.ResetTimer()
	for range b.N {
		// Unstopped window.
		n0 := pairs.Load()
		t0 := time.Now()
		time.Sleep(stallBenchWindow)
		free += float64(pairs.Load()-n0) / time.Since(t0).Seconds()

		// Stopped window: the first goroutine to reach point sleeps there.
		var armed atomic.Bool
		armed.Store(true)
		setStallHook(func(p stallPoint) {
			if p == point && armed.CompareAndSwap(true, false) {
				n := pairs.Load()
				time.Sleep(stallBenchWindow)
				ws <- window{n, pairs.Load()}
			}
		})
		var w window
		select {
		case w = <-ws:
		case <-time.After(10 * time.Second):
			setStallHook(nil)
			b.Fatalf("no goroutine reached the stall point in 10 s")
		}
		setStallHook(nil)
		stalled += float64(w.n1-w.n0) / stallBenchWindow.Seconds()
	}
	b.StopTimer()
	s.Report(b)
	b.ReportMetric(free/float64(b.N), "free-pairs/s")
	b.ReportMetric(stalled/float64(b.N), "stalled-pairs/s")
	b.ReportMetric(stalled/free, "stalled/free")
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
