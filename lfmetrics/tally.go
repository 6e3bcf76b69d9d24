package lfmetrics

import (
	"math"
	"math/bits"
	"time"
)

// tally is a plain (reader-side, mutex-guarded) histogram with the exact
// count, 128-bit sum and extremes of what was added to it.
//
// Invariant: when count > 0, every nonzero bucket lies in [lo, hi], and
// min and max are the least and greatest values added. When count == 0,
// every bucket is zero and the other fields are meaningless.
type tally struct {
	count        uint64
	sumLo, sumHi uint64
	min, max     uint64
	lo, hi       int
	buckets      [numBuckets]uint64
}

// add adds the totals of n values whose buckets the caller has already
// added; the values lie in buckets lo..hi.
func (t *tally) add(n, sumLo, sumHi, mn, mx uint64, lo, hi int) {
	if n == 0 {
		return
	}
	if t.count == 0 {
		t.min, t.max, t.lo, t.hi = mn, mx, lo, hi
	} else {
		t.min, t.max = min(t.min, mn), max(t.max, mx)
		t.lo, t.hi = min(t.lo, lo), max(t.hi, hi)
	}
	t.count += n
	var carry uint64
	t.sumLo, carry = bits.Add64(t.sumLo, sumLo, 0)
	t.sumHi += sumHi + carry
}

// merge adds o into t.
func (t *tally) merge(o *tally) {
	if o.count == 0 {
		return
	}
	for i := o.lo; i <= o.hi; i++ {
		t.buckets[i] += o.buckets[i]
	}
	t.add(o.count, o.sumLo, o.sumHi, o.min, o.max, o.lo, o.hi)
}

// clear empties t.
func (t *tally) clear() {
	if t.count != 0 {
		clear(t.buckets[t.lo : t.hi+1])
	}
	t.count, t.sumLo, t.sumHi = 0, 0, 0
}

// snapshotOf returns the snapshot of a, or of a and b together when b is
// not nil.
func snapshotOf(a, b *tally) LatencySnapshot {
	if b != nil && b.count == 0 {
		b = nil
	}
	var s LatencySnapshot
	count, sumLo, sumHi := a.count, a.sumLo, a.sumHi
	mn, mx, lo, hi := a.min, a.max, a.lo, a.hi
	if b != nil {
		var carry uint64
		sumLo, carry = bits.Add64(sumLo, b.sumLo, 0)
		sumHi += b.sumHi + carry
		if count == 0 {
			mn, mx, lo, hi = b.min, b.max, b.lo, b.hi
		} else {
			mn, mx, lo, hi = min(mn, b.min), max(mx, b.max), min(lo, b.lo), max(hi, b.hi)
		}
		count += b.count
	}
	if count == 0 {
		return s
	}
	s.Count = count
	if sumHi != 0 || sumLo > math.MaxInt64 {
		s.Sum = math.MaxInt64
	} else {
		s.Sum = time.Duration(sumLo)
	}
	s.Min, s.Max = time.Duration(mn), time.Duration(mx)
	s.Buckets = buckets(a, b, lo, hi)
	return s
}

// buckets returns the nonempty buckets lo..hi of a, plus those of b when
// b is not nil, in ascending order.
func buckets(a, b *tally, lo, hi int) []Bucket {
	ac := a.buckets[lo : hi+1]
	var bc []uint64
	if b != nil {
		bc = b.buckets[lo : hi+1 : hi+1]
	}
	n := 0
	if bc == nil {
		for _, c := range ac {
			if c != 0 {
				n++
			}
		}
	} else {
		for i, c := range ac {
			if c+bc[i] != 0 {
				n++
			}
		}
	}
	out := make([]Bucket, n)
	k := 0
	for i, c := range ac {
		if bc != nil {
			c += bc[i]
		}
		if c != 0 && k < len(out) {
			out[k] = Bucket{Low: lows[lo+i], High: lows[lo+i+1] - 1, Count: c}
			k++
		}
	}
	return out
}

// lows holds the low bound of every bucket, and past the top bucket
// math.MaxInt64+1 (wrapped) so that lows[i+1]-1 is bucket i's high bound.
var lows = func() (l [numBuckets + 1]time.Duration) {
	for i := range numBuckets {
		l[i] = time.Duration(bucketLow(i))
	}
	l[numBuckets] = math.MinInt64 // MaxInt64+1, so that l[numBuckets]-1 = MaxInt64
	return l
}()
