package lfprom

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lfkit/lfkit/internal/regime"
	"github.com/lfkit/lfkit/lfmetrics"
)

// client_golang's Histogram.Observe is the peer of Latency.Record, measured
// in the same run on the same durations (log-uniform, 1µs to ~16ms).
//
// The RunParallel benchmarks report their placement regime with
// internal/regime (rt-ns: a cache-line round trip probed before the
// sample; cpu/wall: process CPU time per wall time across it); compare
// contended samples only within one regime.

// parallel runs body with b.RunParallel and reports the regime.
func parallel(b *testing.B, body func(pb *testing.PB)) {
	b.ReportAllocs()
	s := regime.Begin()
	b.ResetTimer()
	b.RunParallel(body)
	b.StopTimer()
	s.Report(b)
}

var durations = func() [1024]time.Duration {
	var ds [1024]time.Duration
	r := rand.New(rand.NewPCG(1, 2))
	for i := range ds {
		ds[i] = time.Duration(1000 << r.IntN(14) * (100 + r.IntN(100)) / 100)
	}
	return ds
}()

func BenchmarkPeerHistogramObserve(b *testing.B) {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Buckets: DefaultBuckets})
	parallel(b, func(pb *testing.PB) {
		i := rand.IntN(1024)
		for pb.Next() {
			h.Observe(durations[i&1023].Seconds())
			i++
		}
	})
}

func BenchmarkLatencyRecord(b *testing.B) {
	var l lfmetrics.Latency
	l.Record(0)
	parallel(b, func(pb *testing.PB) {
		i := rand.IntN(1024)
		for pb.Next() {
			l.Record(durations[i&1023])
			i++
		}
	})
}

func BenchmarkRecordQuery(b *testing.B) {
	var m lfmetrics.Metrics
	m.RecordQuery(0)
	parallel(b, func(pb *testing.PB) {
		i := rand.IntN(1024)
		for pb.Next() {
			m.RecordQuery(durations[i&1023])
			i++
		}
	})
}

// BenchmarkCollect is one scrape's worth of work: Collect into a channel.
func BenchmarkCollect(b *testing.B) {
	var m lfmetrics.Metrics
	for i := range 100000 {
		m.RecordQuery(durations[i&1023])
		m.RecordIngest()
	}
	c := NewCollector(&m, "x")
	ch := make(chan prometheus.Metric, 8)
	b.ReportAllocs()
	for b.Loop() {
		c.Collect(ch)
		for range 4 {
			<-ch
		}
	}
}
