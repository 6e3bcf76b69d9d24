package lfmetrics

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/fixture"
	"github.com/lfkit/lfkit/internal/parallel"
	"github.com/lfkit/lfkit/internal/regime"
)

// Peers are measured in the same run: a shared sync/atomic counter is the
// baseline the striped counters must beat under contention.
//
// Every contended benchmark (GOMAXPROCS goroutines adding, or a writer goroutine beside the
// measured reader) reports its placement regime with internal/regime:
// rt-ns, a cache-line round trip probed just before the sample, and
// cpu/wall, the process CPU time per wall time across it (≈ 2 when both
// vCPUs ran the sample together, ≈ 1 when they took turns). Compare
// contended samples only within one regime.

// runParallel runs body on GOMAXPROCS goroutines, each with its share of b.N
// in a plain loop (internal/parallel: no iteration counter shared by the
// goroutines, as b.RunParallel has), and reports the regime.
func runParallel(b *testing.B, body func(n int)) {
	b.ReportAllocs()
	s := regime.Begin()
	parallel.Run(b, 1, body)
	s.Report(b)
}

// durations are latencies spread over many buckets, as real ones are.
var durations = fixture.Spread()

func BenchmarkRecordIngest(b *testing.B) {
	var m Metrics
	b.ReportAllocs()
	for b.Loop() {
		m.RecordIngest()
	}
}

func BenchmarkAtomicInt64Add(b *testing.B) {
	var n atomic.Int64
	b.ReportAllocs()
	for b.Loop() {
		n.Add(1)
	}
}

func BenchmarkRecordIngestParallel(b *testing.B) {
	var m Metrics
	m.RecordIngest()
	runParallel(b, func(n int) {
		for range n {
			m.RecordIngest()
		}
	})
}

func BenchmarkAtomicInt64AddParallel(b *testing.B) {
	var n atomic.Int64
	runParallel(b, func(iters int) {
		for range iters {
			n.Add(1)
		}
	})
}

func BenchmarkRecordIngestBatch(b *testing.B) {
	var m Metrics
	b.ReportAllocs()
	for b.Loop() {
		m.RecordIngestBatch(16)
	}
}

func BenchmarkRecordIngestBatchParallel(b *testing.B) {
	var m Metrics
	m.RecordIngestBatch(16)
	runParallel(b, func(n int) {
		for range n {
			m.RecordIngestBatch(16)
		}
	})
}

func BenchmarkLatencyRecord(b *testing.B) {
	var l Latency
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Record(durations[i&(fixture.SpreadLen-1)])
		i++
	}
}

func BenchmarkLatencyRecordParallel(b *testing.B) {
	var l Latency
	l.Record(0)
	runParallel(b, func(n int) {
		i := rand.IntN(fixture.SpreadLen)
		for range n {
			l.Record(durations[i&(fixture.SpreadLen-1)])
			i++
		}
	})
}

func BenchmarkRecordQuery(b *testing.B) {
	var m Metrics
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.RecordQuery(durations[i&(fixture.SpreadLen-1)])
		i++
	}
}

func BenchmarkRecordQueryParallel(b *testing.B) {
	var m Metrics
	m.RecordQuery(0)
	runParallel(b, func(n int) {
		i := rand.IntN(fixture.SpreadLen)
		for range n {
			m.RecordQuery(durations[i&(fixture.SpreadLen-1)])
			i++
		}
	})
}

// busyMetrics returns a Metrics that a goroutine keeps recording queries
// and events into, and a func that stops it. At -cpu=2 the writer runs on
// the other core, so each Snapshot drains what it wrote meanwhile.
func busyMetrics() (*Metrics, func()) {
	m := New()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			if i&63 == 0 {
				select {
				case <-stop:
					return
				default:
				}
			}
			m.RecordQuery(durations[i&(fixture.SpreadLen-1)])
			m.RecordIngest()
		}
	}()
	// Let every bucket of the spread fill in.
	for m.Snapshot().Query.Count < 100000 {
		time.Sleep(time.Millisecond)
	}
	return m, func() { close(stop); wg.Wait() }
}

// BenchmarkSnapshotBusy: Snapshot of a Metrics that a writer goroutine
// records into all the while.
//
// Besides the mean (ns/op) it reports the median and p99 of single
// Snapshot calls, timed with a Latency: the mean is pulled up by the
// Snapshots that waited for a writer whose thread was descheduled in the
// middle of a record.
func BenchmarkSnapshotBusy(b *testing.B) {
	m, stop := busyMetrics()
	defer stop()
	var took Latency
	b.ReportAllocs()
	rs := regime.Begin()
	for b.Loop() {
		t0 := time.Now()
		_ = m.Snapshot()
		took.Record(time.Since(t0))
	}
	rs.Report(b)
	s := took.Snapshot()
	b.ReportMetric(float64(s.Quantile(0.5)), "p50-ns")
	b.ReportMetric(float64(s.Quantile(0.99)), "p99-ns")
}

// BenchmarkResetBusy: Reset of a Metrics that a writer goroutine records
// into all the while.
func BenchmarkResetBusy(b *testing.B) {
	m, stop := busyMetrics()
	defer stop()
	b.ReportAllocs()
	rs := regime.Begin()
	for b.Loop() {
		_ = m.Reset()
	}
	rs.Report(b)
}

// BenchmarkSnapshotIdle: Snapshot of a Metrics holding 100k queries over
// the whole spread, with no writer running: the reader's own cost.
func BenchmarkSnapshotIdle(b *testing.B) {
	m := New()
	for i := range 100000 {
		m.RecordQuery(durations[i&(fixture.SpreadLen-1)])
		m.RecordIngest()
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Snapshot()
	}
}
