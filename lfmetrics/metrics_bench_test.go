package lfmetrics

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Peers are measured in the same run: a shared sync/atomic counter is the
// baseline the striped counters must beat under contention.

// durations is a log-uniform spread from 1µs to about 16ms, so records
// touch many buckets as real latencies do.
var durations = func() [1024]time.Duration {
	var ds [1024]time.Duration
	r := rand.New(rand.NewPCG(1, 2))
	for i := range ds {
		ds[i] = time.Duration(1000 << r.IntN(14) * (100 + r.IntN(100)) / 100)
	}
	return ds
}()

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
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.RecordIngest()
		}
	})
}

func BenchmarkAtomicInt64AddParallel(b *testing.B) {
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
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

func BenchmarkLatencyRecord(b *testing.B) {
	var l Latency
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Record(durations[i&1023])
		i++
	}
}

func BenchmarkLatencyRecordParallel(b *testing.B) {
	var l Latency
	l.Record(0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(1024)
		for pb.Next() {
			l.Record(durations[i&1023])
			i++
		}
	})
}

func BenchmarkRecordQuery(b *testing.B) {
	var m Metrics
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.RecordQuery(durations[i&1023])
		i++
	}
}

func BenchmarkRecordQueryParallel(b *testing.B) {
	var m Metrics
	m.RecordQuery(0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(1024)
		for pb.Next() {
			m.RecordQuery(durations[i&1023])
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
			m.RecordQuery(durations[i&1023])
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
	for b.Loop() {
		t0 := time.Now()
		_ = m.Snapshot()
		took.Record(time.Since(t0))
	}
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
	for b.Loop() {
		_ = m.Reset()
	}
}

// BenchmarkSnapshotIdle: Snapshot of a Metrics holding 100k queries over
// the whole spread, with no writer running: the reader's own cost.
func BenchmarkSnapshotIdle(b *testing.B) {
	m := New()
	for i := range 100000 {
		m.RecordQuery(durations[i&1023])
		m.RecordIngest()
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Snapshot()
	}
}

// BenchmarkPingPong measures a cache-line round trip between two
// goroutines. At -cpu=2 it tells which placement of the two vCPUs a run
// got, near (~90 ns) or far (~400 ns), and whether the two goroutines ran
// at the same time at all (microseconds or more: they were time-sliced,
// and the contended figures of that run show no contention).
func BenchmarkPingPong(b *testing.B) {
	var turn atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := int64(1); ; i += 2 {
			for spins := 1; turn.Load() != i; spins++ {
				if turn.Load() < 0 {
					return
				}
				if spins%1024 == 0 {
					runtime.Gosched() // at -cpu=1 the peer needs our P
				}
			}
			turn.Store(i + 1)
		}
	}()
	i := int64(0)
	for b.Loop() {
		turn.Store(i + 1)
		for spins := 1; turn.Load() != i+2; spins++ {
			if spins%1024 == 0 {
				runtime.Gosched()
			}
		}
		i += 2
	}
	turn.Store(-1)
	<-done
}
