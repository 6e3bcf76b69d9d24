package lfmetrics

import (
	"sync"
	"time"

	"github.com/lfkit/lfkit/atomicx"
)

// Metrics is the instrumentation of an ingestion pipeline: counts of
// ingested events, of batches and of errors, and the latency of queries.
// Every Record method is safe for concurrent use from any number of
// goroutines and never blocks or allocates, except that the first use
// allocates and calls racing with it wait for that allocation.
//
// The readers — Snapshot, Reset, Total, Throughput and the query latency
// accessors — may run concurrently with the Record methods and with each
// other. Snapshot and the accessors report the current interval, which
// starts at the first use of the Metrics (or its creation by New) and at
// every Reset. Reset closes the interval: every event counts in exactly one
// interval. Total reports everything since the first use.
//
// The zero value is ready to use, like sync.Mutex's: var m Metrics. New
// adds options. A Metrics must not be copied after first use.
type Metrics struct {
	ready atomicx.Int[uint32] // 1 once the fields below once are set
	once  sync.Once

	ingested atomicx.Counter
	batches  atomicx.Counter
	errors   atomicx.Counter
	query    Latency

	now func() time.Time // set before first use, by New; nil means time.Now

	mu      sync.Mutex // serializes the readers; writers never take it
	created time.Time  // first use
	start   time.Time  // start of the current interval
	closed  counts     // what the closed intervals counted
}

// counts are the counter values of an interval.
type counts struct {
	ingested, batches, errors uint64
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
	m.init()
	return m
}

// init starts the first interval on first use. The check is one atomic
// load, inlined into the Record methods.
func (m *Metrics) init() {
	if m.ready.Load() == 0 {
		m.initSlow()
	}
}

func (m *Metrics) initSlow() {
	m.once.Do(func() {
		if m.now == nil {
			m.now = time.Now
		}
		m.created = m.now()
		m.start = m.created
		m.ready.Store(1)
	})
}

// RecordIngest counts one ingested event. It is one atomic operation on a
// stripe of a striped counter (see atomicx.Counter), wait-free.
func (m *Metrics) RecordIngest() {
	m.init()
	m.ingested.Add(1)
}

// RecordIngestBatch counts a batch of n ingested events: it adds n to
// Ingested and 1 to Batches (an empty batch counts as a batch). A negative
// n is rejected: nothing is ingested and it counts as one error.
func (m *Metrics) RecordIngestBatch(n int) {
	m.init()
	if n < 0 {
		m.errors.Add(1)
		return
	}
	m.ingested.Add(int64(n))
	m.batches.Add(1)
}

// RecordError counts one error, such as an event dropped because the
// queue was full.
func (m *Metrics) RecordError() {
	m.init()
	m.errors.Add(1)
}

// RecordQuery records the latency of one query; see Latency.Record. Take d
// from a clock read you already have: the Metrics never reads the clock
// when recording.
func (m *Metrics) RecordQuery(d time.Duration) {
	m.init()
	m.query.Record(d)
}

// Snapshot returns the current interval: the counts since the first use or
// the last Reset, its query latencies and its length. It does not disturb
// the Metrics.
//
// Snapshot never blocks the Record methods; it may wait for a RecordQuery
// in progress to finish (see Latency.Snapshot) and for other readers. The
// counters are read stripe by stripe while events may still arrive, so an
// event that overlaps Snapshot may be in it or not, but is in exactly one
// interval; each counter only grows from one Snapshot to the next within
// an interval.
func (m *Metrics) Snapshot() Snapshot {
	m.init()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	return Snapshot{
		Ingested: uint64(m.ingested.Load()),
		Batches:  uint64(m.batches.Load()),
		Errors:   uint64(m.errors.Load()),
		Query:    m.query.Snapshot(),
		Elapsed:  now.Sub(m.start),
	}
}

// Reset closes the current interval and returns it, and starts the next
// one. Each event recorded concurrently with Reset is counted in exactly
// one of the two intervals, so the intervals Reset returns, followed by a
// final Snapshot, add up to everything recorded. Reset blocks like
// Snapshot.
func (m *Metrics) Reset() Snapshot {
	m.init()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	c := counts{
		ingested: uint64(m.ingested.Drain()),
		batches:  uint64(m.batches.Drain()),
		errors:   uint64(m.errors.Drain()),
	}
	m.closed.ingested += c.ingested
	m.closed.batches += c.batches
	m.closed.errors += c.errors
	s := Snapshot{
		Ingested: c.ingested,
		Batches:  c.batches,
		Errors:   c.errors,
		Query:    m.query.Reset(),
		Elapsed:  now.Sub(m.start),
	}
	m.start = now
	return s
}

// Total returns everything recorded since the first use, whatever Resets
// happened, with Elapsed the time since the first use. It neither resets
// nor disturbs the Metrics: exporters of cumulative counters, such as the
// lfprom Prometheus collector, read Total. It blocks like Snapshot.
func (m *Metrics) Total() Snapshot {
	m.init()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	return Snapshot{
		Ingested: m.closed.ingested + uint64(m.ingested.Load()),
		Batches:  m.closed.batches + uint64(m.batches.Load()),
		Errors:   m.closed.errors + uint64(m.errors.Load()),
		Query:    m.query.Total(),
		Elapsed:  now.Sub(m.created),
	}
}

// Throughput returns the ingested events per second in the current
// interval (since the first use or the last Reset); 0 when no time has
// passed.
func (m *Metrics) Throughput() float64 {
	m.init()
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Snapshot{Ingested: uint64(m.ingested.Load()), Elapsed: m.now().Sub(m.start)}
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
// the current interval (see LatencySnapshot.Quantile for its accuracy),
// and false when no query was recorded in it or q is NaN.
func (m *Metrics) QueryLatencyQuantile(q float64) (time.Duration, bool) {
	s := m.querySnapshot()
	return s.Quantile(q), s.Count > 0 && q == q
}

func (m *Metrics) querySnapshot() LatencySnapshot {
	m.init()
	m.mu.Lock() // keeps Reset from splitting the interval under us
	defer m.mu.Unlock()
	return m.query.Snapshot()
}
