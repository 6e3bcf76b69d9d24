package peerbench

import (
	"runtime"
	"testing"
)

// BenchmarkScaleHandoff is the handoff workload of the scaling sweep
// (scaling.sh): at GOMAXPROCS n (set by -cpu), n producers pass b.N int
// items to n consumers through the blocking forms of one queue of capacity
// 1024; ns/op is per item, so items/s = 1e9 / ns/op. One queue is one
// serialization point: its curve shows how well it holds up as cores are
// added, not a sum of independent queues.
func BenchmarkScaleHandoff(b *testing.B) {
	n := runtime.GOMAXPROCS(0)
	handoff(b, mpmcImpls[int](), n, n)
}

// The counter workload of the sweep is BenchmarkCounter: b.RunParallel
// runs GOMAXPROCS goroutines, each incrementing the one counter.
