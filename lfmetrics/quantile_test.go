package lfmetrics

import (
	"math"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// tb is what the checks need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

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

// checkQuantiles checks s.QuantileOK(q) for each q against the exact
// quantile of the recorded durations ds (negative ones recorded as 0), as
// the doc of LatencySnapshot.QuantileOK states it: (0, false) for NaN or no
// record, otherwise true, and Min at q ≤ 0 and Max at q ≥ 1 exactly,
// otherwise within [Min, Max], in the exact value's bucket, within
// RelativeError/2 of it and exact below 64 ns; above MaxTrackable only the
// top bucket and [Min, Max] hold. Quantile(q) is always QuantileOK's value.
func checkQuantiles(t tb, s LatencySnapshot, ds []time.Duration, qs []float64) {
	t.Helper()
	sorted := make([]time.Duration, len(ds))
	for i, d := range ds {
		sorted[i] = max(d, 0)
	}
	slices.Sort(sorted)
	for _, q := range qs {
		got, ok := s.QuantileOK(q)
		if v := s.Quantile(q); v != got {
			t.Fatalf("Quantile(%v) = %v, QuantileOK's value %v", q, v, got)
		}
		switch {
		case len(sorted) == 0 || math.IsNaN(q):
			if got != 0 || ok {
				t.Fatalf("QuantileOK(%v) = %v, %v; want 0, false (no record or NaN)", q, got, ok)
			}
			continue
		case !ok:
			t.Fatalf("QuantileOK(%v) = %v, false with %d records", q, got, len(sorted))
		case q <= 0 || q >= 1:
			if want := exactQuantile(sorted, q); got != want {
				t.Fatalf("Quantile(%v) = %v, want exactly %v", q, got, want)
			}
			continue
		}
		want := exactQuantile(sorted, q)
		if got < s.Min || got > s.Max {
			t.Fatalf("Quantile(%v) = %v outside [Min %v, Max %v]", q, got, s.Min, s.Max)
		}
		if want > MaxTrackable {
			if bucketOf(uint64(got)) != numBuckets-1 {
				t.Fatalf("Quantile(%v) = %v for exact %v above MaxTrackable: want the top bucket", q, got, want)
			}
			continue
		}
		if bucketOf(uint64(got)) != bucketOf(uint64(want)) {
			t.Fatalf("Quantile(%v) = %v, in another bucket than the exact %v", q, got, want)
		}
		if diff := max(got, want) - min(got, want); float64(diff) > float64(want)*RelativeError/2 {
			t.Fatalf("Quantile(%v) = %v, exact %v: relative error %.4f > %.4f",
				q, got, want, float64(diff)/float64(want), RelativeError/2)
		}
		if want < 2*subCount && got != want {
			t.Fatalf("Quantile(%v) = %v, want exactly %v below 64 ns", q, got, want)
		}
	}
}

// edgeQuantiles are the q every quantile check covers.
var edgeQuantiles = []float64{math.NaN(), -1, 0, 0.25, 0.5, 0.9, 0.99, 0.999, 1, 2}

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
		qs := append(slices.Clone(edgeQuantiles), rapid.Float64Range(0, 1).Draw(t, "q"))
		checkQuantiles(t, l.Snapshot(), ds, qs)
	})
}

// TestQuantileOKTellsNoDataApart: an empty snapshot has no quantile, and
// says so, while a snapshot of durations that were all 0 (or negative,
// recorded as 0) has quantile 0 and says that is one. Quantile, the
// value-only form, returns 0 for both.
func TestQuantileOKTellsNoDataApart(t *testing.T) {
	var empty, zeros Latency
	zeros.Record(0)
	zeros.Record(-time.Second)
	for _, q := range []float64{0, 0.5, 0.99, 1} {
		if d, ok := empty.Snapshot().QuantileOK(q); d != 0 || ok {
			t.Fatalf("empty: QuantileOK(%v) = %v, %v; want 0, false", q, d, ok)
		}
		if d, ok := zeros.Snapshot().QuantileOK(q); d != 0 || !ok {
			t.Fatalf("zero durations: QuantileOK(%v) = %v, %v; want 0, true", q, d, ok)
		}
		if empty.Snapshot().Quantile(q) != 0 || zeros.Snapshot().Quantile(q) != 0 {
			t.Fatalf("Quantile(%v) not 0 for the empty and the zero snapshots", q)
		}
	}
	if d, ok := zeros.Snapshot().QuantileOK(math.NaN()); d != 0 || ok {
		t.Fatalf("QuantileOK(NaN) = %v, %v; want 0, false", d, ok)
	}
	// Metrics' accessor has the same shape and the same answers.
	var m Metrics
	if d, ok := m.QueryLatencyQuantile(0.5); d != 0 || ok {
		t.Fatalf("Metrics with no query: QueryLatencyQuantile = %v, %v; want 0, false", d, ok)
	}
	m.RecordQuery(0)
	if d, ok := m.QueryLatencyQuantile(0.5); d != 0 || !ok {
		t.Fatalf("Metrics with a 0 query: QueryLatencyQuantile = %v, %v; want 0, true", d, ok)
	}
}
