// Package lfmetrics records the metrics of an ingestion pipeline — event,
// batch, rejection and error counts and latencies — from every core without
// contention, reads them without stopping the writers, and closes
// intervals without losing an event. Its atomic words are package
// atomicx's cells.
//
// # Overview
//
// Metrics is the composite: RecordIngest, RecordIngestBatch,
// RecordReject, RecordError and RecordQuery on the hot path; Snapshot,
// Reset, Total, Throughput and the query latency accessors to read.
// Latency is its latency recorder, usable alone, as many times as an
// application has latencies to measure (a service's queue wait and its
// processing time, say). Both are ready to use as zero values:
//
//	var m lfmetrics.Metrics
//	var wait lfmetrics.Latency
//	if q.TryPush(job) {
//		m.RecordIngest()
//	} else {
//		m.RecordReject() // full: backpressure, such as an HTTP 503
//	}
//	m.RecordQuery(time.Since(start)) // durations, not clocks
//	wait.Record(queued)
//	p99, ok := m.QueryLatencyQuantile(0.99)
//	p99wait, ok := wait.Snapshot().QuantileOK(0.99)
//	interval := m.Reset() // a Snapshot: counts, latencies, Elapsed
//
// Every quantile accessor returns the quantile and whether there is one
// (false when no duration was recorded), so that "no data" is told apart
// from durations of 0; LatencySnapshot.Quantile is the value-only form
// for summaries.
//
// Snapshots are plain values (Snapshot, LatencySnapshot) with String,
// slog.LogValuer and, between two of them, Sub for deltas and rates;
// *Metrics is an expvar.Var. No goroutine or ticker runs in the
// background, and the clock is read only by the readers: rates come from
// Elapsed or from two snapshots. The lfprom module exports a Metrics, a
// Latency and the fill state of a queue to Prometheus, under the names the
// application chooses.
//
// # Intervals
//
// Snapshot reports the current interval, which starts at the first use
// (or at New) and at every Reset; Reset closes it and returns it; Total
// reports everything since the first use and is unaffected by Reset.
// Every recorded event lands in exactly one interval, even while Reset
// runs concurrently with writers, and each reported interval is
// consistent: a LatencySnapshot's Count equals the sum of its bucket
// counts, and Min ≤ Mean ≤ Max.
//
// # Latency histogram and its error bound
//
// Latencies are bucketed over integer nanoseconds in HdrHistogram's
// log-linear layout: each power of two is split into 32 equal buckets
// (the bucket index comes from bits.Len64), values below 64 nanoseconds get a
// bucket each. A bucket is at most RelativeError = 1/32 of its lower
// bound wide, from one nanosecond up to MaxTrackable = 2^42−1 nanoseconds (about 73
// minutes); larger durations share the top bucket. A quantile is
// reported as a bucket's midpoint, within 1/64 of the exact quantile.
// Count, Sum, Min and Max are exact, never bucket-rounded. A negative
// duration is recorded as 0. The precision is fixed: 1216 buckets of 8
// bytes each.
//
// # Concurrency and progress
//
// Writers never wait for each other or for a reader, and never take a
// lock. Each Latency, and the batch recorder of a Metrics, is split into
// stripes, each on its own false-sharing range (internal/pad); a goroutine
// records on the stripe its stack address hashes to (internal/stripe), or
// on a random one when another goroutine is starting a record on that
// stripe at the same moment. Each stripe has two halves, as in
// HdrHistogram's WriterReaderPhaser or client_golang's hot/cold histogram:
// records go to the hot half, and a reader makes the other half hot and
// drains the one that was, once every record that started in it has
// finished. A batch's events and its batch count are recorded together on
// such a stripe, so they always land in the same interval. So:
//
//   - Record is three atomic read-modify-writes on the goroutine's stripe
//     plus a compare-and-swap when it sets a new minimum or maximum:
//     lock-free, and wait-free unless goroutines share a stripe.
//     RecordIngestBatch is three read-modify-writes on its stripe and
//     never retries: wait-free. RecordIngest, RecordReject and
//     RecordError are atomicx.Counter adds: wait-free.
//   - A first use allocates (the Metrics' state and batch stripes, each
//     counter's stripes, a Latency's stripes) and publishes the allocation
//     with one compare-and-swap: it does not wait either, but goroutines
//     racing on one first use may each allocate, and one allocation is
//     kept. After its first use, no record path allocates.
//   - Readers (Snapshot, Reset, Total and the accessors) take a mutex
//     among themselves and may wait for records that are in progress,
//     which are short unless their goroutine was descheduled mid-record:
//     then the reader waits until it runs again (spinning, then yielding,
//     then sleeping). They never make a writer wait. Their cost grows with
//     the number of stripes written since the last read and the span of
//     their buckets, not with the number of records; on an oversubscribed
//     machine the occasional wait for a descheduled writer can take as
//     long as the operating system keeps it off the CPU.
//
// The atomic words are atomicx cells; sync/atomic is used only for the
// pointers that publish the lazily allocated state.
//
// # Memory
//
// A Latency allocates on first use four stripes per GOMAXPROCS, rounded up
// to a power of two, at most 32; each stripe holds two halves of 1216
// 8-byte buckets and is padded apart, 19,784 bytes on amd64. With
// GOMAXPROCS = 2 that is 8 stripes, about 155 KiB, plus 19 KiB of
// reader-side totals; at most about 637 KiB. A Metrics adds, on its first
// use, as many batch stripes of 296 bytes on amd64 (2.3 KiB at
// GOMAXPROCS = 2, at most 9.3 KiB), and each of its three counters is an
// atomicx.Counter.
package lfmetrics
