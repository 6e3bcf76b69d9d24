package atomicx

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
)

var sinkInt64 int64

func randomInputs() []int64 {
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]int64, 4096)
	for i := range v {
		v[i] = r.Int64()
	}
	return v
}

// handMax is the hand-written load-first CAS loop that Max must match.
func handMax(c *atomic.Int64, v int64) int64 {
	for {
		old := c.Load()
		if v <= old {
			return old
		}
		if c.CompareAndSwap(old, v) {
			return old
		}
	}
}

func BenchmarkMax(b *testing.B) {
	in := randomInputs()
	b.Run("impl=atomicx.Max/cell=atomic.Int64", func(b *testing.B) {
		var c atomic.Int64
		var s int64
		i := 0
		for b.Loop() {
			s += Max(&c, in[i&4095])
			i++
		}
		sinkInt64 = s
	})
	b.Run("impl=hand-written/cell=atomic.Int64", func(b *testing.B) {
		var c atomic.Int64
		var s int64
		i := 0
		for b.Loop() {
			s += handMax(&c, in[i&4095])
			i++
		}
		sinkInt64 = s
	})
	b.Run("impl=always-CAS/cell=atomic.Int64", func(b *testing.B) {
		var c atomic.Int64
		i := 0
		for b.Loop() {
			v := in[i&4095]
			for {
				old := c.Load()
				if c.CompareAndSwap(old, max(old, v)) {
					break
				}
			}
			i++
		}
	})
	b.Run("impl=Int.Max/cell=Int[int64]", func(b *testing.B) {
		var c Int[int64]
		var s int64
		i := 0
		for b.Loop() {
			s += c.Max(in[i&4095])
			i++
		}
		sinkInt64 = s
	})
	b.Run("impl=Float.Max/cell=Float[float64]", func(b *testing.B) {
		var c Float[float64]
		var s float64
		i := 0
		for b.Loop() {
			s += c.Max(float64(in[i&4095]))
			i++
		}
		sinkInt64 = int64(s)
	})
}

func BenchmarkFloatAdd(b *testing.B) {
	var f Float[float64]
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f.Add(1)
		}
	})
}

// paddedInt64 is one goroutine's private counter on its own range.
type paddedInt64 struct {
	n atomic.Int64
	_ [padSize - 8]byte
}

// BenchmarkCounterAdd compares Counter against a shared atomic.Int64 and a
// per-goroutine padded counter (the floor) under b.RunParallel; run with
// -cpu=1,2. The sub-benchmarks run interleaved in one process.
func BenchmarkCounterAdd(b *testing.B) {
	b.Run("impl=atomic.Int64", func(b *testing.B) {
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n.Add(1)
			}
		})
	})
	b.Run("impl=Counter", func(b *testing.B) {
		var c Counter
		c.Inc()
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
	b.Run("impl=Counter.Handle", func(b *testing.B) {
		var c Counter
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			h := c.Handle()
			for pb.Next() {
				h.Add(1)
			}
		})
	})
	b.Run("impl=per-goroutine-padded", func(b *testing.B) {
		cells := make([]paddedInt64, 2*runtime.GOMAXPROCS(0)+1)
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			cell := &cells[next.Add(1)%int64(len(cells))].n
			for pb.Next() {
				cell.Add(1)
			}
		})
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
