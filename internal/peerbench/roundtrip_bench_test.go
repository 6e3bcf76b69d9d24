package peerbench

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/lfkit/lfkit/internal/regime"
)

// BenchmarkRoundTrip is the placement probe (see README.md beside this file):
// two goroutines pass a token back and forth through one atomic word, so
// at -cpu=2 ns/op is one cache-line round trip between the two cores the
// host gave us (about 90 ns when the two vCPUs are close, about 400 ns when
// far). Read the contended figures of the same run against it. At -cpu=1
// the goroutines take turns on one core (a goroutine switch per hop). On
// an overloaded host a descheduled peer shows as a huge median: the other
// figures of that run are then unreliable too.
func BenchmarkRoundTrip(b *testing.B) {
	b.Run("impl=atomic", func(b *testing.B) {
		var word atomic.Int64
		oneP := runtime.GOMAXPROCS(0) == 1
		wait := func(v int64) {
			// Spin; yield now and then, so that a peer descheduled by
			// the host (or sharing our one P) gets to run.
			for spins := 1; word.Load() != v; spins++ {
				if oneP || spins%1024 == 0 {
					runtime.Gosched()
				}
			}
		}
		done := make(chan struct{})
		n := int64(b.N)
		b.ReportAllocs()
		s := regime.Begin() // so each sample is filed under its regime, like the others
		b.ResetTimer()
		go func() {
			defer close(done)
			for i := range n {
				wait(2*i + 1)
				word.Store(2*i + 2)
			}
		}()
		for i := range n {
			word.Store(2*i + 1)
			wait(2*i + 2)
		}
		<-done
		b.StopTimer()
		s.Report(b)
	})
}
