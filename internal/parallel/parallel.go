// Package parallel runs a benchmark's body on several goroutines at once,
// each with a fixed share of b.N, for contended benchmarks whose result must
// not depend on the benchmark harness.
//
// testing.B.RunParallel hands out iterations from one shared atomic counter,
// grain iterations at a time, and sizes grain from the previous run's time
// per iteration. Under -benchtime=Nx the previous run is the single-iteration
// warm-up, whose time is mostly goroutine start-up, so grain comes out at a
// handful of iterations: every goroutine then adds to that shared counter
// every few iterations, a contended atomic add of the harness's own on top of
// the one being measured, and the size of that overhead changes from one
// sub-benchmark to the next with the warm-up's timing. Run gives each
// goroutine its share up front, so the only shared memory the goroutines
// write is what the body writes.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// Run runs body on par×GOMAXPROCS goroutines at once (par < 1 counts as 1),
// the way b.RunParallel with b.SetParallelism(par) does, and times them from
// their common start to the end of the last. Each goroutine calls body once
// with n, its share of b.N (the shares differ by at most one and sum to
// b.N); body runs its n iterations in a loop of its own. Per-goroutine setup
// done in body before that loop is timed, so keep it small.
//
// The goroutines wait for the start by spinning on a flag, without yielding
// or parking, so that when it is set every P is already running one of them
// and they start together. Goroutines that parked (or yielded) instead could
// leave the other Ps idle, with their threads asleep in the OS; the start
// would then run them on one P until the others woke, and a short contended
// run would be timed with its goroutines taking turns. While the spinners
// hold every P, the rest of the goroutines (and the caller) run as the
// scheduler preempts them, so the setup, which is not timed, can take a few
// scheduler time slices.
//
// Run resets and starts the timer just before the start and stops it after
// the end; the caller reports metrics after Run returns.
func Run(b *testing.B, par int, body func(n int)) {
	g := max(par, 1) * runtime.GOMAXPROCS(0)
	var start atomic.Bool
	var ready, done sync.WaitGroup
	ready.Add(g)
	done.Add(g)
	for i := range g {
		n := Share(b.N, g, i)
		go func() {
			defer done.Done()
			ready.Done()
			for !start.Load() {
			}
			body(n)
		}()
	}
	ready.Wait()
	b.ResetTimer()
	b.StartTimer() // in case the caller had stopped it
	start.Store(true)
	done.Wait()
	b.StopTimer()
}

// Share is goroutine i's share (0 ≤ i < g) of total iterations split over g
// goroutines: total/g, plus one for the first total%g goroutines, so that
// the shares differ by at most one and sum to total. Benchmarks that start
// their own goroutines (producers and consumers of a handoff) split b.N
// with it.
func Share(total, g, i int) int {
	n := total / g
	if i < total%g {
		n++
	}
	return n
}
