package lfmetrics

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"
)

// LatencySnapshot is the content of a Latency over an interval: the exact
// count, sum and extremes of the recorded durations, and the histogram's
// nonempty buckets. It is a plain value: compare snapshots with == on the
// scalar fields or with go-cmp (cmp.Equal / cmp.Diff) on the whole.
//
// The zero LatencySnapshot describes an empty interval.
type LatencySnapshot struct {
	// Count is the number of durations recorded.
	Count uint64
	// Sum is their exact total. It saturates at math.MaxInt64 (292 years)
	// instead of wrapping.
	Sum time.Duration
	// Min and Max are the least and greatest durations recorded, exact
	// (negative durations were recorded as 0). Both are 0 when Count is 0.
	Min, Max time.Duration
	// Buckets are the nonempty histogram buckets, in ascending order;
	// their counts add up to Count. Nil when Count is 0.
	Buckets []Bucket
}

// Bucket is one histogram bucket: Count durations d with Low ≤ d ≤ High.
// Buckets are at most RelativeError·Low wide, except the top one, which
// starts below MaxTrackable and holds everything up to math.MaxInt64.
type Bucket struct {
	Low, High time.Duration
	Count     uint64
}

// snapshotOf returns the snapshot of a, or of a and b together when b is
// not nil.
func snapshotOf(a, b *tally) LatencySnapshot {
	sum := a.summary
	if b != nil {
		sum.merge(b.summary)
	}
	if sum.count == 0 {
		return LatencySnapshot{}
	}
	s := LatencySnapshot{
		Count: sum.count,
		Sum:   math.MaxInt64, // saturated, unless the sum fits
		Min:   time.Duration(sum.min),
		Max:   time.Duration(sum.max),
	}
	if sum.sumHi == 0 && sum.sumLo <= math.MaxInt64 {
		s.Sum = time.Duration(sum.sumLo)
	}
	lo, hi := sum.span()
	s.Buckets = renderBuckets(a, b, lo, hi)
	return s
}

// renderBuckets returns the nonempty buckets lo..hi of a, plus those of b
// when b is not nil, in ascending order.
func renderBuckets(a, b *tally, lo, hi int) []Bucket {
	ac := a.buckets[lo : hi+1]
	var bc []uint64
	if b != nil {
		bc = b.buckets[lo : hi+1 : hi+1]
	}
	count := func(i int) uint64 {
		if bc == nil {
			return ac[i]
		}
		return ac[i] + bc[i]
	}
	n := 0
	for i := range ac {
		if count(i) != 0 {
			n++
		}
	}
	out := make([]Bucket, 0, n)
	for i := range ac {
		if c := count(i); c != 0 {
			out = append(out, Bucket{Low: lows[lo+i], High: lows[lo+i+1] - 1, Count: c})
		}
	}
	return out
}

// Mean returns Sum/Count, or 0 when Count is 0. The result always lies in
// [Min, Max]; it is clamped there in the one case it would not be, a
// saturated Sum.
func (s LatencySnapshot) Mean() time.Duration {
	if s.Count == 0 {
		return 0
	}
	m := time.Duration(uint64(s.Sum) / s.Count)
	return min(max(m, s.Min), s.Max)
}

// QuantileOK returns an estimate of the q-quantile, and whether there is
// one: false when Count is 0 (no duration was recorded) or q is NaN, and
// then the duration is 0. It has the shape of every quantile accessor of
// this package, such as Metrics.QueryLatencyQuantile, so that "no data" is
// told apart from a quantile of durations that were 0.
//
// The estimate is the value of rank ⌈q·Count⌉ (at least 1) in the sorted
// recorded durations, reported as the midpoint of the bucket that holds
// that value, clamped to [Min, Max]: so it is within RelativeError/2
// (1/64) of the exact value for durations up to MaxTrackable, and
// exact below 64 nanoseconds. q is clamped to [0, 1]; QuantileOK(0) is Min and
// QuantileOK(1) is Max, exactly.
func (s LatencySnapshot) QuantileOK(q float64) (time.Duration, bool) {
	if s.Count == 0 || math.IsNaN(q) {
		return 0, false
	}
	if q <= 0 {
		return s.Min, true
	}
	if q >= 1 {
		return s.Max, true
	}
	rank := uint64(math.Ceil(q * float64(s.Count)))
	rank = min(max(rank, 1), s.Count)
	var seen uint64
	for _, b := range s.Buckets {
		seen += b.Count
		if seen >= rank {
			return min(max(b.estimate(), s.Min), s.Max), true
		}
	}
	return s.Max, true // Buckets do not add up to Count: not from a Latency
}

// Quantile is QuantileOK without the report: it returns 0 where QuantileOK
// reports false, which a caller cannot tell from a quantile of durations
// that were 0 unless it checks Count. It suits a summary that prints 0 for
// an empty interval, as String does; prefer QuantileOK elsewhere.
func (s LatencySnapshot) Quantile(q float64) time.Duration {
	d, _ := s.QuantileOK(q)
	return d
}

