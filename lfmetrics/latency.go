package lfmetrics

import (
	"runtime"
	"sync"
	"time"

	"github.com/lfkit/lfkit/atomicx"
	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/stripe"
)

// maxStripeBits caps a Latency at 32 stripes (about 620 KiB).
const maxStripeBits = 5

// A stripe's started word: the top bit names the hot half, the bits below
// count the records that started in it since the half became hot.
const (
	phaseShift = 63
	countMask  = 1<<phaseShift - 1
)

// Latency records durations into a lock-free log-linear histogram and keeps
// their exact count, sum, minimum and maximum beside it. Record is safe to
// call from any number of goroutines at once, concurrently with Snapshot,
// Reset and Total.
//
// Durations are bucketed by nanosecond with at most RelativeError (1/32)
// of bucket width relative to the bucket's lower bound, from 1 ns to
// MaxTrackable (about 73 minutes). A negative duration is recorded as 0; a
// duration above MaxTrackable lands in the top bucket while Sum and Max
// keep its exact value.
//
// Snapshot reports the current interval (since the first use or the last
// Reset); Reset closes it and starts the next; Total reports every record
// since the first use, whatever Resets happened. No record is lost or
// counted twice across intervals, and every reported interval is
// consistent: Count equals the sum of the bucket counts, and Min ≤ Mean ≤
// Max.
//
// The zero value is ready to use. Its first use allocates the stripes (see
// the package documentation for their size); nothing allocates afterwards
// except the Buckets slice of each returned snapshot. A Latency must not be
// copied after first use.
type Latency struct {
	ready atomicx.Int[uint32] // 1 once st is set
	once  sync.Once
	st    *latencyState
}

// halfTotals is the part of one half of a stripe that is not buckets.
type halfTotals struct {
	sumLo  atomicx.Int[uint64] // low word of the 128-bit sum of the values
	sumHi  atomicx.Int[uint64] // high word: one per carry out of sumLo
	minInv atomicx.Int[uint64] // ^(least value): 0 when the half is empty
	max    atomicx.Int[uint64] // greatest value: 0 when the half is empty
}

// latencyStripe is the part of a Latency that a group of goroutines write.
// The pad lines keep one stripe's words off every false-sharing range that
// another stripe's words use.
//
// Invariants, relied upon by record and drain:
//
//  1. A record adds 1 to started, reading phase p from the value it
//     replaced, then updates totals[p], then adds 1 to exactly one bucket
//     of buckets[p], last. So the sum of buckets[p] counts the finished
//     records of phase p and never exceeds the count of started ones.
//  2. Only a reader holding latencyState.mu changes the phase, by swapping
//     started for the other phase with a count of 0. The swap returns n,
//     the number of records that started in phase p. Once the buckets of
//     p sum to n, every one of them has finished and no record will write
//     half p until a later flip makes it hot again.
//  3. The reader drains half p and zeroes it before releasing mu, so
//     outside a reader's critical section the cold half is all zeros.
type latencyStripe struct {
	_       pad.Line
	started atomicx.Int[uint64]
	totals  [2]halfTotals
	buckets [2][numBuckets]atomicx.Int[uint64]
	_       pad.Line
}

// latencyState is what a Latency allocates on first use.
type latencyState struct {
	bits    uint
	stripes []latencyStripe

	mu     sync.Mutex // serializes readers; writers never take it
	cur    tally      // drained records of the current interval
	closed tally      // drained records of every closed interval
}

// state returns the Latency's stripes and totals, allocating them on first
// use. The check is one atomic load, inlined into Record.
func (l *Latency) state() *latencyState {
	if l.ready.Load() == 0 {
		l.init()
	}
	return l.st // ready = 1 was stored after st: this read is ordered
}

func (l *Latency) init() {
	l.once.Do(func() {
		bits := stripe.Bits(maxStripeBits)
		l.st = &latencyState{bits: bits, stripes: make([]latencyStripe, 1<<bits)}
		l.ready.Store(1)
	})
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
	// The goroutine's own stripe, unless another goroutine is writing it
	// at this moment (the compare-and-swap fails): then a random one, like
	// atomicx.Counter.
	s := &st.stripes[stripe.Index(stripe.Hint(), st.bits)]
	n := s.started.Load()
	if !s.started.CompareAndSwap(n, n+1) {
		s = &st.stripes[stripe.Index(stripe.Random(), st.bits)]
		n = s.started.Add(1) - 1
	}
	p := n >> phaseShift
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
		cur := s.started.Load()
		if cur&countMask == 0 {
			// No record started in the hot half since the last flip: as
			// if we had flipped now and found nothing.
			continue
		}
		p := cur >> phaseShift // stable: only readers flip, and we hold mu
		n := s.started.Swap((p^1)<<phaseShift) & countMask
		st.cur.drain(s, p, n)
	}
}

// drain adds half p of s, where n records started, into t and zeroes it.
// It waits for those of the n records that are still in progress.
func (t *tally) drain(s *latencyStripe, p, n uint64) {
	h, b := &s.totals[p], &s.buckets[p]
	// Take the buckets with swaps until all n records are taken. A record
	// in progress increments its bucket after we passed it; the next pass
	// takes it. Each increment is taken by exactly one swap, so the total
	// taken reaches n exactly when every record has finished (invariant
	// 1); no record can add more (invariant 2). Every finished record's
	// value lies within the extremes loaded after it finished, so each
	// pass scans the range of the extremes loaded at its start.
	var taken uint64
	for spins := 0; ; spins++ {
		mn, mx := ^h.minInv.Load(), h.max.Load()
		if mn <= mx {
			for i := bucketOf(mn); i <= bucketOf(mx); i++ {
				if b[i].Load() != 0 { // skip the locked swap on empty buckets
					c := b[i].Swap(0)
					t.buckets[i] += c
					taken += c
				}
			}
		}
		if taken == n {
			break
		}
		// A record is between its start and its bucket. It never waits,
		// so it finishes as soon as it runs; let it run: spin, then yield
		// the P, then (its thread was descheduled) give up the CPU.
		switch {
		case spins < 8:
		case spins < 64:
			runtime.Gosched()
		default:
			time.Sleep(time.Microsecond)
		}
	}
	// All n finished: their sum and extremes are in place.
	mn, mx := ^h.minInv.Load(), h.max.Load()
	t.add(n, h.sumLo.Swap(0), h.sumHi.Load(), mn, mx, bucketOf(mn), bucketOf(mx))
	if h.sumHi.Load() != 0 {
		h.sumHi.Store(0)
	}
	h.minInv.Store(0)
	h.max.Store(0)
}

// Snapshot returns the records of the current interval: those since the
// Latency's first use or its last Reset. It does not disturb the Latency:
// a later Snapshot, Reset or Total still reports every record.
//
// Snapshot never blocks Record. It may wait for Records that are in
// progress on the same stripes to finish (each is a few instructions,
// unless its goroutine was descheduled mid-way), and it waits for other
// Snapshot, Reset and Total calls on the same Latency.
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
