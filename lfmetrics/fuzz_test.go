package lfmetrics

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzLatencyRecord records arbitrary durations — negative, zero, huge,
// math.MaxInt64 — taken 8 bytes at a time (little-endian int64; a shorter
// tail is a small value), then checks the snapshot against the slow model,
// its consistency, quantile bounds, and that Reset and Total agree. The
// seed corpus is in testdata/fuzz/FuzzLatencyRecord.
func FuzzLatencyRecord(f *testing.F) {
	f.Add(binary.LittleEndian.AppendUint64(nil, math.MaxInt64))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ds []time.Duration
		for len(data) >= 8 {
			ds = append(ds, time.Duration(binary.LittleEndian.Uint64(data)))
			data = data[8:]
		}
		for _, b := range data {
			ds = append(ds, time.Duration(int8(b)))
		}
		var l Latency
		for _, d := range ds {
			l.Record(d)
		}
		s := l.Snapshot()
		if diff := cmp.Diff(wantLatency(ds), s); diff != "" {
			t.Fatalf("snapshot (-model +got):\n%s", diff)
		}
		checkConsistent(t, s)
		if len(ds) > 0 {
			sorted := make([]time.Duration, len(ds))
			for i, d := range ds {
				sorted[i] = max(d, 0)
			}
			slices.Sort(sorted)
			for _, q := range []float64{0.25, 0.5, 0.9, 0.999} {
				got, want := s.Quantile(q), exactQuantile(sorted, q)
				if want <= MaxTrackable {
					if diff := max(got, want) - min(got, want); float64(diff) > float64(want)*RelativeError/2 {
						t.Fatalf("Quantile(%v) = %v, exact %v", q, got, want)
					}
				} else if got < MaxTrackable-MaxTrackable/subCount || got > s.Max {
					t.Fatalf("Quantile(%v) = %v for exact %v above range: want the top bucket, at most Max", q, got, want)
				}
			}
		}
		if diff := cmp.Diff(s, l.Reset()); diff != "" {
			t.Fatalf("Reset differs from Snapshot (-snapshot +reset):\n%s", diff)
		}
		if diff := cmp.Diff(s, l.Total()); diff != "" {
			t.Fatalf("Total differs from the only interval:\n%s", diff)
		}
		if diff := cmp.Diff(LatencySnapshot{}, l.Snapshot()); diff != "" {
			t.Fatalf("Snapshot after Reset:\n%s", diff)
		}
	})
}
