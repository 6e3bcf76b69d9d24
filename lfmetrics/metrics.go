package lfmetrics

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/lfkit/lfkit/atomicx"
	"github.com/lfkit/lfkit/internal/stripe"
)

// Metrics is the instrumentation of an ingestion pipeline: counts of
// ingested events, of batches, of events rejected by backpressure and of
// errors, and the latency of queries. For more latencies than the query
// one (a service's queue wait and processing time, say), use a Latency
// for each beside the Metrics.
//
// Every Record method is safe for concurrent use from any number of
// goroutines; it never waits for another goroutine, never takes a lock,
// and allocates only on a first use: the Metrics' first use allocates its
// state (the interval's start time and the batch stripes), and the ingest,
// reject and error counters and the query Latency each allocate on the
// first record that reaches them, without waiting for anyone (see the
// package documentation). After that no Record method allocates.
//
// The readers — Snapshot, Reset, Total, Throughput and the query latency
// accessors — may run concurrently with the Record methods and with each
// other. Snapshot and the accessors report the current interval, which
// starts at the first use of the Metrics (or its creation by New) and at
// every Reset. Reset closes the interval: every event counts in exactly one
// interval, and a batch's events and its batch count in the same one.
// Total reports everything since the first use.
//
// The zero value is ready to use, like sync.Mutex's: var m Metrics. New
// adds options. A Metrics must not be copied after first use.
type Metrics struct {
	st atomic.Pointer[metricsState] // see lazy.go

	ingested atomicx.Counter  // RecordIngest
	rejected atomicx.Counter  // RecordReject
	errors   atomicx.Counter  // RecordError and rejected batches
	query    Latency          // RecordQuery
	now      func() time.Time // set by New, before first use; nil means time.Now

	mu      sync.Mutex // serializes the readers; writers never take it
	batched counts     // batches drained in the current interval (guarded by mu)
	closed  counts     // what the closed intervals counted (guarded by mu)
}

// metricsState is what a Metrics allocates on first use.
type metricsState struct {
	created time.Time  // first use
	start   time.Time  // start of the current interval; guarded by Metrics.mu
	batch   batchState // RecordIngestBatch: a batch's events and count together
}

// counts are the counter values of an interval.
type counts struct {
	ingested, batches, rejected, errors uint64
}

// plus returns c and o added.
func (c counts) plus(o counts) counts {
	return counts{
		ingested: c.ingested + o.ingested,
		batches:  c.batches + o.batches,
		rejected: c.rejected + o.rejected,
		errors:   c.errors + o.errors,
	}
}

// snapshot returns the Snapshot of an interval with counts c, query
// latencies q and length elapsed.
func (c counts) snapshot(q LatencySnapshot, elapsed time.Duration) Snapshot {
	return Snapshot{
		Ingested: c.ingested,
		Batches:  c.batches,
		Rejected: c.rejected,
		Errors:   c.errors,
		Query:    q,
		Elapsed:  elapsed,
	}
}

// Option configures a Metrics made by New.
type Option func(*options)

type options struct {
	now func() time.Time
}

// WithClock makes the Metrics read the time from now instead of time.Now,
// for deterministic tests of Elapsed and the rates. The Metrics reads the
// clock only on its first use and in Snapshot, Reset, Total and
// Throughput, never when recording.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// New returns a Metrics whose first interval starts now.
func New(opts ...Option) *Metrics {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	m := &Metrics{now: o.now}
	m.state()
	return m
}

// state returns the Metrics' state, starting the first interval on first
// use (see lazy.go).
func (m *Metrics) state() *metricsState {
	st := m.st.Load()
	if st == nil {
		st = m.initState()
	}
	return st
}

func (m *Metrics) initState() *metricsState {
	now := m.clock()
	bits := stripe.Bits(maxStripeBits)
	return publish(&m.st, &metricsState{
		created: now,
		start:   now,
		batch:   batchState{stripeBits: bits, stripes: make([]batchStripe, 1<<bits)},
	})
}

// clock reads the Metrics' clock.
func (m *Metrics) clock() time.Time {
	if m.now == nil {
		return time.Now()
	}
	return m.now()
}

// collectBatches drains the batch stripes into m.batched. The caller holds
// m.mu.
func (m *Metrics) collectBatches(st *metricsState) {
	st.batch.collect(&m.batched)
}

// current returns the counts of the current interval, leaving them in
// place. The caller holds m.mu and has collected the batches.
func (m *Metrics) current() counts {
	return counts{
		ingested: uint64(m.ingested.Load()) + m.batched.ingested,
		batches:  m.batched.batches,
		rejected: uint64(m.rejected.Load()),
		errors:   uint64(m.errors.Load()),
	}
}

// RecordIngest counts one ingested event. It is one atomic operation on a
// stripe of a striped counter (see atomicx.Counter), wait-free.
func (m *Metrics) RecordIngest() {
	m.state()
	m.ingested.Add(1)
}

