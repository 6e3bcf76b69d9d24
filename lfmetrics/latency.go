package lfmetrics

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/lfkit/lfkit/atomicx"
	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/stripe"
)

// maxStripeBits caps a Latency, and a Metrics' batch recorder, at
// 1<<maxStripeBits stripes.
const maxStripeBits = 5

// Latency records durations into a lock-free log-linear histogram and keeps
// their exact count, sum, minimum and maximum beside it. Record is safe to
// call from any number of goroutines at once, concurrently with Snapshot,
// Reset and Total.
//
// Durations are bucketed by nanosecond with at most RelativeError of
// bucket width relative to the bucket's lower bound, up to MaxTrackable.
// A negative duration is recorded as 0; a duration above MaxTrackable
// lands in the top bucket while Sum and Max keep its exact value.
//
// Snapshot reports the current interval (since the first use or the last
// Reset); Reset closes it and starts the next; Total reports every record
// since the first use, whatever Resets happened. No record is lost or
// counted twice across intervals, and every reported interval is
// consistent: Count equals the sum of the bucket counts, and Min ≤ Mean ≤
// Max.
//
// The zero value is ready to use. Its first use allocates the stripes
// without waiting for anyone (see the package documentation); nothing
// allocates afterwards except the Buckets slice of each returned snapshot.
// A Latency must not be copied after first use.
type Latency struct {
	st atomic.Pointer[latencyState] // see lazy.go
}

// halfTotals is the part of one half of a stripe that is not buckets.
type halfTotals struct {
	sumLo  atomicx.Int[uint64] // low word of the 128-bit sum of the values
	sumHi  atomicx.Int[uint64] // high word: one per carry out of sumLo
	minInv atomicx.Int[uint64] // ^(least value): 0 when the half is empty
	max    atomicx.Int[uint64] // greatest value: 0 when the half is empty
}

// latencyStripe is the part of a Latency that a group of goroutines write:
// a phased stripe (see phase.go) whose completion words are the buckets.
// The pad lines keep one stripe's words off every false-sharing range that
// another stripe's words use.
//
// A record updates totals[p] and then, last, adds 1 to one bucket of
// buckets[p]; so the buckets of half p sum to its finished records.
type latencyStripe struct {
	_       pad.Line
	ph      phaser
	totals  [2]halfTotals
	buckets [2][numBuckets]atomicx.Int[uint64]
	_       pad.Line
}

// latencyState is what a Latency allocates on first use.
type latencyState struct {
	stripeBits uint // len(stripes) == 1<<stripeBits
	stripes    []latencyStripe

	mu     sync.Mutex // serializes readers; writers never take it
	cur    tally      // drained records of the current interval
	closed tally      // drained records of every closed interval
}

// state returns the Latency's stripes and totals, allocating them on first
// use (see lazy.go).
func (l *Latency) state() *latencyState {
	st := l.st.Load()
	if st == nil {
		st = l.initState()
	}
	return st
}

func (l *Latency) initState() *latencyState {
	bits := stripe.Bits(maxStripeBits)
	return publish(&l.st, &latencyState{stripeBits: bits, stripes: make([]latencyStripe, 1<<bits)})
}

// Record records one duration. A negative d is recorded as 0.
//
// Record never waits for a reader or for another writer: it is three
// atomic read-modify-writes on the calling goroutine's stripe and, when
// d is a new minimum or maximum of the current interval on that stripe, a
// compare-and-swap that retries only if another Record on the same stripe
// moved the same extreme first (lock-free; wait-free when goroutines do
// not share a stripe). It does not allocate after the first use.
func (l *Latency) Record(d time.Duration) {
	l.state().record(d)
}

func (st *latencyState) record(d time.Duration) {
	v := uint64(max(d, 0))
	s := &st.stripes[stripe.Index(stripe.Hint(), st.stripeBits)]
	p, ok := s.ph.tryBegin()
	if !ok {
		s = &st.stripes[stripe.Index(stripe.Random(), st.stripeBits)]
		p = s.ph.begin()
	}
	t := &s.totals[p]
	if lo := t.sumLo.Add(v); lo < v {
		t.sumHi.Add(1) // sumLo wrapped around
	}
	// Load first: most values change neither extreme.
	if ^v > t.minInv.Load() {
		t.minInv.Max(^v)
	}
	if v > t.max.Load() {
		t.max.Max(v)
	}
	s.buckets[p][bucketOf(v)].Add(1) // last: marks the record finished
}

// collect drains every stripe into st.cur. The caller holds st.mu.
func (st *latencyState) collect() {
	for i := range st.stripes {
		s := &st.stripes[i]
		if p, n, ok := s.ph.flip(); ok {
			st.cur.drain(s, p, n)
		}
	}
}

// Snapshot returns the records of the current interval: those since the
// Latency's first use or its last Reset. It does not disturb the Latency:
// a later Snapshot, Reset or Total still reports every record.
//
// Snapshot never blocks Record. It may wait for Records that are in
// progress on the same stripes to finish (each is short, unless its
// goroutine was descheduled mid-way), and it waits for other Snapshot,
// Reset and Total calls on the same Latency.
func (l *Latency) Snapshot() LatencySnapshot {
	st := l.state()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.collect()
	return snapshotOf(&st.cur, nil)
}

// Reset closes the current interval, returning its records as Snapshot
// would, and starts the next interval. Every Record that runs concurrently
// with Reset is counted in exactly one of the two intervals. Reset blocks
// like Snapshot.
func (l *Latency) Reset() LatencySnapshot {
	st := l.state()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.collect()
	s := snapshotOf(&st.cur, nil)
	st.closed.merge(&st.cur)
	st.cur.clear()
	return s
}

// Total returns every record since the Latency's first use, regardless of
// Reset: the sum of every interval Reset closed and the current one. It
// neither resets nor disturbs the Latency, which makes it the source for
// cumulative exporters such as Prometheus. Total blocks like Snapshot.
func (l *Latency) Total() LatencySnapshot {
	st := l.state()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.collect()
	return snapshotOf(&st.closed, &st.cur)
}
