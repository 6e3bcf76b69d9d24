package lfqueue

// Benchmarks of LockFree against Queue and a buffered channel, all of int,
// capacity 1024, in one file so that one `go test -bench` run interleaves
// them. Names: BenchmarkLF<Workload>/<impl>. Contended workloads report the
// regime (rt-ns, cpu/wall; see internal/regime): compare ratios only within
// one run and one regime.
//
//	for i in 1 2 3 4 5 6; do go test -run '^$' -bench '^BenchmarkLF' -benchmem -count 1 -cpu 2 ./lfqueue >> lf.txt; done
//
// The stall benchmark needs the stall hook: see lockfree_stall_bench_test.go
// (build tag lfkit_stall).

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/lfkit/lfkit/internal/parallel"
	"github.com/lfkit/lfkit/internal/regime"
)

const lockFreeBenchCap = 1024

// lockFreeBenchQueue is what these benchmarks drive.
type lockFreeBenchQueue interface {
	TryPush(v int) bool
	TryPop() (int, bool)
	Push(v int)
	Pop() int
}

type lockFreeBenchLockFree struct{ q *LockFree[int] }

func (a lockFreeBenchLockFree) TryPush(v int) bool  { return a.q.TryPush(v) }
func (a lockFreeBenchLockFree) TryPop() (int, bool) { return a.q.TryPop() }
func (a lockFreeBenchLockFree) Push(v int) {
	if err := a.q.Push(context.Background(), v); err != nil {
		panic(err)
	}
}
func (a lockFreeBenchLockFree) Pop() int {
	v, err := a.q.Pop(context.Background())
	if err != nil {
		panic(err)
	}
	return v
}

type lockFreeBenchQ struct{ q *Queue[int] }

func (a lockFreeBenchQ) TryPush(v int) bool  { return a.q.TryPush(v) }
func (a lockFreeBenchQ) TryPop() (int, bool) { return a.q.TryPop() }
func (a lockFreeBenchQ) Push(v int) {
	if err := a.q.Push(context.Background(), v); err != nil {
		panic(err)
	}
}
func (a lockFreeBenchQ) Pop() int {
	v, err := a.q.Pop(context.Background())
	if err != nil {
		panic(err)
	}
	return v
}

type lockFreeBenchChan struct{ c chan int }

func (a lockFreeBenchChan) TryPush(v int) bool {
	select {
	case a.c <- v:
		return true
	default:
		return false
	}
}
func (a lockFreeBenchChan) TryPop() (int, bool) {
	select {
	case v := <-a.c:
		return v, true
	default:
		return 0, false
	}
}
func (a lockFreeBenchChan) Push(v int) { a.c <- v }
func (a lockFreeBenchChan) Pop() int   { return <-a.c }

var lockFreeBenchImpls = []struct {
	name string
	mk   func() lockFreeBenchQueue
}{
	{"LockFree", func() lockFreeBenchQueue { return lockFreeBenchLockFree{NewLockFree[int](lockFreeBenchCap)} }},
	{"Queue", func() lockFreeBenchQueue { return lockFreeBenchQ{New[int](lockFreeBenchCap)} }},
	{"chan", func() lockFreeBenchQueue { return lockFreeBenchChan{make(chan int, lockFreeBenchCap)} }},
}

// BenchmarkLFPair: one goroutine, TryPush then TryPop (the uncontended cost
// of both operations). The direct calls (no interface) are what the target
// "LockFree pair <= 2x Queue pair" is read from.
func BenchmarkLFPair(b *testing.B) {
	b.Run("LockFree", func(b *testing.B) {
		q := NewLockFree[int](lockFreeBenchCap)
		for b.Loop() {
			q.TryPush(1)
			q.TryPop()
		}
	})
	b.Run("Queue", func(b *testing.B) {
		q := New[int](lockFreeBenchCap)
		for b.Loop() {
			q.TryPush(1)
			q.TryPop()
		}
	})
	b.Run("chan", func(b *testing.B) {
		c := make(chan int, lockFreeBenchCap)
		for b.Loop() {
			c <- 1
			<-c
		}
	})
}

// BenchmarkLFParallelPairs: GOMAXPROCS goroutines, each doing TryPush then
// TryPop in a loop of its share of b.N (internal/parallel); ns per pair.
func BenchmarkLFParallelPairs(b *testing.B) {
	for _, impl := range lockFreeBenchImpls {
		b.Run(impl.name, func(b *testing.B) {
			q := impl.mk()
			s := regime.Begin()
			parallel.Run(b, 1, func(n int) {
				for range n {
					q.TryPush(1)
					q.TryPop()
				}
			})
			s.Report(b)
		})
	}
}

// BenchmarkLFOversubscribed: 32 goroutines (at -cpu=2: 16 per P, so the
// runtime preempts them mid-call) doing TryPush+TryPop pairs; ns per pair.
func BenchmarkLFOversubscribed(b *testing.B) {
	for _, impl := range lockFreeBenchImpls {
		b.Run(impl.name, func(b *testing.B) {
			q := impl.mk()
			const G = 32
			s := regime.Begin()
			b.ResetTimer()
			var wg sync.WaitGroup
			for g := range G {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range parallel.Share(b.N, G, g) {
						for !q.TryPush(g) {
							runtime.Gosched()
						}
						for {
							if _, ok := q.TryPop(); ok {
								break
							}
							runtime.Gosched()
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			s.Report(b)
		})
	}
}

// lockFreeHandoff moves b.N items from P producers to C consumers with the
// blocking Push and Pop; ns per item.
func lockFreeHandoff(b *testing.B, q lockFreeBenchQueue, P, C int) {
	s := regime.Begin()
	b.ResetTimer()
	var wg sync.WaitGroup
	for p := range P {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range parallel.Share(b.N, P, p) {
				q.Push(i)
			}
		}()
	}
	for c := range C {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range parallel.Share(b.N, C, c) {
				q.Pop()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	s.Report(b)
}

// BenchmarkLFHandoff1x1 and 2x2: blocking handoff through capacity 1024,
// run at -cpu=2 for the target (<= 1.0x the channel).
func BenchmarkLFHandoff1x1(b *testing.B) {
	for _, impl := range lockFreeBenchImpls {
		b.Run(impl.name, func(b *testing.B) { lockFreeHandoff(b, impl.mk(), 1, 1) })
	}
}

func BenchmarkLFHandoff2x2(b *testing.B) {
	for _, impl := range lockFreeBenchImpls {
		b.Run(impl.name, func(b *testing.B) { lockFreeHandoff(b, impl.mk(), 2, 2) })
	}
}