// RecordIngestBatch counts a batch of n ingested events: it adds n to
// Ingested and 1 to Batches (an empty batch counts as a batch), both in
// the same interval, whatever Reset runs concurrently. A negative n is
// rejected: nothing is ingested and it counts as one error.
//
// It is three atomic read-modify-writes on a stripe of the batch recorder,
// behind the same writer/reader phase flip as RecordQuery, with no retry
// loop: wait-free.
func (m *Metrics) RecordIngestBatch(n int) {
	st := m.state()
	if n < 0 {
		m.errors.Add(1)
		return
	}
	st.batch.record(uint64(n))
}

// RecordReject counts one event turned away by backpressure — refused
// because the queue was full, such as a request a service answers with
// 503 — rather than ingested. A rejection is not an error: it is counted
// apart from RecordError, in Rejected. Like RecordIngest it is one atomic
// operation on a stripe of a striped counter, wait-free.
func (m *Metrics) RecordReject() {
	m.state()
	m.rejected.Add(1)
}

// RecordError counts one error, such as an event that failed to be
// processed. Count events that backpressure turned away with
// RecordReject instead.
func (m *Metrics) RecordError() {
	m.state()
	m.errors.Add(1)
}

// RecordQuery records the latency of one query; see Latency.Record. Take d
// from a clock read you already have: the Metrics never reads the clock
// when recording.
func (m *Metrics) RecordQuery(d time.Duration) {
	m.state()
	m.query.Record(d)
}

// Snapshot returns the current interval: the counts since the first use or
// the last Reset, its query latencies and its length. It does not disturb
// the Metrics.
//
// Snapshot never blocks the Record methods; it may wait for a RecordQuery
// or RecordIngestBatch in progress to finish (see Latency.Snapshot) and
// for other readers. The counters are read stripe by stripe while events
// may still arrive, so an event that overlaps Snapshot may be in it or
// not, but is in exactly one interval, and a batch's events are in the
// same Snapshot as its batch count; each counter only grows from one
// Snapshot to the next within an interval.
func (m *Metrics) Snapshot() Snapshot {
	st := m.state()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	m.collectBatches(st)
	c := m.current()
	return c.snapshot(m.query.Snapshot(), now.Sub(st.start))
}

// Reset closes the current interval and returns it, and starts the next
// one. Each event recorded concurrently with Reset is counted in exactly
// one of the two intervals, so the intervals Reset returns, followed by a
// final Snapshot, add up to everything recorded; a batch's events and its
// batch count are in the same interval. Reset blocks like Snapshot.
func (m *Metrics) Reset() Snapshot {
	st := m.state()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	m.collectBatches(st)
	c := counts{
		ingested: uint64(m.ingested.Drain()) + m.batched.ingested,
		batches:  m.batched.batches,
		rejected: uint64(m.rejected.Drain()),
		errors:   uint64(m.errors.Drain()),
	}
	m.batched = counts{}
	m.closed = m.closed.plus(c)
	s := c.snapshot(m.query.Reset(), now.Sub(st.start))
	st.start = now
	return s
}

// Total returns everything recorded since the first use, whatever Resets
// happened, with Elapsed the time since the first use. It neither resets
// nor disturbs the Metrics: exporters of cumulative counters, such as the
// lfprom Prometheus collector, read Total. It blocks like Snapshot.
func (m *Metrics) Total() Snapshot {
	st := m.state()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	m.collectBatches(st)
	c := m.closed.plus(m.current())
	return c.snapshot(m.query.Total(), now.Sub(st.created))
}

// Throughput returns the ingested events per second in the current
// interval (since the first use or the last Reset); 0 when no time has
// passed.
func (m *Metrics) Throughput() float64 {
	st := m.state()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.collectBatches(st)
	s := Snapshot{
		Ingested: uint64(m.ingested.Load()) + m.batched.ingested,
		Elapsed:  m.clock().Sub(st.start),
	}
	return s.Throughput()
}

// AvgQueryLatency returns the mean query latency of the current interval,
// and false when no query was recorded in it.
func (m *Metrics) AvgQueryLatency() (time.Duration, bool) {
	s := m.querySnapshot()
	return s.Mean(), s.Count > 0
}

// MinQueryLatency returns the least query latency of the current interval
// (exact), and false when no query was recorded in it.
func (m *Metrics) MinQueryLatency() (time.Duration, bool) {
	s := m.querySnapshot()
	return s.Min, s.Count > 0
}

// MaxQueryLatency returns the greatest query latency of the current
// interval (exact), and false when no query was recorded in it.
func (m *Metrics) MaxQueryLatency() (time.Duration, bool) {
	s := m.querySnapshot()
	return s.Max, s.Count > 0
}

// QueryLatencyQuantile returns the q-quantile of the query latencies of
// the current interval, and false when no query was recorded in it or q is
// NaN: it is LatencySnapshot.QuantileOK (see there for its accuracy) of
// the interval's query latencies.
func (m *Metrics) QueryLatencyQuantile(q float64) (time.Duration, bool) {
	return m.querySnapshot().QuantileOK(q)
}

func (m *Metrics) querySnapshot() LatencySnapshot {
	m.state()
	m.mu.Lock() // keeps Reset from splitting the interval under us
	defer m.mu.Unlock()
	return m.query.Snapshot()
}
