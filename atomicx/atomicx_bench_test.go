package atomicx

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/lfkit/lfkit/internal/regime"
	"github.com/lfkit/lfkit/internal/stripe"
)

var sinkInt64 int64

// runParallel is b.RunParallel(body) with the placement regime recorded
// (internal/regime: the "rt-ns" and "cpu/wall" metrics), so that contended
// samples from different regimes are not compared.
func runParallel(b *testing.B, body func(*testing.PB)) {
	s := regime.Begin()
	b.ResetTimer()
	b.RunParallel(body)
	b.StopTimer()
	s.Report(b)
}

// paddedInt64 is one goroutine's private counter on its own range.
type paddedInt64 struct {
	n atomic.Int64
	_ [padSize - 8]byte
}

// topStripeShare is the largest stripe's share of c's count: about 1/g when
// g adding goroutines each kept a stripe of its own, 1 when they all shared
// one.
func topStripeShare(c *Counter) float64 {
	s := c.stripes()
	var top, sum int64
	for i := uint64(0); i < 1<<s.bits; i++ {
		v := s.at(i).n.Load()
		top, sum = max(top, v), sum+v
	}
	return float64(top) / float64(sum)
}

// BenchmarkCounterAdd compares Counter against a shared atomic.Int64 and a
// per-goroutine padded counter (the floor) under b.RunParallel; run with
// -cpu=1,2. Compare ratios within one process run only: at -cpu=2 a sample
// depends on the placement regime (rt-ns, cpu/wall). Counter runs twice:
// start=hashed as a new Counter places goroutines (a random hash, which may
// put two on one stripe), start=collided with every goroutine forced onto
// one stripe at the start, which the Counter must notice and undo. Look at
// the spread over several separate process runs, not at one; the
// top-stripe-share metric (the largest stripe's share of the adds) is about
// 1/GOMAXPROCS when every goroutine ended up with a stripe of its own and 1
// when all shared one throughout.
func BenchmarkCounterAdd(b *testing.B) {
	b.Run("impl=atomic.Int64", func(b *testing.B) {
		var n atomic.Int64
		runParallel(b, func(pb *testing.PB) {
			for pb.Next() {
				n.Add(1)
			}
		})
	})
	b.Run("impl=Counter/start=hashed", func(b *testing.B) {
		var c Counter
		c.Inc()
		runtime.GC()
		b.ReportAllocs()
		runParallel(b, func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
		b.ReportMetric(topStripeShare(&c), "top-stripe-share")
	})
	b.Run("impl=Counter/start=collided", func(b *testing.B) {
		// Multiplier 1 maps every stack key to stripe 0: the goroutines
		// start on one stripe, and the Counter must notice and part them.
		var c Counter
		c.Inc()
		c.stripes().mult.Store(1)
		runtime.GC()
		b.ReportAllocs()
		runParallel(b, func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
		b.ReportMetric(topStripeShare(&c), "top-stripe-share")
	})
	b.Run("impl=Counter.Handle", func(b *testing.B) {
		var c Counter
		b.ReportAllocs()
		runParallel(b, func(pb *testing.PB) {
			h := c.Handle()
			for pb.Next() {
				h.Add(1)
			}
		})
	})
	b.Run("impl=per-goroutine-padded", func(b *testing.B) {
		cells := make([]paddedInt64, 2*runtime.GOMAXPROCS(0)+1)
		var next atomic.Int64
		runParallel(b, func(pb *testing.PB) {
			cell := &cells[next.Add(1)%int64(len(cells))].n
			for pb.Next() {
				cell.Add(1)
			}
		})
	})
}

// BenchmarkCounterAddAlone is Add from one goroutine in a plain loop: the
// uncontended path, free of RunParallel's and the regime probe's overhead
// (for callgrind's instruction counts as much as for ns/op).
func BenchmarkCounterAddAlone(b *testing.B) {
	b.Run("impl=atomic.Int64", func(b *testing.B) {
		var n atomic.Int64
		for b.Loop() {
			n.Add(1)
		}
	})
	b.Run("impl=Counter/keys=one", func(b *testing.B) {
		var c Counter
		b.ReportAllocs()
		for b.Loop() {
			c.Add(1)
		}
	})
	// Sixteen stack keys in turn, as if many goroutines took turns adding:
	// stripes change hands on nearly every Add, the Counter's worst case.
	b.Run("impl=Counter/keys=rotating", func(b *testing.B) {
		var c Counter
		base := stripe.Key()
		i := uint64(0)
		for b.Loop() {
			c.add(1, base+i&15)
			i++
		}
	})
}

func BenchmarkCounterLoad(b *testing.B) {
	var c Counter
	c.Inc()
	var s int64
	for b.Loop() {
		s += c.Load()
	}
	sinkInt64 = s
}

func BenchmarkCounterDrain(b *testing.B) {
	var c Counter
	var s int64
	for b.Loop() {
		c.Inc()
		s += c.Drain()
	}
	sinkInt64 = s
}
