package atomicx

import (
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

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
	b.Run("impl=atomicx.Max/cell=Int[int64]", func(b *testing.B) {
		var c Int[int64]
		var s int64
		i := 0
		for b.Loop() {
			s += Max(&c, in[i&4095])
			i++
		}
		sinkInt64 = s
	})
	b.Run("impl=atomicx.Max/cell=Float[float64]", func(b *testing.B) {
		var c Float[float64]
		var s float64
		i := 0
		for b.Loop() {
			s += Max(&c, float64(in[i&4095]))
			i++
		}
		sinkInt64 = int64(s)
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
