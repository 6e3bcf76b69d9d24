package parallel_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/lfkit/lfkit/internal/parallel"
)

// Each goroutine runs its own share of b.N in a plain loop.
func ExampleRun() {
	var n atomic.Int64
	ok := true
	testing.Benchmark(func(b *testing.B) {
		n.Store(0)
		parallel.Run(b, 1, func(iters int) {
			for range iters {
				n.Add(1)
			}
		})
		ok = ok && n.Load() == int64(b.N)
	})
	fmt.Println("every iteration ran once:", ok)
	// Output: every iteration ran once: true
}
