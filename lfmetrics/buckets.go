package lfmetrics

import (
	"math"
	"math/bits"
	"time"
)

// The bucket layout is HdrHistogram's log-linear one over integer
// nanoseconds. Values below 2·subCount get one bucket each (exact). Above
// that, every power-of-two range [2^k, 2^(k+1)) is cut into subCount
// buckets of equal width 2^(k-subBits), so a bucket is never wider than
// 1/subCount of its lower bound.
//
// Index of value v: with shift = max(0, bits.Len64(v) - subBits - 1),
// v>>shift lies in [subCount, 2·subCount) (or below subCount when shift is
// 0), and the index is shift·subCount + v>>shift. The mapping is monotone
// and contiguous: index i covers [low(i), low(i) + 2^shift(i)).
const (
	// subBits is the precision: 2^subBits sub-buckets per power of two.
	subBits  = 5
	subCount = 1 << subBits

	// maxShift makes the top regular bucket end at 2^(maxShift+subBits+1)
	// nanoseconds = 2^42 nanoseconds (about 73 minutes), the first power of
	// two past one hour.
	maxShift = 36

	// numBuckets is the number of buckets; the last one also takes every
	// value above MaxTrackable.
	numBuckets = (maxShift+1)*subCount + subCount
)

// MaxTrackable is the largest duration that Latency buckets with the
// stated relative error: 2^42−1 nanoseconds, about 73 minutes. Larger durations are
// counted in the top bucket; Max and Sum still hold them exactly.
const MaxTrackable = time.Duration(1)<<(maxShift+subBits+1) - 1

// RelativeError is the widest a bucket is relative to its lower bound,
// 1/32. A value reported for a bucket (a quantile, a bucket bound) is
// within RelativeError of every value the bucket holds; Quantile picks the
// bucket's midpoint and so is within RelativeError/2.
const RelativeError = 1.0 / subCount

// bucketOf returns the bucket index of v nanoseconds.
func bucketOf(v uint64) int {
	shift := bits.Len64(v) - (subBits + 1)
	if shift <= 0 {
		return int(v) // v < 2·subCount: one bucket per value
	}
	if shift > maxShift {
		return numBuckets - 1
	}
	return shift<<subBits + int(v>>uint(shift))
}

// bucketLow returns the smallest value in bucket i.
func bucketLow(i int) uint64 {
	if i < 2*subCount {
		return uint64(i)
	}
	shift := i>>subBits - 1
	return uint64(i&(subCount-1)+subCount) << uint(shift)
}

// bucketMid returns the value reported for bucket i: its midpoint, which is
// within RelativeError/2 of any value the bucket holds (exact for the
// one-value buckets). The top bucket reports the midpoint of its regular
// range.
func bucketMid(i int) uint64 {
	low := bucketLow(i)
	if i < 2*subCount {
		return low
	}
	width := uint64(1) << uint(i>>subBits-1)
	return low + width/2
}

// lows holds the low bound of every bucket, and past the top bucket
// math.MaxInt64+1 (wrapped) so that lows[i+1]-1 is bucket i's high bound:
// the top bucket holds everything up to math.MaxInt64.
var lows = func() (l [numBuckets + 1]time.Duration) {
	for i := range numBuckets {
		l[i] = time.Duration(bucketLow(i))
	}
	l[numBuckets] = math.MinInt64 // MaxInt64+1, so that l[numBuckets]-1 = MaxInt64
	return l
}()
