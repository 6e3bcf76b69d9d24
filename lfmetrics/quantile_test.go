package lfmetrics

import (
	"math"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// durationGen draws durations spread over every power of two in the
// trackable range, with the bucket edges and small values well covered.
func durationGen() *rapid.Generator[time.Duration] {
	return rapid.Custom(func(t *rapid.T) time.Duration {
		e := rapid.IntRange(0, 42).Draw(t, "exp")
		return time.Duration(rapid.Int64Range(0, 1<<e-1).Draw(t, "d"))
	})
}

// exactQuantile is the value of rank ⌈q·n⌉ (at least 1) in sorted.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	n := len(sorted)
	rank := int(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// TestQuantileAccuracy: for any multiset of durations in range and any q,
// Quantile is within RelativeError/2 of the exact quantile, is in the same
// bucket as it, and is exact at q = 0, q = 1 and below 64 ns.
func TestQuantileAccuracy(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds := rapid.SliceOfN(durationGen(), 1, 300).Draw(t, "durations")
		var l Latency
		for _, d := range ds {
			l.Record(d)
		}
		s := l.Snapshot()
		sorted := slices.Clone(ds)
		slices.Sort(sorted)
		qs := append([]float64{0, 1, 0.5, 0.99}, rapid.Float64Range(0, 1).Draw(t, "q"))
		for _, q := range qs {
			got, want := s.Quantile(q), exactQuantile(sorted, q)
			if q == 0 || q == 1 {
				if got != want {
					t.Fatalf("Quantile(%v) = %v, want exactly %v", q, got, want)
				}
				continue
			}
			if bucketOf(uint64(got)) != bucketOf(uint64(want)) {
				t.Fatalf("Quantile(%v) = %v, in another bucket than the exact %v", q, got, want)
			}
			diff := max(got, want) - min(got, want)
			if float64(diff) > float64(want)*RelativeError/2 {
				t.Fatalf("Quantile(%v) = %v, exact %v: relative error %.4f > %.4f",
					q, got, want, float64(diff)/float64(want), RelativeError/2)
			}
			if want < 2*subCount && got != want {
				t.Fatalf("Quantile(%v) = %v, want exactly %v below 64 ns", q, got, want)
			}
		}
	})
}
