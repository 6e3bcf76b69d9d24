package lfmetrics

import "math/bits"

// summary is the exact count, 128-bit sum and extremes of a set of
// nonnegative values. merge is the one place such totals are combined.
type summary struct {
	count        uint64
	sumLo, sumHi uint64 // the sum, as a 128-bit number
	min, max     uint64 // meaningless when count == 0
}

// merge adds o into s.
func (s *summary) merge(o summary) {
	if o.count == 0 {
		return
	}
	if s.count == 0 {
		*s = o
		return
	}
	s.count += o.count
	var carry uint64
	s.sumLo, carry = bits.Add64(s.sumLo, o.sumLo, 0)
	s.sumHi += o.sumHi + carry
	s.min, s.max = min(s.min, o.min), max(s.max, o.max)
}

// span returns the range of buckets that can be nonempty: those of min
// and max. Call it only when count > 0.
func (s *summary) span() (lo, hi int) { return bucketOf(s.min), bucketOf(s.max) }

// tally is a plain, reader-side histogram (its owner's mutex guards it)
// with the summary of what was added to it.
//
// Invariant: every nonzero bucket lies in span(); when count == 0 every
// bucket is zero.
type tally struct {
	summary
	buckets [numBuckets]uint64
}

// merge adds o into t.
func (t *tally) merge(o *tally) {
	if o.count == 0 {
		return
	}
	lo, hi := o.span()
	for i := lo; i <= hi; i++ {
		t.buckets[i] += o.buckets[i]
	}
	t.summary.merge(o.summary)
}

// clear empties t.
func (t *tally) clear() {
	if t.count != 0 {
		lo, hi := t.span()
		clear(t.buckets[lo : hi+1])
	}
	t.summary = summary{}
}

// drain adds half p of latency stripe s, where n records started, into t
// and zeroes the half (phase.go, step 3). It waits for those of the n
// records that are still in progress.
func (t *tally) drain(s *latencyStripe, p, n uint64) {
	h, b := &s.totals[p], &s.buckets[p]
	// Take the buckets with swaps until all n records are taken. A record
	// in progress increments its bucket after we passed it; the next pass
	// takes it. Each increment is taken by exactly one swap, so the total
	// taken reaches n exactly when every record has finished. Every
	// finished record's value lies within the extremes loaded after it
	// finished, so each pass scans the range of the extremes loaded at its
	// start.
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
		backoff(spins)
	}
	// All n finished: their sum and extremes are in place.
	t.summary.merge(summary{
		count: n,
		sumLo: h.sumLo.Swap(0),
		sumHi: h.sumHi.Load(),
		min:   ^h.minInv.Load(),
		max:   h.max.Load(),
	})
	if h.sumHi.Load() != 0 {
		h.sumHi.Store(0)
	}
	h.minInv.Store(0)
	h.max.Store(0)
}
