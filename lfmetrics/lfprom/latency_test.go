package lfprom

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/lfkit/lfkit/lfmetrics"
)

// gatherOne registers c alone with a pedantic registry (which checks the
// collector's descriptions against what it collects) and returns the one
// metric family it exports.
func gatherOne(t *testing.T, c prometheus.Collector) *dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 1 || len(families[0].GetMetric()) != 1 {
		t.Fatalf("gathered %v, want one family with one metric", families)
	}
	return families[0]
}

// sameHistogram checks the histogram family ours against theirs, gathered
// from client_golang's own Histogram fed the same durations: name, help,
// type, labels, count and bucket bounds equal, sum equal up to
// floating-point rounding (theirs adds seconds, ours converts an exact
// nanosecond sum). Bucket counts are equal when exact; otherwise each of
// ours may only be lower, by the observations that lie within
// lfmetrics.RelativeError below the bound (the caller checks that bound).
func sameHistogram(t *testing.T, ours, theirs *dto.MetricFamily, exact bool) {
	t.Helper()
	type meta struct {
		Name, Help string
		Type       dto.MetricType
		Labels     map[string]string
		Count      uint64
		Bounds     []float64
	}
	metaOf := func(f *dto.MetricFamily) meta {
		m := f.GetMetric()[0]
		md := meta{Name: f.GetName(), Help: f.GetHelp(), Type: f.GetType(), Labels: map[string]string{}}
		for _, l := range m.GetLabel() {
			md.Labels[l.GetName()] = l.GetValue()
		}
		md.Count = m.GetHistogram().GetSampleCount()
		for _, b := range m.GetHistogram().GetBucket() {
			md.Bounds = append(md.Bounds, b.GetUpperBound())
		}
		return md
	}
	if diff := cmp.Diff(metaOf(theirs), metaOf(ours)); diff != "" {
		t.Fatalf("exposition differs from client_golang's (-client_golang +lfprom):\n%s", diff)
	}
	oh, th := ours.GetMetric()[0].GetHistogram(), theirs.GetMetric()[0].GetHistogram()
	if o, c := oh.GetSampleSum(), th.GetSampleSum(); math.Abs(o-c) > 1e-9*math.Abs(c) {
		t.Fatalf("sum %v s, client_golang's %v s", o, c)
	}
	for i, b := range oh.GetBucket() {
		o, c := b.GetCumulativeCount(), th.GetBucket()[i].GetCumulativeCount()
		if o > c || exact && o != c {
			t.Fatalf("le=%v: cumulative count %d, client_golang's %d", b.GetUpperBound(), o, c)
		}
	}
}

// TestLatencyCollectorMatchesClientGolang: a Latency exported with the
// name, help, const labels and buckets the caller gives is exposed as
// client_golang's own Histogram would expose the same durations; with no
// duration within lfmetrics.RelativeError below a bound, the bucket counts
// are equal too.
func TestLatencyCollectorMatchesClientGolang(t *testing.T) {
	ds := []time.Duration{0, -5, 1500, 700 * time.Microsecond, 3 * time.Millisecond,
		3 * time.Millisecond, 40 * time.Millisecond, 20 * time.Second}
	labels := prometheus.Labels{"service": "checkout"}
	for _, c := range []struct {
		name    string
		buckets []float64
		opts    []Option
	}{
		{"default buckets", DefaultBuckets, []Option{WithConstLabels(labels)}},
		{"WithBuckets", []float64{1e-3, 0.01, 1}, []Option{WithConstLabels(labels), WithBuckets(1e-3, 0.01, 1)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var l lfmetrics.Latency
			peer := prometheus.NewHistogram(prometheus.HistogramOpts{
				Name: "checkout_queue_wait_seconds", Help: "Time a job waited in the queue.",
				ConstLabels: labels, Buckets: c.buckets,
			})
			for _, d := range ds {
				l.Record(d)
				peer.Observe(max(d, 0).Seconds())
			}
			col := NewLatencyCollector(&l, "checkout_queue_wait_seconds", "Time a job waited in the queue.", c.opts...)
			sameHistogram(t, gatherOne(t, col), gatherOne(t, peer), true)
			if problems, err := testutil.CollectAndLint(col); err != nil || len(problems) > 0 {
				t.Fatalf("lint: %v %v", err, problems)
			}
		})
	}
}

// TestLatencyCollectorCumulative: collecting does not disturb the Latency,
// and its Reset does not make the exported counts go down.
func TestLatencyCollectorCumulative(t *testing.T) {
	var l lfmetrics.Latency
	l.Record(2 * time.Millisecond)
	c := NewLatencyCollector(&l, "work_seconds", "Processing time.", WithBuckets(1e-3, 1e-2))
	want := func(count int, sum float64) string {
		return fmt.Sprintf(`
# HELP work_seconds Processing time.
# TYPE work_seconds histogram
work_seconds_bucket{le="0.001"} 0
work_seconds_bucket{le="0.01"} %[1]d
work_seconds_bucket{le="+Inf"} %[1]d
work_seconds_sum %[2]v
work_seconds_count %[1]d
`, count, sum)
	}
	for range 2 {
		if err := testutil.CollectAndCompare(c, strings.NewReader(want(1, 0.002))); err != nil {
			t.Fatal(err)
		}
	}
	if s := l.Snapshot(); s.Count != 1 {
		t.Fatalf("collecting changed the Latency: Snapshot count %d, want 1", s.Count)
	}
	l.Reset()
	l.Record(3 * time.Millisecond)
	if err := testutil.CollectAndCompare(c, strings.NewReader(want(2, 0.005))); err != nil {
		t.Fatalf("after l.Reset: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("decreasing bounds did not panic")
		}
	}()
	NewLatencyCollector(&l, "x_seconds", "x", WithBuckets(2, 1))
}
