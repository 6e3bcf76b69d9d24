package atomicx

import "testing"

// BenchmarkFloatAdd is Float.Add under b.RunParallel (a CAS loop on one
// shared word); run with -cpu=1,2.
func BenchmarkFloatAdd(b *testing.B) {
	var f Float[float64]
	runParallel(b, func(pb *testing.PB) {
		for pb.Next() {
			f.Add(1)
		}
	})
}