// estimate returns the value that stands for the bucket's contents.
func (b Bucket) estimate() time.Duration {
	m := time.Duration(bucketMid(bucketOf(uint64(max(b.Low, 0)))))
	return min(max(m, b.Low), b.High)
}

// Sub returns the records in s that are not in prev, where prev is an
// earlier snapshot of the same interval (or an earlier Total): counts, Sum
// and buckets are subtracted. Min and Max of the difference cannot be
// known exactly; Sub reports the tightest bounds it can derive, the
// difference's outermost bucket bounds narrowed by s.Min and s.Max (exact
// when prev is empty).
//
// If prev is not earlier — some count of prev exceeds that of s, as after
// a Reset — Sub returns s, the way Prometheus treats a counter reset.
func (s LatencySnapshot) Sub(prev LatencySnapshot) LatencySnapshot {
	d, ok := s.sub(prev)
	if !ok {
		return s.clone()
	}
	return d
}

func (s LatencySnapshot) clone() LatencySnapshot {
	s.Buckets = slices.Clone(s.Buckets)
	return s
}

// sub is Sub; ok is false when prev is not an earlier snapshot of s.
func (s LatencySnapshot) sub(prev LatencySnapshot) (LatencySnapshot, bool) {
	if prev.Count > s.Count || prev.Sum > s.Sum {
		return LatencySnapshot{}, false
	}
	var d LatencySnapshot
	j := 0
	for _, b := range s.Buckets {
		if j < len(prev.Buckets) && prev.Buckets[j].Low < b.Low {
			return LatencySnapshot{}, false // a bucket s lacks
		}
		if j < len(prev.Buckets) && prev.Buckets[j].Low == b.Low {
			if prev.Buckets[j].Count > b.Count {
				return LatencySnapshot{}, false
			}
			b.Count -= prev.Buckets[j].Count
			j++
		}
		if b.Count != 0 {
			d.Buckets = append(d.Buckets, b)
			d.Count += b.Count
		}
	}
	if j != len(prev.Buckets) || d.Count != s.Count-prev.Count {
		return LatencySnapshot{}, false
	}
	if d.Count == 0 {
		return LatencySnapshot{}, true
	}
	d.Sum = s.Sum - prev.Sum
	d.Min = max(d.Buckets[0].Low, s.Min)
	d.Max = min(d.Buckets[len(d.Buckets)-1].High, s.Max)
	return d, true
}

// Add returns the records of s and o together, as if one Latency had
// recorded both: counts, Sum (saturating) and buckets add, Min and Max are
// exact.
func (s LatencySnapshot) Add(o LatencySnapshot) LatencySnapshot {
	if o.Count == 0 {
		return s.clone()
	}
	if s.Count == 0 {
		return o.clone()
	}
	r := LatencySnapshot{
		Count: s.Count + o.Count,
		Sum:   s.Sum + o.Sum,
		Min:   min(s.Min, o.Min),
		Max:   max(s.Max, o.Max),
	}
	if r.Sum < s.Sum || r.Sum < o.Sum {
		r.Sum = math.MaxInt64
	}
	i, j := 0, 0
	for i < len(s.Buckets) || j < len(o.Buckets) {
		switch {
		case j == len(o.Buckets) || i < len(s.Buckets) && s.Buckets[i].Low < o.Buckets[j].Low:
			r.Buckets = append(r.Buckets, s.Buckets[i])
			i++
		case i == len(s.Buckets) || o.Buckets[j].Low < s.Buckets[i].Low:
			r.Buckets = append(r.Buckets, o.Buckets[j])
			j++
		default:
			b := s.Buckets[i]
			b.Count += o.Buckets[j].Count
			r.Buckets = append(r.Buckets, b)
			i, j = i+1, j+1
		}
	}
	return r
}

// String formats the summary: count, mean, min, p50, p90, p99, p99.9, max.
func (s LatencySnapshot) String() string {
	if s.Count == 0 {
		return "count=0"
	}
	return fmt.Sprintf("count=%d mean=%v min=%v p50=%v p90=%v p99=%v p999=%v max=%v",
		s.Count, s.Mean(), s.Min, s.Quantile(0.5), s.Quantile(0.9),
		s.Quantile(0.99), s.Quantile(0.999), s.Max)
}

// LogValue implements slog.LogValuer: the summary String shows, as a group.
func (s LatencySnapshot) LogValue() slog.Value {
	if s.Count == 0 {
		return slog.GroupValue(slog.Uint64("count", 0))
	}
	return slog.GroupValue(
		slog.Uint64("count", s.Count),
		slog.Duration("mean", s.Mean()),
		slog.Duration("min", s.Min),
		slog.Duration("p50", s.Quantile(0.5)),
		slog.Duration("p90", s.Quantile(0.9)),
		slog.Duration("p99", s.Quantile(0.99)),
		slog.Duration("p999", s.Quantile(0.999)),
		slog.Duration("max", s.Max),
	)
}
