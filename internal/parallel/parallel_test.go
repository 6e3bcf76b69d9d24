package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestShare: the shares sum to the total and differ by at most one, for
// totals below, at and above the goroutine count.
func TestShare(t *testing.T) {
	for g := 1; g <= 9; g++ {
		for total := 0; total <= 3*g+2; total++ {
			sum, lo, hi := 0, total, 0
			for i := range g {
				k := Share(total, g, i)
				sum, lo, hi = sum+k, min(lo, k), max(hi, k)
			}
			if sum != total || hi-lo > 1 {
				t.Errorf("Share(%d, %d, ·): sum %d, spread %d..%d", total, g, sum, lo, hi)
			}
		}
	}
}

// TestRun: Run starts par×GOMAXPROCS goroutines that are all running at
// once (each waits in body for all the others, so a Run that ran them one
// after another would hang), and their shares add up to b.N.
func TestRun(t *testing.T) {
	for _, par := range []int{0, 1, 3} {
		g := max(par, 1) * runtime.GOMAXPROCS(0)
		var calls, iters atomic.Int64
		bad := false
		testing.Benchmark(func(b *testing.B) {
			calls.Store(0)
			iters.Store(0)
			var arrived sync.WaitGroup
			arrived.Add(g)
			Run(b, par, func(n int) {
				calls.Add(1)
				arrived.Done()
				arrived.Wait()
				iters.Add(int64(n))
			})
			if calls.Load() != int64(g) || iters.Load() != int64(b.N) {
				bad = true
			}
		})
		if bad {
			t.Errorf("par=%d: a run called body %d times (want %d) for %d iterations", par, calls.Load(), g, iters.Load())
		}
	}
}
