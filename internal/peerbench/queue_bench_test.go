package peerbench

import (
	"sync"
	"testing"

	"github.com/lfkit/lfkit/internal/regime"
	"github.com/lfkit/lfkit/lfqueue"
)

// capacity is the capacity of every queue in the benchmarks: a power of
// two, so xsync's MPMCQueue (which rounds up) holds exactly as much.
const capacity = 1024

// batch is the batch size of the burst workload's batch forms.
const batch = 64

// impl names a queue implementation and builds one.
type impl[T any] struct {
	name string
	make func() Queue[T]
}

// mpmcImpls are the implementations safe for many producers and consumers:
// the registry of every multi-producer workload (and of TestFIFO,
// TestHandoff and TestZeroAllocs). A new queue is one entry here.
func mpmcImpls[T any]() []impl[T] {
	return []impl[T]{
		{"lfqueue", func() Queue[T] { return NewLFQueue[T](capacity) }},
		{"lfqueue-remap", func() Queue[T] { return NewLFQueue[T](capacity, lfqueue.Remap()) }},
		{"lfqueue-lockfree", func() Queue[T] { return NewLFLockFree[T](capacity) }},
		{"xsync-mpmc", func() Queue[T] { return NewXsyncMPMC[T](capacity) }},
		{"chan", func() Queue[T] { return NewChan[T](capacity) }},
		{"mutexring", func() Queue[T] { return NewMutexRing[T](capacity) }},
	}
}

// spscImpls adds xsync's SPSCQueue, for one producer and one consumer.
func spscImpls[T any]() []impl[T] {
	return append(mpmcImpls[T](), impl[T]{"xsync-spsc", func() Queue[T] { return NewXsyncSPSC[T](capacity) }})
}

// forElems runs bench for int and Big elements.
func forElems(b *testing.B, intBench func(*testing.B), bigBench func(*testing.B)) {
	b.Run("elem=int", intBench)
	b.Run("elem=64B", bigBench)
}

func BenchmarkPair(b *testing.B) {
	forElems(b, pair[int], pair[Big])
}

func pair[T any](b *testing.B) {
	for _, im := range spscImpls[T]() {
		b.Run("impl="+im.name, func(b *testing.B) {
			q := im.make()
			var v T
			b.ReportAllocs()
			for b.Loop() {
				// One goroutine: no CAS is ever lost, so no try may fail.
				if !q.TryPush(v) {
					b.Fatal("TryPush failed on an empty queue")
				}
				if _, ok := q.TryPop(); !ok {
					b.Fatal("TryPop failed on a queue of one")
				}
			}
		})
	}
}

func BenchmarkParallelPairs(b *testing.B) {
	forElems(b, parallelPairs[int], parallelPairs[Big])
}

// parallelPairs: every goroutine pushes one item and pops one. Each
// goroutine's pop follows its own push, so the queue is never empty when a
// pop starts; a failed try (xsync's spurious ones) is retried.
func parallelPairs[T any](b *testing.B) {
	for _, im := range mpmcImpls[T]() {
		b.Run("impl="+im.name, func(b *testing.B) {
			q := im.make()
			b.ReportAllocs()
			s := regime.Begin()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var v T
				for pb.Next() {
					for !q.TryPush(v) {
					}
					for {
						if _, ok := q.TryPop(); ok {
							break
						}
					}
				}
			})
			b.StopTimer()
			s.Report(b)
		})
	}
}

func BenchmarkSPSC(b *testing.B) {
	forElems(b, func(b *testing.B) { handoff(b, spscImpls[int](), 1, 1) },
		func(b *testing.B) { handoff(b, spscImpls[Big](), 1, 1) })
}

func BenchmarkMPMC(b *testing.B) {
	forElems(b, func(b *testing.B) { handoff(b, mpmcImpls[int](), 2, 2) },
		func(b *testing.B) { handoff(b, mpmcImpls[Big](), 2, 2) })
}

// BenchmarkMPMC8x8 is the original system's shape: 8 producers and 8
// consumers (oversubscribed on a 2-core machine).
func BenchmarkMPMC8x8(b *testing.B) {
	b.Run("elem=int", func(b *testing.B) { handoff(b, mpmcImpls[int](), 8, 8) })
}

// handoff passes b.N items from p producer goroutines to c consumer
// goroutines through the blocking forms; ns/op is per item. Each goroutine
// moves a share fixed in advance: no bookkeeping is shared between them
// (a shared "items left" counter once made lfqueue look 2.3× slower).
func handoff[T any](b *testing.B, impls []impl[T], p, c int) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			q := im.make()
			b.ReportAllocs()
			s := regime.Begin()
			b.ResetTimer()
			var wg sync.WaitGroup
			share := func(i, n int) int { // items for worker i of n
				k := b.N / n
				if i < b.N%n {
					k++
				}
				return k
			}
			for i := range c {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range share(i, c) {
						q.Pop()
					}
				}()
			}
			for i := range p {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var v T
					for range share(i, p) {
						q.Push(v)
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			s.Report(b)
		})
	}
}

func BenchmarkBurst(b *testing.B) {
	forElems(b, burst[int], burst[Big])
}

// burst fills the queue to capacity, then drains it, in one goroutine;
// ns/op is per item. The -batch implementations move batch items per call.
func burst[T any](b *testing.B) {
	for _, im := range spscImpls[T]() {
		b.Run("impl="+im.name, func(b *testing.B) {
			q := im.make()
			var v T
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n += capacity {
				k := min(capacity, b.N-n)
				// One goroutine: no CAS is ever lost, so no try may fail.
				for range k {
					if !q.TryPush(v) {
						b.Fatal("TryPush failed on a queue that is not full")
					}
				}
				for range k {
					if _, ok := q.TryPop(); !ok {
						b.Fatal("TryPop failed on a queue that is not empty")
					}
				}
			}
		})
	}
	for _, im := range []struct {
		name string
		make func() BatchQueue[T]
	}{
		{"lfqueue-batch", func() BatchQueue[T] { return NewLFQueue[T](capacity) }},
		{"lfqueue-remap-batch", func() BatchQueue[T] { return NewLFQueue[T](capacity, lfqueue.Remap()) }},
		{"mutexring-batch", func() BatchQueue[T] { return NewMutexRing[T](capacity) }},
	} {
		b.Run("impl="+im.name, func(b *testing.B) {
			q := im.make()
			buf := make([]T, batch)
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n += capacity {
				k := min(capacity, b.N-n)
				for pushed := 0; pushed < k; {
					n := q.TryPushBatch(buf[:min(batch, k-pushed)])
					if n == 0 {
						b.Fatal("TryPushBatch moved nothing into a queue that is not full")
					}
					pushed += n
				}
				for popped := 0; popped < k; {
					n := q.TryPopBatch(buf[:min(batch, k-popped)])
					if n == 0 {
						b.Fatal("TryPopBatch moved nothing from a queue that is not empty")
					}
					popped += n
				}
			}
		})
	}
}
