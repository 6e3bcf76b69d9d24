package lfprom

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/lfkit/lfkit/internal/fixture"
	"github.com/lfkit/lfkit/lfmetrics"
)

// The repository's shared fixtures: the reference latency distributions
// that the quantile tests of lfmetrics and of this package both read. This
// module is nested two levels below the root module.
const (
	repoRoot     = "../.."
	referenceDir = repoRoot + "/testdata/latency"
)

// referenceDistributions returns the reference distributions. It skips
// the test when this module is not inside the lfkit repository (a module
// download has no ../../testdata), and fails when it is but the files are
// missing.
func referenceDistributions(t *testing.T) []fixture.Distribution {
	t.Helper()
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil || !strings.Contains(string(gomod), "module github.com/lfkit/lfkit\n") {
		t.Skip("not inside the lfkit repository: no shared testdata")
	}
	return fixture.Latencies(t, referenceDir)
}

// TestHistogramReferenceDistributions records each reference distribution
// as query latencies, scrapes the exported histogram, and checks it
// against the durations (checkReferenceHistogram).
func TestHistogramReferenceDistributions(t *testing.T) {
	for _, ref := range referenceDistributions(t) {
		t.Run(ref.Name, func(t *testing.T) {
			ds := ref.Durations
			var m lfmetrics.Metrics
			var sum float64
			for _, d := range ds {
				m.RecordQuery(d)
				sum += max(d, 0).Seconds()
			}
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(NewCollector(&m, "ref"))
			families, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			var h *dto.Histogram
			for _, f := range families {
				if f.GetName() == "ref_query_latency_seconds" {
					h = f.GetMetric()[0].GetHistogram()
				}
			}
			if h == nil {
				t.Fatal("no ref_query_latency_seconds histogram gathered")
			}
			checkReferenceHistogram(t, h, ds, sum)
		})
	}
}

// TestLatencyCollectorReferenceDistributions records each reference
// distribution into a standalone Latency and, as the peer, into
// client_golang's own Histogram with the same name, help, labels and
// buckets, and scrapes both: the two expositions agree on everything but
// the bucket counts, where NewLatencyCollector may count an observation
// at most lfmetrics.RelativeError below a bound in the next bucket (see
// sameHistogram), and the exported histogram passes the checks of
// TestHistogramReferenceDistributions.
func TestLatencyCollectorReferenceDistributions(t *testing.T) {
	for _, ref := range referenceDistributions(t) {
		t.Run(ref.Name, func(t *testing.T) {
			ds := ref.Durations
			labels := prometheus.Labels{"file": ref.Name + ".txt"}
			var l lfmetrics.Latency
			peer := prometheus.NewHistogram(prometheus.HistogramOpts{
				Name: "ref_wait_seconds", Help: "Reference durations.", ConstLabels: labels, Buckets: DefaultBuckets,
			})
			var sum float64
			for _, d := range ds {
				l.Record(d)
				peer.Observe(max(d, 0).Seconds())
				sum += max(d, 0).Seconds()
			}
			ours := gatherOne(t, NewLatencyCollector(&l, "ref_wait_seconds", "Reference durations.", WithConstLabels(labels)))
			sameHistogram(t, ours, gatherOne(t, peer), false)
			checkReferenceHistogram(t, ours.GetMetric()[0].GetHistogram(), ds, sum)
		})
	}
}

// checkReferenceHistogram checks an exported histogram of the durations
// ds, whose sum in seconds is sum, as NewCollector documents it: count and
// sum exact; under each of DefaultBuckets' bounds b the cumulative count
// lies between the number of durations ≤ b·(1 − lfmetrics.RelativeError)
// and the number ≤ b; so the bucket in which a quantile's rank is reached
// brackets the exact quantile, as histogram_quantile assumes.
func checkReferenceHistogram(t *testing.T, h *dto.Histogram, ds []time.Duration, sum float64) {
	t.Helper()
	if h.GetSampleCount() != uint64(len(ds)) {
		t.Fatalf("count %d, recorded %d", h.GetSampleCount(), len(ds))
	}
	if got := h.GetSampleSum(); math.Abs(got-sum) > 1e-9*sum {
		t.Fatalf("sum %v s, recorded %v s", got, sum)
	}
	sorted := make([]time.Duration, len(ds))
	for i, d := range ds {
		sorted[i] = max(d, 0)
	}
	slices.Sort(sorted)
	atMost := func(b float64) uint64 { // durations ≤ b seconds
		n, _ := slices.BinarySearchFunc(sorted, b, func(d time.Duration, b float64) int {
			if d.Seconds() <= b {
				return -1
			}
			return 1
		})
		return uint64(n)
	}
	buckets := h.GetBucket()
	if len(buckets) != len(DefaultBuckets) {
		t.Fatalf("%d buckets exported, want %d", len(buckets), len(DefaultBuckets))
	}
	for _, b := range buckets {
		bound, got := b.GetUpperBound(), b.GetCumulativeCount()
		lo, hi := atMost(bound*(1-lfmetrics.RelativeError)), atMost(bound)
		if got < lo || got > hi {
			t.Fatalf("le=%v: cumulative count %d, want within [%d, %d]", bound, got, lo, hi)
		}
	}
	// Each quantile's rank is reached in a bucket that brackets it.
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		rank := uint64(math.Ceil(q * float64(len(sorted))))
		exact := sorted[rank-1].Seconds()
		prev := 0.0
		for _, b := range buckets {
			if b.GetCumulativeCount() >= rank {
				if exact > b.GetUpperBound() || exact <= prev*(1-lfmetrics.RelativeError) {
					t.Fatalf("q=%v: exact %v s, but the rank is reached in (%v, %v]", q, exact, prev, b.GetUpperBound())
				}
				break
			}
			prev = b.GetUpperBound()
		}
	}
}

func TestWithBucketsAndBoundRounding(t *testing.T) {
	var m lfmetrics.Metrics
	// 1000ns is in lfmetrics bucket [992, 1007]: not wholly ≤ 1µs, so it
	// counts under the next bound. 960ns ([960, 975]) counts under 1µs.
	m.RecordQuery(960)
	m.RecordQuery(1000)
	c := NewCollector(&m, "x", WithBuckets(1e-6, 2e-6))
	want := `
# HELP x_query_latency_seconds Query latency in seconds.
# TYPE x_query_latency_seconds histogram
x_query_latency_seconds_bucket{le="1e-06"} 1
x_query_latency_seconds_bucket{le="2e-06"} 2
x_query_latency_seconds_bucket{le="+Inf"} 2
x_query_latency_seconds_sum 1.96e-06
x_query_latency_seconds_count 2
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "x_query_latency_seconds"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("decreasing bounds did not panic")
		}
	}()
	NewCollector(&m, "x", WithBuckets(2, 1))
}
