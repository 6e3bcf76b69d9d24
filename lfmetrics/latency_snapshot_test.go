package lfmetrics

import (
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/lfkit/lfkit/internal/fixture"
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

func TestLatencyHugeValuesSaturateSum(t *testing.T) {
	var l Latency
	for range 3 {
		l.Record(math.MaxInt64)
	}
	s := l.Snapshot()
	checkConsistent(t, s)
	if s.Sum != math.MaxInt64 || s.Min != math.MaxInt64 || s.Max != math.MaxInt64 || s.Mean() != math.MaxInt64 {
		t.Fatalf("got %+v, want Sum, Min, Max, Mean all MaxInt64", s)
	}
	if s.Buckets[0].High != math.MaxInt64 || s.Buckets[0].Count != 3 {
		t.Fatalf("huge values not in the top bucket: %+v", s.Buckets)
	}
}

func TestLatencySubAdd(t *testing.T) {
	var l Latency
	a := []time.Duration{100, 2000, 30000}
	b := []time.Duration{100, 5000, 7 * time.Second}
	for _, d := range a {
		l.Record(d)
	}
	s1 := l.Snapshot()
	for _, d := range b {
		l.Record(d)
	}
	s2 := l.Snapshot()
	d := s2.Sub(s1)
	checkConsistent(t, d)
	want := wantLatency(b)
	// Min and Max of a difference are bounds: narrowed to s2's extremes.
	if d.Min > want.Min || d.Max < want.Max {
		t.Fatalf("Sub bounds [%v, %v] do not contain the true [%v, %v]", d.Min, d.Max, want.Min, want.Max)
	}
	d.Min, d.Max = want.Min, want.Max
	if diff := cmp.Diff(want, d); diff != "" {
		t.Fatalf("Sub (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(s2, s2.Sub(LatencySnapshot{})); diff != "" {
		t.Fatalf("Sub(empty) is not the identity:\n%s", diff)
	}
	if diff := cmp.Diff(s1, s1.Sub(s2)); diff != "" {
		t.Fatalf("Sub(later) must return s, as a reset:\n%s", diff)
	}
	if diff := cmp.Diff(s2, s1.Add(wantLatency(b))); diff != "" {
		t.Fatalf("Add (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(s1, s1.Add(LatencySnapshot{})); diff != "" {
		t.Fatalf("Add(empty) is not the identity:\n%s", diff)
	}
}

func TestLatencyStringAndLogValue(t *testing.T) {
	var l Latency
	for i := 1; i <= 100; i++ {
		l.Record(time.Duration(i) * time.Millisecond)
	}
	s := l.Snapshot()
	str := s.String()
	for _, want := range []string{"count=100", "min=1ms", "max=100ms", "p50=", "p99="} {
		if !strings.Contains(str, want) {
			t.Errorf("String() = %q, lacks %q", str, want)
		}
	}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("lat", "q", s)
	for _, want := range []string{"q.count=100", "q.min=1ms", "q.max=100ms", "q.p99="} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("slog output %q lacks %q", buf.String(), want)
		}
	}
}

// referenceDir holds the reference latency distributions that the quantile
// tests of this package and of lfprom both read (see its gen.go).
const referenceDir = "../testdata/latency"

// TestQuantileReferenceDistributions records each reference distribution
// and checks the snapshot exactly against the model, and every percentile
// from 0.1 to 99.9 (and the edges) against the exact quantile, within the
// documented RelativeError/2.
func TestQuantileReferenceDistributions(t *testing.T) {
	qs := append([]float64(nil), edgeQuantiles...)
	for p := 1; p < 1000; p++ {
		qs = append(qs, float64(p)/1000)
	}
	for _, ref := range fixture.Latencies(t, referenceDir) {
		t.Run(ref.Name, func(t *testing.T) {
			var l Latency
			for _, d := range ref.Durations {
				l.Record(d)
			}
			checkLatency(t, "Snapshot", l.Snapshot(), ref.Durations)
			checkQuantiles(t, l.Snapshot(), ref.Durations, qs)
		})
	}
}
