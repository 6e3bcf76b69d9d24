package lfprom

import (
	"math/rand/v2"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lfkit/lfkit/internal/fixture"
	"github.com/lfkit/lfkit/internal/regime"
	"github.com/lfkit/lfkit/lfmetrics"
)

// client_golang's Histogram.Observe is the peer of Latency.Record, measured
// in the same run on the same durations (fixture.Spread).
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

// durations are latencies spread over many buckets, as real ones are.
var durations = fixture.Spread()

func BenchmarkPeerHistogramObserve(b *testing.B) {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Buckets: DefaultBuckets})
	parallel(b, func(pb *testing.PB) {
		i := rand.IntN(fixture.SpreadLen)
		for pb.Next() {
			h.Observe(durations[i&(fixture.SpreadLen-1)].Seconds())
			i++
		}
	})
}

func BenchmarkLatencyRecord(b *testing.B) {
	var l lfmetrics.Latency
	l.Record(0)
	parallel(b, func(pb *testing.PB) {
		i := rand.IntN(fixture.SpreadLen)
		for pb.Next() {
			l.Record(durations[i&(fixture.SpreadLen-1)])
			i++
		}
	})
}

func BenchmarkRecordQuery(b *testing.B) {
	var m lfmetrics.Metrics
	m.RecordQuery(0)
	parallel(b, func(pb *testing.PB) {
		i := rand.IntN(fixture.SpreadLen)
		for pb.Next() {
			m.RecordQuery(durations[i&(fixture.SpreadLen-1)])
			i++
		}
	})
}

// BenchmarkCollect is one scrape's worth of work: Collect into a channel.
func BenchmarkCollect(b *testing.B) {
	var m lfmetrics.Metrics
	for i := range 100000 {
		m.RecordQuery(durations[i&(fixture.SpreadLen-1)])
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
