package atomicx

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/lfkit/lfkit/internal/parallel"
	"github.com/lfkit/lfkit/internal/regime"
)

var sinkInt64 int64

// runParallel runs body on par×GOMAXPROCS goroutines, each with its share
// of b.N (internal/parallel: unlike b.RunParallel, no iteration counter
// shared by the goroutines, which under -benchtime=Nx would add a contended
// atomic of the harness's own to every few iterations), with the placement
// regime recorded (internal/regime: the "rt-ns" and "cpu/wall" metrics), so
// that contended samples from different regimes are not compared.
func runParallel(b *testing.B, par int, body func(n int)) {
	s := regime.Begin()
	parallel.Run(b, par, body)
	s.Report(b)
}

// paddedInt64 is one goroutine's private counter on its own range.
type paddedInt64 struct {
	n atomic.Int64
	_ [padSize - 8]byte
}

// topStripeShare is the largest word's share of c's count (the base word
// or a stripe): about 1/g when g adding goroutines each kept a stripe of
// their own, 1 when they all shared one word.
func topStripeShare(c *Counter) float64 {
	top, sum := c.base.n.Load(), c.base.n.Load()
	if s := c.s.Load(); s != nil {
		for i := uint64(0); i < 1<<s.bits; i++ {
			v := s.at(i).n.Load()
			top, sum = max(top, v), sum+v
		}
	}
	return float64(top) / float64(sum)
}

// counterRun runs add under runParallel with c's events counted, and
// reports them with top-stripe-share and striped (1 if c had striped by the
// end).
func counterRun(b *testing.B, c *Counter, par int, add func(n int)) {
	var e counterEvents
	counterTrace.Store(&e)
	defer counterTrace.Store(nil)
	b.ReportAllocs()
	runParallel(b, par, add)
	b.ReportMetric(topStripeShare(c), "top-stripe-share")
	striped := 0.0
	if c.s.Load() != nil {
		striped = 1
	}
	b.ReportMetric(striped, "striped")
	b.ReportMetric(float64(e.handovers.Load()), "handovers")
	b.ReportMetric(float64(e.collisions.Load()), "collisions")
	b.ReportMetric(float64(e.rehashes.Load()), "rehashes")
}

// BenchmarkCounterAdd compares Counter against a shared atomic.Int64 and a
// per-goroutine padded counter (the floor), each goroutine adding in a
// plain loop of its share of b.N (runParallel), with GOMAXPROCS goroutines
// (par=1) and with 4×GOMAXPROCS (par=4, oversubscribed); run with -cpu=1,2.
// Any -benchtime works, -benchtime=3000000x included: no iteration counter
// is shared by the goroutines. Compare ratios within one process
// run only: at -cpu=2 a sample depends on the placement regime (rt-ns,
// cpu/wall), so look at the spread over several separate process runs, not
// at one. Counter runs three ways: start=new is a new Counter (a single
// word that stripes once it sees two goroutines adding at once);
// start=striped has striped already, under a random hash (which may put
// two goroutines on one stripe); start=collided has striped with every
// goroutine forced onto one stripe, which the Counter must notice and undo.
// The metrics say what happened: top-stripe-share is the largest word's
// share of the adds (about 1/goroutines when each had a stripe of its own,
// 1 when all shared one), striped whether the Counter striped, and
// handovers, collisions and rehashes count its sampled events.
func BenchmarkCounterAdd(b *testing.B) {
	for _, par := range []int{1, 4} {
		b.Run(fmt.Sprintf("par=%d", par), func(b *testing.B) {
			benchCounterAdd(b, par)
		})
	}
}

func benchCounterAdd(b *testing.B, par int) {
	b.Run("impl=atomic.Int64", func(b *testing.B) {
		var n atomic.Int64
		runParallel(b, par, func(iters int) {
			for range iters {
				n.Add(1)
			}
		})
	})
	for _, start := range []string{"new", "striped", "collided"} {
		b.Run("impl=Counter/start="+start, func(b *testing.B) {
			var c Counter
			switch start {
			case "striped":
				c.stripes()
			case "collided":
				// Multiplier 1 maps every stack key to stripe 0.
				c.stripes()
				c.mult.Store(1)
			}
			runtime.GC()
			counterRun(b, &c, par, func(iters int) {
				for range iters {
					c.Add(1)
				}
			})
		})
	}
	b.Run("impl=Counter.Handle", func(b *testing.B) {
		var c Counter
		b.ReportAllocs()
		runParallel(b, par, func(iters int) {
			h := c.Handle()
			for range iters {
				h.Add(1)
			}
		})
	})
	b.Run("impl=per-goroutine-padded", func(b *testing.B) {
		cells := make([]paddedInt64, 2*par*runtime.GOMAXPROCS(0)+1)
		var next atomic.Int64
		runParallel(b, par, func(iters int) {
			cell := &cells[next.Add(1)%int64(len(cells))].n
			for range iters {
				cell.Add(1)
			}
		})
	})
}

// BenchmarkCounterAddAlone is Add from one goroutine in a plain loop: the
// uncontended path, free of the goroutine start-up and the regime probe
// (for callgrind's instruction counts as much as for ns/op), on a new
// Counter (which stays one word) and on one that has striped.
func BenchmarkCounterAddAlone(b *testing.B) {
	b.Run("impl=atomic.Int64", func(b *testing.B) {
		var n atomic.Int64
		for b.Loop() {
			n.Add(1)
		}
	})
	for _, start := range []string{"new", "striped"} {
		b.Run("impl=Counter/start="+start, func(b *testing.B) {
			var c Counter
			if start == "striped" {
				c.stripes()
			}
			b.ReportAllocs()
			for b.Loop() {
				c.Add(1)
			}
		})
	}
	b.Run("impl=Counter.Handle", func(b *testing.B) {
		var c Counter
		h := c.Handle()
		for b.Loop() {
			h.Add(1)
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
