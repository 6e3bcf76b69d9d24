package lfqueue

// Benchmarks of the five workloads in internal/peerbench/README.md, for
// lfqueue (impl=lfqueue is New's default: Compact for int, Padded for
// elem64, whose slot does not fit twice in a range; padded and remap are
// the other layouts), a buffered channel and the cond-mutex ring of
// internal/peers (a slice ring under a sync.Mutex with two sync.Conds), all
// in one file so a `go test -bench` run interleaves them. Names:
// Benchmark<Workload>/<elem>/<impl>. Contended benchmarks report the
// placement regime of each sample (internal/regime: "rt-ns", the probed
// cache-line round trip, and "cpu/wall"); compare samples of one regime only.
//
//	for i in 1 2 3 4 5 6; do go test -run '^$' -bench . -benchmem -count 1 -cpu 1,2 ./lfqueue >> q.txt; done
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl q.txt

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/lfkit/lfkit/internal/parallel"
	"github.com/lfkit/lfkit/internal/peers"
	"github.com/lfkit/lfkit/internal/regime"
)

// elem64 is the 64-byte element of the benchmarks.
type elem64 [8]uint64

const handoffCap = 1024

// --- 1. Pair: push then pop, one goroutine.

func pairLF[T any](b *testing.B, opts ...Option) {
	q := New[T](handoffCap, opts...)
	var v T
	b.ReportAllocs()
	for b.Loop() {
		q.TryPush(v)
		v, _ = q.TryPop()
	}
}

func pairChan[T any](b *testing.B) {
	ch := make(chan T, handoffCap)
	var v T
	b.ReportAllocs()
	for b.Loop() {
		ch <- v
		v = <-ch
	}
}

func pairMutex[T any](b *testing.B) {
	r := peers.NewMutexRing[T](handoffCap)
	var v T
	b.ReportAllocs()
	for b.Loop() {
		r.TryPush(v)
		v, _ = r.TryPop()
	}
}

func BenchmarkPair(b *testing.B) {
	b.Run("T=int/impl=lfqueue", func(b *testing.B) { pairLF[int](b) })
	b.Run("T=int/impl=remap", func(b *testing.B) { pairLF[int](b, Remap()) })
	b.Run("T=int/impl=padded", func(b *testing.B) { pairLF[int](b, Padded()) })
	b.Run("T=int/impl=chan", func(b *testing.B) { pairChan[int](b) })
	b.Run("T=int/impl=mutex", func(b *testing.B) { pairMutex[int](b) })
	b.Run("T=e64/impl=lfqueue", func(b *testing.B) { pairLF[elem64](b) })
	b.Run("T=e64/impl=remap", func(b *testing.B) { pairLF[elem64](b, Remap()) })
	b.Run("T=e64/impl=chan", func(b *testing.B) { pairChan[elem64](b) })
	b.Run("T=e64/impl=mutex", func(b *testing.B) { pairMutex[elem64](b) })
}

// --- 2. Parallel pairs: every goroutine pushes then pops (GOMAXPROCS
// goroutines, each with its share of b.N: internal/parallel).

func parLF[T any](b *testing.B, opts ...Option) {
	q := New[T](handoffCap, opts...)
	b.ReportAllocs()
	parallel.Run(b, 1, func(n int) {
		var v T
		for range n {
			q.TryPush(v)
			v, _ = q.TryPop()
		}
	})
}

func parChan[T any](b *testing.B) {
	ch := make(chan T, handoffCap)
	b.ReportAllocs()
	parallel.Run(b, 1, func(n int) {
		var v T
		for range n {
			ch <- v
			v = <-ch
		}
	})
}

func parMutex[T any](b *testing.B) {
	r := peers.NewMutexRing[T](handoffCap)
	b.ReportAllocs()
	parallel.Run(b, 1, func(n int) {
		var v T
		for range n {
			r.TryPush(v)
			v, _ = r.TryPop()
		}
	})
}

