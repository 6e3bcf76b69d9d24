package peerbench

import (
	"math/bits"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

// The oversubscription benchmark of lfqueue.LockFree (issue 10): 32
// goroutines, GOMAXPROCS forced to 2, each doing TryPush+TryPop pairs on one
// queue of capacity 1024, so the runtime preempts goroutines in the middle
// of calls. It reports ns per pair (all goroutines together) and the
// distribution of single-call latency: p50, p99, p99.9, p99.99 and max, in
// ns, over every TryPush and TryPop.
//
// impl=none times an empty call the same way: its tail is the caller's own
// preemption and the clock, which no queue avoids; what a queue adds above
// it is the queue's.
//
//	go test -run '^$' -bench '^BenchmarkOversubscribedLatency$' -benchtime 2000000x -count 1 ./
func BenchmarkOversubscribedLatency(b *testing.B) {
	impls := []impl[int]{
		{"lockfree", func() Queue[int] { return NewLFLockFree[int](capacity) }},
		{"lfqueue", func() Queue[int] { return NewLFQueue[int](capacity) }},
		{"chan", func() Queue[int] { return NewChan[int](capacity) }},
		{"mutexring", func() Queue[int] { return NewMutexRing[int](capacity) }},
		{"none", nil},
	}
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			prev := runtime.GOMAXPROCS(2)
			defer runtime.GOMAXPROCS(prev)
			var q Queue[int]
			if im.make != nil {
				q = im.make()
			}
			oversubscribed(b, q)
		})
	}
}

const oversubGoroutines = 32

// latHist is a log-linear latency histogram: 16 sub-buckets per power of
// two, so a bucket is at most 1/16 (6.25%) wide.
type latHist [64 * 16]uint64

func latBucket(ns int64) int {
	if ns < 16 {
		return int(max(ns, 0))
	}
	e := bits.Len64(uint64(ns)) - 1 // 2^e <= ns < 2^(e+1), e >= 4
	m := (uint64(ns) >> (e - 4)) & 15
	return (e-3)*16 + int(m)
}

// latUpper is the largest latency of bucket i.
func latUpper(i int) int64 {
	if i < 16 {
		return int64(i)
	}
	e, m := i/16+3, uint64(i%16)
	return int64((16+m+1)<<(e-4)) - 1
}

func (h *latHist) add(d time.Duration) { h[latBucket(int64(d))]++ }

// quantile returns the upper bound of the bucket holding quantile q.
func (h *latHist) quantile(q float64) int64 {
	var n uint64
	for _, c := range h {
		n += c
	}
	want := uint64(q * float64(n))
	var seen uint64
	for i, c := range h {
		seen += c
		if seen > want {
			return latUpper(i)
		}
	}
	return 0
}

func oversubscribed(b *testing.B, q Queue[int]) {
	hists := make([]latHist, oversubGoroutines)
	maxs := make([]time.Duration, oversubGoroutines)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range oversubGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := &hists[g]
			var mx time.Duration
			n := b.N / oversubGoroutines
			if g < b.N%oversubGoroutines {
				n++
			}
			<-start
			for range n {
				t0 := time.Now()
				if q != nil {
					for !q.TryPush(g) {
						runtime.Gosched()
					}
				}
				t1 := time.Now()
				if q != nil {
					for {
						if _, ok := q.TryPop(); ok {
							break
						}
						runtime.Gosched()
					}
				}
				t2 := time.Now()
				d1, d2 := t1.Sub(t0), t2.Sub(t1)
				h.add(d1)
				h.add(d2)
				mx = max(mx, d1, d2)
			}
			maxs[g] = mx
		}()
	}
	s := regime.Begin()
	b.ResetTimer()
	close(start)
	wg.Wait()
	b.StopTimer()
	s.Report(b)
	var all latHist
	var mx time.Duration
	for g := range hists {
		for i, c := range hists[g] {
			all[i] += c
		}
		mx = max(mx, maxs[g])
	}
	b.ReportMetric(float64(all.quantile(0.5)), "p50-ns")
	b.ReportMetric(float64(all.quantile(0.99)), "p99-ns")
	b.ReportMetric(float64(all.quantile(0.999)), "p99.9-ns")
	b.ReportMetric(float64(all.quantile(0.9999)), "p99.99-ns")
	b.ReportMetric(float64(mx.Nanoseconds()), "max-ns")
}

func TestLatHist(t *testing.T) {
	for _, ns := range []int64{0, 1, 15, 16, 17, 31, 32, 100, 1000, 123456789} {
		i := latBucket(ns)
		if up := latUpper(i); up < ns || (i > 0 && latUpper(i-1) >= ns) {
			t.Fatalf("%d ns in bucket %d (upper %d, previous upper %d)", ns, i, up, latUpper(i-1))
		}
	}
	var h latHist
	for i := range 1000 {
		h.add(time.Duration(i))
	}
	if p := h.quantile(0.5); p < 480 || p > 540 {
		t.Fatalf("median of 0..999 = %d", p)
	}
}

func TestLockFreeAdapter(t *testing.T) {
	q := NewLFLockFree[int](capacity)
	for i := range capacity {
		if !q.TryPush(i) {
			t.Fatalf("TryPush %d failed", i)
		}
	}
	if q.TryPush(-1) {
		t.Fatal("TryPush succeeded on a full queue")
	}
	for i := range capacity {
		if v := q.Pop(); v != i {
			t.Fatalf("Pop = %d, want %d", v, i)
		}
	}
	q.Push(7)
	if v, ok := q.TryPop(); !ok || v != 7 {
		t.Fatalf("TryPop = %d, %v", v, ok)
	}
}
