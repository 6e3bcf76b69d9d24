package lfmetrics_test

import (
	"expvar"
	"fmt"
	"time"

	"github.com/lfkit/lfkit/lfmetrics"
)

// An ingest loop with backpressure: events go into a bounded queue (a
// buffered channel stands in for one); when it is full the event is
// rejected and counted as such, apart from errors, instead of blocking the
// producer.
func Example() {
	var m lfmetrics.Metrics // the zero value is ready to use
	queue := make(chan int, 4)

	for event := range 10 {
		select {
		case queue <- event:
			m.RecordIngest()
		default: // full: shed load, as a service answers 503
			m.RecordReject()
		}
	}
	// A consumer drains the queue in one batch.
	batch := len(queue)
	for range batch {
		<-queue
	}
	m.RecordIngestBatch(batch) // e.g. forwarding the batch downstream

	s := m.Reset() // close the interval
	fmt.Println("ingested:", s.Ingested, "batches:", s.Batches, "rejected:", s.Rejected, "errors:", s.Errors)
	// Output: ingested: 8 batches: 1 rejected: 6 errors: 0
}

// Reading query latency quantiles. Time each query with the clock you
// already read, and record the duration.
func ExampleMetrics_QueryLatencyQuantile() {
	var m lfmetrics.Metrics
	for i := 1; i <= 1000; i++ {
		m.RecordQuery(time.Duration(i) * time.Microsecond) // 1µs … 1ms
	}
	p50, _ := m.QueryLatencyQuantile(0.50)
	p99, _ := m.QueryLatencyQuantile(0.99)
	maxLat, _ := m.MaxQueryLatency()
	// Quantiles are within 1/64 of the exact value; Min and Max are exact.
	fmt.Println("p50:", p50.Round(10*time.Microsecond))
	fmt.Println("p99:", p99.Round(10*time.Microsecond))
	fmt.Println("max:", maxLat)
	// Output:
	// p50: 500µs
	// p99: 990µs
	// max: 1ms
}

// Publishing a Metrics with expvar: *Metrics is an expvar.Var whose String
// is a JSON object, served at /debug/vars by expvar's HTTP handler.
func ExampleMetrics_String() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	m := lfmetrics.New(lfmetrics.WithClock(func() time.Time { return now }))
	if expvar.Get("ingest") == nil { // Publish panics on a reused name
		expvar.Publish("ingest", m)
	}
	m.RecordIngestBatch(3)
	m.RecordQuery(time.Millisecond)
	now = now.Add(2 * time.Second)

	fmt.Println(expvar.Get("ingest").String())
	// Output:
	// {"ingested":3,"batches":1,"rejected":0,"errors":0,"elapsed_seconds":2,"throughput":1.5,"reject_rate":0,"error_rate":0,"query":{"count":1,"sum_seconds":0.001,"mean_seconds":0.001,"min_seconds":0.001,"p50_seconds":0.001,"p90_seconds":0.001,"p99_seconds":0.001,"p999_seconds":0.001,"max_seconds":0.001}}
}

// Rates over a window come from two snapshots: no ticker runs inside.
func ExampleSnapshot_Sub() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	m := lfmetrics.New(lfmetrics.WithClock(func() time.Time { return now }))

	before := m.Snapshot()
	for range 500 {
		m.RecordIngest()
	}
	m.RecordError()
	now = now.Add(10 * time.Second)
	window := m.Snapshot().Sub(before)

	fmt.Printf("%.0f events/s, %.1f errors/s over %v\n", window.Throughput(), window.ErrorRate(), window.Elapsed)
	// Output: 50 events/s, 0.1 errors/s over 10s
}

// A Latency on its own, logged through its String form.
func ExampleLatency() {
	var l lfmetrics.Latency
	for _, d := range []time.Duration{3 * time.Millisecond, 5 * time.Millisecond, -1, 7 * time.Millisecond} {
		l.Record(d) // negative durations count as 0
	}
	s := l.Snapshot()
	fmt.Println(s.Count, s.Min, s.Max, s.Mean())
	// Output: 4 0s 7ms 3.75ms
}

// A queue-processing service measures two latencies with two Latency
// recorders: how long a job waited in the queue, and how long processing
// it took. Quantiles come with whether there is one: an interval in which
// nothing was recorded has none.
func ExampleLatencySnapshot_QuantileOK() {
	var wait, work lfmetrics.Latency
	for i := 1; i <= 100; i++ {
		wait.Record(time.Duration(i) * time.Millisecond) // dequeued − enqueued
		work.Record(2 * time.Millisecond)                // done − dequeued
	}
	for _, l := range []struct {
		name string
		s    lfmetrics.LatencySnapshot
	}{{"wait", wait.Reset()}, {"work", work.Reset()}, {"wait, next interval", wait.Snapshot()}} {
		if p99, ok := l.s.QuantileOK(0.99); ok {
			fmt.Println(l.name, "p99:", p99.Round(time.Millisecond))
		} else {
			fmt.Println(l.name, "p99: no data")
		}
	}
	// The exact p99 of the waits is 99ms; the estimate is within 1/64 of it.
	// Output:
	// wait p99: 100ms
	// work p99: 2ms
	// wait, next interval p99: no data
}
