package peerbench

import (
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/atomicx"
	"github.com/lfkit/lfkit/internal/regime"
	"github.com/lfkit/lfkit/lfmetrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/puzpuzpuz/xsync/v4"
)

// BenchmarkCounter: one increment per op, under b.RunParallel (so with
// -cpu=2, two goroutines increment the same counter).
func BenchmarkCounter(b *testing.B) { benchCounters(b, 1, true) }

// BenchmarkCounterOversubscribed is BenchmarkCounter's atomic, atomicx and
// xsync counters with 4 goroutines per P (b.SetParallelism(4): 8 goroutines
// at -cpu=2), as when more goroutines add than there are cores.
func BenchmarkCounterOversubscribed(b *testing.B) { benchCounters(b, 4, false) }

// benchCounters runs the counters with par goroutines per P; all adds the
// lfmetrics, mutex and client_golang counters. Each run of a sub-benchmark
// makes its counter anew (newG), so no run starts from another's state.
func benchCounters(b *testing.B, par int, all bool) {
	run := func(name string, newG func() func() func()) {
		b.Run("impl="+name, func(b *testing.B) {
			b.SetParallelism(par)
			parallel(b, newG())
		})
	}
	run("atomic-int64", func() func() func() {
		var c atomic.Int64
		return func() func() { return func() { c.Add(1) } }
	})
	run("atomicx-counter", func() func() func() {
		var c atomicx.Counter
		return func() func() { return func() { c.Add(1) } }
	})
	run("atomicx-handle", func() func() func() {
		var c atomicx.Counter
		return func() func() { h := c.Handle(); return func() { h.Add(1) } }
	})
	if all {
		run("lfmetrics-ingest", func() func() func() {
			var m lfmetrics.Metrics
			return func() func() { return m.RecordIngest }
		})
		run("mutex-int64", func() func() func() {
			var c mutexCounter
			return func() func() { return c.inc }
		})
	}
	run("xsync-counter", func() func() func() {
		c := xsync.NewCounter()
		return func() func() { return func() { c.Add(1) } }
	})
	if all {
		run("prom-counter", func() func() func() {
			c := prometheus.NewCounter(prometheus.CounterOpts{Name: "bench_total", Help: "bench"})
			return func() func() { return c.Inc }
		})
	}
}

// mutexCounter is the counter a program writes with a lock.
type mutexCounter struct {
	mu sync.Mutex
	n  int64
}

func (c *mutexCounter) inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// parallel runs the op that perG makes for each goroutine, once per
// iteration, under b.RunParallel.
func parallel(b *testing.B, perG func() func()) {
	b.ReportAllocs()
	s := regime.Begin()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		op := perG()
		for pb.Next() {
			op()
		}
	})
	b.StopTimer()
	s.Report(b)
}

// durations are the latencies recorded: log-uniform from 100 ns to 100 ms.
var durations = func() []time.Duration {
	r := rand.New(rand.NewPCG(1, 2))
	ds := make([]time.Duration, 1024)
	for i := range ds {
		ds[i] = time.Duration(math.Exp(math.Log(100) + r.Float64()*math.Log(1e6)))
	}
	return ds
}()

// BenchmarkLatency: one latency recorded per op, under b.RunParallel.
// client_golang's histogram has 24 exponential buckets from 1 µs (its
// linear-search range); lfmetrics' has its fixed log-linear layout.
func BenchmarkLatency(b *testing.B) {
	b.Run("impl=lfmetrics-latency", func(b *testing.B) {
		var l lfmetrics.Latency
		recordParallel(b, l.Record)
	})
	b.Run("impl=lfmetrics-query", func(b *testing.B) {
		var m lfmetrics.Metrics
		recordParallel(b, m.RecordQuery)
	})
	b.Run("impl=prom-histogram", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bench_seconds", Help: "bench",
			Buckets: prometheus.ExponentialBuckets(1e-6, 2, 24),
		})
		recordParallel(b, func(d time.Duration) { h.Observe(d.Seconds()) })
	})
}

func recordParallel(b *testing.B, record func(time.Duration)) {
	b.ReportAllocs()
	var seed atomic.Uint64
	s := regime.Begin()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := seed.Add(389) // each goroutine starts elsewhere in durations
		for pb.Next() {
			record(durations[i%uint64(len(durations))])
			i++
		}
	})
	b.StopTimer()
	s.Report(b)
}
