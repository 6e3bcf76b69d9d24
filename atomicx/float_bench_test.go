package atomicx

import "testing"

// BenchmarkFloatAdd is Float.Add on GOMAXPROCS goroutines (a CAS loop on one
// shared word); run with -cpu=1,2.
func BenchmarkFloatAdd(b *testing.B) {
	var f Float[float64]
	runParallel(b, 1, func(n int) {
		for range n {
			f.Add(1)
		}
	})
}
