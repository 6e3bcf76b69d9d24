package lfprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lfkit/lfkit/lfmetrics"
)

// DefaultBuckets are the upper bounds, in seconds, of an exported latency
// histogram when WithBuckets is not given: 1-2.5-5 steps from one
// microsecond to ten seconds.
var DefaultBuckets = []float64{
	1e-6, 2.5e-6, 5e-6,
	1e-5, 2.5e-5, 5e-5,
	1e-4, 2.5e-4, 5e-4,
	1e-3, 2.5e-3, 5e-3,
	1e-2, 2.5e-2, 5e-2,
	0.1, 0.25, 0.5,
	1, 2.5, 5,
	10,
}

// Option configures a collector made by NewCollector, NewLatencyCollector
// or NewQueueCollector; each says which options apply to it.
type Option func(*config)

type config struct {
	buckets []float64
	labels  prometheus.Labels
	names   Names
}

// WithBuckets sets the upper bounds, in seconds, of an exported latency
// histogram, in increasing order (the +Inf bucket is implicit). See
// NewCollector for how lfmetrics' finer buckets map onto them.
func WithBuckets(upperBounds ...float64) Option {
	return func(c *config) { c.buckets = upperBounds }
}

// WithConstLabels adds labels with fixed values to every metric, for
// example to tell apart several pipelines exported under one namespace.
func WithConstLabels(labels prometheus.Labels) Option {
	return func(c *config) { c.labels = labels }
}

// WithNames sets the names and help texts of the metrics NewCollector
// exports, replacing DefaultNames as a whole: a metric whose Name is empty
// in names is not exported. Start from DefaultNames to change only some.
func WithNames(names Names) Option {
	return func(c *config) { c.names = names }
}

// Metric is the name and help text of one metric NewCollector exports.
type Metric struct {
	// Name follows the namespace: NewCollector exports the metric as
	// <namespace>_<Name>, or as Name alone when the namespace is empty.
	// An empty Name leaves the metric out.
	Name string
	// Help is the metric's help text, which Prometheus shows with it.
	Help string
}

// Names are the metrics NewCollector exports from a Metrics: one counter
// for each of its counts and one histogram, in seconds, of its query
// latencies. A Metric with an empty Name is not exported.
type Names struct {
	Ingested     Metric // counter of Snapshot.Ingested
	Batches      Metric // counter of Snapshot.Batches
	Rejected     Metric // counter of Snapshot.Rejected (RecordReject)
	Errors       Metric // counter of Snapshot.Errors
	QueryLatency Metric // histogram of Snapshot.Query, in seconds
}

// DefaultNames are the metrics NewCollector exports when WithNames is not
// given (its documentation lists them). Rejected is not among them, so
// that the default exposition stays what it was before Metrics counted
// rejections; to export them, name them:
//
//	names := lfprom.DefaultNames
//	names.Rejected = lfprom.Metric{Name: "rejected_total", Help: "Events rejected by backpressure."}
//	c := lfprom.NewCollector(&m, "ingest", lfprom.WithNames(names))
var DefaultNames = Names{
	Ingested:     Metric{"ingested_total", "Events ingested."},
	Batches:      Metric{"batches_total", "Batches ingested."},
	Errors:       Metric{"errors_total", "Errors, including events dropped by backpressure and rejected batches."},
	QueryLatency: Metric{"query_latency_seconds", "Query latency in seconds."},
}

// collector is the prometheus.Collector NewCollector returns. A nil Desc
// or histogram is a metric left out by WithNames.
type collector struct {
	m                                 *lfmetrics.Metrics
	ingested, batches, rejected, errs *prometheus.Desc
	latency                           *histogram
}

// NewCollector returns a prometheus.Collector that exports m under
// namespace, with DefaultNames:
//
//	<namespace>_ingested_total          counter   events ingested
//	<namespace>_batches_total           counter   batches ingested
//	<namespace>_errors_total            counter   errors
//	<namespace>_query_latency_seconds   histogram query latencies
//
// WithNames chooses other names and help texts, leaves metrics out, and
// adds a counter of the events m rejected (Metrics.RecordReject), which
// the default names leave out. Each collection reads m.Total, so the
// values are cumulative since m's first use, as Prometheus counters must
// be: collecting neither resets m nor changes what its Snapshot, Reset or
// Total report, and m.Reset does not make the exported counters go down.
//
// The histogram's sum and count are exact. Its cumulative bucket counts
// (DefaultBuckets, or those of WithBuckets) come from lfmetrics' finer
// buckets: an lfmetrics bucket counts under an upper bound when all of it
// lies at or below the bound, so an observation at most
// lfmetrics.RelativeError (1/32) below a bound may be counted in the next
// bucket instead. WithConstLabels applies to every metric.
//
// To export other latencies than the query one, such as a service's
// queue wait and processing time, record each into its own
// lfmetrics.Latency and export it with NewLatencyCollector.
//
// NewCollector panics if the bucket bounds of the exported histogram are
// not increasing, as client_golang's own constructors do.
func NewCollector(m *lfmetrics.Metrics, namespace string, opts ...Option) prometheus.Collector {
	cfg := config{buckets: DefaultBuckets, names: DefaultNames}
	for _, o := range opts {
		o(&cfg)
	}
	desc := func(n Metric) *prometheus.Desc {
		if n.Name == "" {
			return nil
		}
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", n.Name), n.Help, nil, cfg.labels)
	}
	c := &collector{
		m:        m,
		ingested: desc(cfg.names.Ingested),
		batches:  desc(cfg.names.Batches),
		rejected: desc(cfg.names.Rejected),
		errs:     desc(cfg.names.Errors),
	}
	if d := desc(cfg.names.QueryLatency); d != nil {
		c.latency = newHistogram(d, cfg.buckets)
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.ingested, c.batches, c.rejected, c.errs} {
		if d != nil {
			ch <- d
		}
	}
	if c.latency != nil {
		ch <- c.latency.desc
	}
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	t := c.m.Total()
	for _, v := range []struct {
		d *prometheus.Desc
		n uint64
	}{{c.ingested, t.Ingested}, {c.batches, t.Batches}, {c.rejected, t.Rejected}, {c.errs, t.Errors}} {
		if v.d != nil {
			ch <- prometheus.MustNewConstMetric(v.d, prometheus.CounterValue, float64(v.n))
		}
	}
	if c.latency != nil {
		ch <- c.latency.metric(t.Query)
	}
}