func BenchmarkParallelPairs(b *testing.B) {
	b.Run("T=int/impl=lfqueue", func(b *testing.B) { parLF[int](b) })
	b.Run("T=int/impl=remap", func(b *testing.B) { parLF[int](b, Remap()) })
	b.Run("T=int/impl=chan", func(b *testing.B) { parChan[int](b) })
	b.Run("T=int/impl=mutex", func(b *testing.B) { parMutex[int](b) })
	b.Run("T=e64/impl=lfqueue", func(b *testing.B) { parLF[elem64](b) })
	b.Run("T=e64/impl=remap", func(b *testing.B) { parLF[elem64](b, Remap()) })
	b.Run("T=e64/impl=chan", func(b *testing.B) { parChan[elem64](b) })
	b.Run("T=e64/impl=mutex", func(b *testing.B) { parMutex[elem64](b) })
}

// --- 3 and 4. Handoff: P producers and C consumers move b.N items through a
// capacity-1024 queue with the blocking forms; one op is one item.

// split returns the share of n items of worker i of k.
func split(n, i, k int) int {
	s := n / k
	if i < n%k {
		s++
	}
	return s
}

// handoff runs the handoff; pushWork and popWork are iterations of busy
// work each producer and consumer does per item (0 for a pure handoff),
// which keeps the queue near empty (producers slower) or near full
// (consumers slower). Nothing is shared among the goroutines but the queue.
func handoff(b *testing.B, P, C int, push func(), pop func(), pushWork, popWork int) {
	b.ReportAllocs()
	s := regime.Begin()
	b.ResetTimer()
	var wg sync.WaitGroup
	for p := 0; p < P; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := split(b.N, p, P); i > 0; i-- {
				busy(pushWork)
				push()
			}
		}()
	}
	for c := 0; c < C; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := split(b.N, c, C); i > 0; i-- {
				pop()
				busy(popWork)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	s.Report(b)
}

var busySink uint64

// busy does n iterations of a dependent xorshift (about 1 ns each), on
// registers only.
func busy(n int) {
	if n == 0 {
		return
	}
	x := uint64(n)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	if x == 0 {
		busySink++
	}
}

func handoffLF[T any](b *testing.B, P, C int, opts ...Option) {
	q := New[T](handoffCap, opts...)
	ctx := context.Background()
	var v T
	handoff(b, P, C, func() { _ = q.Push(ctx, v) }, func() { _, _ = q.Pop(ctx) }, 0, 0)
}

func handoffChan[T any](b *testing.B, P, C int) {
	ch := make(chan T, handoffCap)
	var v T
	handoff(b, P, C, func() { ch <- v }, func() { <-ch }, 0, 0)
}

func handoffMutex[T any](b *testing.B, P, C int) {
	r := peers.NewMutexRing[T](handoffCap)
	var v T
	handoff(b, P, C, func() { r.Push(v) }, func() { r.Pop() }, 0, 0)
}

// handoffImpls runs the blocking handoff of P producers and C consumers on
// every implementation (the layouts of Queue, a channel and the cond-mutex
// ring), for int and, with e64, for a 64-byte element.
func handoffImpls(b *testing.B, P, C int, e64 bool) {
	b.Run("T=int/impl=lfqueue", func(b *testing.B) { handoffLF[int](b, P, C) })
	b.Run("T=int/impl=remap", func(b *testing.B) { handoffLF[int](b, P, C, Remap()) })
	b.Run("T=int/impl=padded", func(b *testing.B) { handoffLF[int](b, P, C, Padded()) })
	b.Run("T=int/impl=chan", func(b *testing.B) { handoffChan[int](b, P, C) })
	b.Run("T=int/impl=mutex", func(b *testing.B) { handoffMutex[int](b, P, C) })
	if !e64 {
		return
	}
	b.Run("T=e64/impl=lfqueue", func(b *testing.B) { handoffLF[elem64](b, P, C) })
	b.Run("T=e64/impl=remap", func(b *testing.B) { handoffLF[elem64](b, P, C, Remap()) })
	b.Run("T=e64/impl=chan", func(b *testing.B) { handoffChan[elem64](b, P, C) })
	b.Run("T=e64/impl=mutex", func(b *testing.B) { handoffMutex[elem64](b, P, C) })
}

