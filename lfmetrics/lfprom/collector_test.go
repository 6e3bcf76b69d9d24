package lfprom

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/lfkit/lfkit/lfmetrics"
)

// record puts the golden file's content into m: 42 events in one batch of
// 40 and two singles, two errors (one a rejected batch), and four queries:
// 1.5µs, 3ms twice, and 20s (past the last bound).
func record(m *lfmetrics.Metrics) {
	m.RecordIngestBatch(40)
	m.RecordIngest()
	m.RecordIngest()
	m.RecordError()
	m.RecordIngestBatch(-5)
	m.RecordQuery(1500 * time.Nanosecond)
	m.RecordQuery(3 * time.Millisecond)
	m.RecordQuery(3 * time.Millisecond)
	m.RecordQuery(20 * time.Second)
}

func newTestCollector(m *lfmetrics.Metrics) prometheus.Collector {
	return NewCollector(m, "pipeline", WithConstLabels(prometheus.Labels{"pipeline": "orders"}))
}

func TestCollectGolden(t *testing.T) {
	var m lfmetrics.Metrics
	record(&m)
	c := newTestCollector(&m)
	golden, err := os.Open("testdata/collect.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer golden.Close()
	if err := testutil.CollectAndCompare(c, golden); err != nil {
		t.Fatal(err)
	}
	// The collector lints clean: names, units, help.
	problems, err := testutil.CollectAndLint(c)
	if err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

// TestCollectDoesNotDisturb: collecting leaves Snapshot unchanged, and a
// Reset of the Metrics does not make the exported counters go down.
func TestCollectDoesNotDisturb(t *testing.T) {
	var m lfmetrics.Metrics
	record(&m)
	c := newTestCollector(&m)
	before := m.Snapshot()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	for range 3 {
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
	}
	after := m.Snapshot()
	after.Elapsed = before.Elapsed
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("collecting changed the Metrics (-before +after):\n%s", diff)
	}
	m.Reset()
	m.RecordIngest()
	golden := strings.Replace(mustRead(t, "testdata/collect.golden"),
		`pipeline_ingested_total{pipeline="orders"} 42`, `pipeline_ingested_total{pipeline="orders"} 43`, 1)
	if err := testutil.CollectAndCompare(c, strings.NewReader(golden)); err != nil {
		t.Fatalf("after m.Reset: %v", err)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestScrapeHTTP serves the collector with promhttp on loopback and
// scrapes it as Prometheus would.
func TestScrapeHTTP(t *testing.T) {
	var m lfmetrics.Metrics
	record(&m)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newTestCollector(&m))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") && !strings.HasPrefix(srv.URL, "http://[::1]:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}
	for range 2 { // a second scrape sees the same values
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %s: %s", resp.Status, body)
		}
		for _, want := range []string{
			`pipeline_ingested_total{pipeline="orders"} 42`,
			`pipeline_errors_total{pipeline="orders"} 2`,
			`pipeline_query_latency_seconds_bucket{pipeline="orders",le="0.005"} 3`,
			`pipeline_query_latency_seconds_bucket{pipeline="orders",le="+Inf"} 4`,
			`pipeline_query_latency_seconds_count{pipeline="orders"} 4`,
		} {
			if !strings.Contains(string(body), want) {
				t.Fatalf("scrape lacks %q:\n%s", want, body)
			}
		}
	}
}

// TestDefaultNamesUnchanged: NewCollector's default exposition is the
// golden one, the same with WithNames(DefaultNames), and rejections do not
// enter it unless named.
func TestDefaultNamesUnchanged(t *testing.T) {
	var m lfmetrics.Metrics
	record(&m)
	m.RecordReject()
	labels := WithConstLabels(prometheus.Labels{"pipeline": "orders"})
	for name, c := range map[string]prometheus.Collector{
		"default":                 newTestCollector(&m),
		"WithNames(DefaultNames)": NewCollector(&m, "pipeline", labels, WithNames(DefaultNames)),
	} {
		if err := testutil.CollectAndCompare(c, strings.NewReader(mustRead(t, "testdata/collect.golden"))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestWithNames: the caller's names and help texts replace the defaults,
// metrics with no name are left out, the rejected counter is exported
// when named, and an empty namespace leaves the names bare.
func TestWithNames(t *testing.T) {
	var m lfmetrics.Metrics
	record(&m)
	for range 3 {
		m.RecordReject()
	}
	names := Names{
		Ingested:     Metric{Name: "accepted_total", Help: "Jobs accepted into the queue."},
		Rejected:     Metric{Name: "rejected_total", Help: "Jobs answered 503: the queue was full."},
		Errors:       Metric{Name: "failed_total", Help: "Jobs whose processing failed."},
		QueryLatency: Metric{Name: "processing_seconds", Help: "Time spent processing a job."},
	}
	want := `
# HELP svc_accepted_total Jobs accepted into the queue.
# TYPE svc_accepted_total counter
svc_accepted_total 42
# HELP svc_failed_total Jobs whose processing failed.
# TYPE svc_failed_total counter
svc_failed_total 2
# HELP svc_processing_seconds Time spent processing a job.
# TYPE svc_processing_seconds histogram
svc_processing_seconds_bucket{le="0.001"} 1
svc_processing_seconds_bucket{le="1"} 3
svc_processing_seconds_bucket{le="+Inf"} 4
svc_processing_seconds_sum 20.0060015
svc_processing_seconds_count 4
# HELP svc_rejected_total Jobs answered 503: the queue was full.
# TYPE svc_rejected_total counter
svc_rejected_total 3
`
	c := NewCollector(&m, "svc", WithNames(names), WithBuckets(1e-3, 1))
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
	// The namespace is optional: "" leaves the names as given.
	bare := NewCollector(&m, "", WithNames(names), WithBuckets(1e-3, 1))
	if err := testutil.CollectAndCompare(bare, strings.NewReader(strings.ReplaceAll(want, "svc_", ""))); err != nil {
		t.Fatalf("empty namespace: %v", err)
	}
	// Counters only: no histogram, and its bucket bounds are not checked.
	counters := NewCollector(&m, "svc", WithNames(Names{Rejected: names.Rejected}), WithBuckets(2, 1))
	if n := testutil.CollectAndCount(counters); n != 1 {
		t.Fatalf("one named metric: %d collected", n)
	}
}