func BenchmarkSPSC(b *testing.B)    { handoffImpls(b, 1, 1, true) }
func BenchmarkMPMC2x2(b *testing.B) { handoffImpls(b, 2, 2, true) }
func BenchmarkMPMC8x8(b *testing.B) { handoffImpls(b, 8, 8, false) }

// BenchmarkLayout compares the slot layouts on every handoff shape, with the
// queue kept near empty (each producer does busy work per item), near full
// (each consumer does), or free-running; int elements, capacity 1024.
func BenchmarkLayout(b *testing.B) {
	const work = 60 // about 60 ns of busy work per item on the slow side
	for _, shape := range [][2]int{{1, 1}, {2, 2}, {8, 8}} {
		for _, fill := range []string{"free", "empty", "full"} {
			pushWork, popWork := 0, 0
			switch fill {
			case "empty":
				pushWork = work
			case "full":
				popWork = work
			}
			for _, impl := range []string{"padded", "compact", "remap"} {
				opts := layoutOpts(impl)
				name := fmt.Sprintf("PxC=%dx%d/fill=%s/impl=%s", shape[0], shape[1], fill, impl)
				b.Run(name, func(b *testing.B) {
					q := New[int](handoffCap, opts...)
					ctx := context.Background()
					handoff(b, shape[0], shape[1], func() { _ = q.Push(ctx, 1) }, func() { _, _ = q.Pop(ctx) }, pushWork, popWork)
				})
			}
		}
	}
}

// --- 5. Burst: push 64 items, then pop them; one op is one item.

const burst = 64

func burstLF[T any](b *testing.B, batch bool, opts ...Option) {
	q := New[T](burst, opts...)
	buf := make([]T, burst)
	b.ReportAllocs()
	for i := 0; i < b.N; i += burst {
		if batch {
			q.TryPushBatch(buf)
			q.TryPopBatch(buf)
			continue
		}
		for j := range buf {
			q.TryPush(buf[j])
		}
		for j := range buf {
			buf[j], _ = q.TryPop()
		}
	}
}

func burstChan[T any](b *testing.B) {
	ch := make(chan T, burst)
	buf := make([]T, burst)
	b.ReportAllocs()
	for i := 0; i < b.N; i += burst {
		for j := range buf {
			ch <- buf[j]
		}
		for j := range buf {
			buf[j] = <-ch
		}
	}
}

func burstMutex[T any](b *testing.B, batch bool) {
	r := peers.NewMutexRing[T](burst)
	buf := make([]T, burst)
	b.ReportAllocs()
	for i := 0; i < b.N; i += burst {
		if batch {
			r.TryPushBatch(buf)
			r.TryPopBatch(buf)
			continue
		}
		for j := range buf {
			r.TryPush(buf[j])
		}
		for j := range buf {
			buf[j], _ = r.TryPop()
		}
	}
}

func BenchmarkBurst64(b *testing.B) {
	b.Run("T=int/impl=lfqueue", func(b *testing.B) { burstLF[int](b, false) })
	b.Run("T=int/impl=lfqueue-batch", func(b *testing.B) { burstLF[int](b, true) })
	b.Run("T=int/impl=remap-batch", func(b *testing.B) { burstLF[int](b, true, Remap()) })
	b.Run("T=int/impl=chan", func(b *testing.B) { burstChan[int](b) })
	b.Run("T=int/impl=mutex", func(b *testing.B) { burstMutex[int](b, false) })
	b.Run("T=int/impl=mutex-batch", func(b *testing.B) { burstMutex[int](b, true) })
	b.Run("T=e64/impl=lfqueue", func(b *testing.B) { burstLF[elem64](b, false) })
	b.Run("T=e64/impl=lfqueue-batch", func(b *testing.B) { burstLF[elem64](b, true) })
	b.Run("T=e64/impl=remap-batch", func(b *testing.B) { burstLF[elem64](b, true, Remap()) })
	b.Run("T=e64/impl=chan", func(b *testing.B) { burstChan[elem64](b) })
	b.Run("T=e64/impl=mutex", func(b *testing.B) { burstMutex[elem64](b, false) })
	b.Run("T=e64/impl=mutex-batch", func(b *testing.B) { burstMutex[elem64](b, true) })
}
