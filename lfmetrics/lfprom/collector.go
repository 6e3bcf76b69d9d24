package lfprom

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lfkit/lfkit/lfmetrics"
)

// DefaultBuckets are the upper bounds, in seconds, of the query latency
// histogram when WithBuckets is not given: 1-2.5-5 steps from 1µs to 10s.
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

// Option configures a collector made by NewCollector or NewQueueCollector.
type Option func(*config)

type config struct {
	buckets []float64
	labels  prometheus.Labels
}

// WithBuckets sets the upper bounds, in seconds, of the exported query
// latency histogram, in increasing order (the +Inf bucket is implicit).
// See NewCollector for how lfmetrics' finer buckets map onto them.
func WithBuckets(upperBounds ...float64) Option {
	return func(c *config) { c.buckets = upperBounds }
}

// WithConstLabels adds labels with fixed values to every metric, for
// example to tell apart several pipelines exported under one namespace.
func WithConstLabels(labels prometheus.Labels) Option {
	return func(c *config) { c.labels = labels }
}

// collector is the prometheus.Collector NewCollector returns.
type collector struct {
	m                       *lfmetrics.Metrics
	bounds                  []float64
	boundsNs                []time.Duration
	ingested, batches, errs *prometheus.Desc
	latency                 *prometheus.Desc
}

// NewCollector returns a prometheus.Collector that exports m under
// namespace:
//
//	<namespace>_ingested_total          counter   events ingested
//	<namespace>_batches_total           counter   batches ingested
//	<namespace>_errors_total            counter   errors
//	<namespace>_query_latency_seconds   histogram query latencies
//
// Each collection reads m.Total, so the values are cumulative since m's
// first use, as Prometheus counters must be: collecting neither resets m
// nor changes what its Snapshot, Reset or Total report, and m.Reset does
// not make the exported counters go down.
//
// The histogram's sum and count are exact. Its cumulative bucket counts
// come from lfmetrics' finer buckets: an lfmetrics bucket counts under an
// upper bound when all of it lies at or below the bound, so an observation
// at most lfmetrics.RelativeError (3.1%) below a bound may be counted in
// the next bucket instead.
//
// NewCollector panics if the bucket bounds are not increasing, as
// client_golang's own constructors do.
func NewCollector(m *lfmetrics.Metrics, namespace string, opts ...Option) prometheus.Collector {
	cfg := config{buckets: DefaultBuckets}
	for _, o := range opts {
		o(&cfg)
	}
	c := &collector{m: m, bounds: append([]float64(nil), cfg.buckets...)}
	for i, b := range c.bounds {
		if i > 0 && !(b > c.bounds[i-1]) {
			panic("lfprom: histogram bucket bounds must be in increasing order")
		}
		c.boundsNs = append(c.boundsNs, secondsToDuration(b))
	}
	name := func(n string) string { return prometheus.BuildFQName(namespace, "", n) }
	c.ingested = prometheus.NewDesc(name("ingested_total"), "Events ingested.", nil, cfg.labels)
	c.batches = prometheus.NewDesc(name("batches_total"), "Batches ingested.", nil, cfg.labels)
	c.errs = prometheus.NewDesc(name("errors_total"), "Errors, including events dropped by backpressure and rejected batches.", nil, cfg.labels)
	c.latency = prometheus.NewDesc(name("query_latency_seconds"), "Query latency in seconds.", nil, cfg.labels)
	return c
}

// secondsToDuration converts an upper bound in seconds to the greatest
// whole nanosecond it admits, saturating at the ends of time.Duration.
func secondsToDuration(s float64) time.Duration {
	ns := s * 1e9
	switch {
	case ns >= 1<<63-1:
		return 1<<63 - 1
	case ns < 0:
		return -1
	}
	d := time.Duration(ns)
	if float64(d) > ns { // rounded up past the bound
		d--
	}
	return d
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.ingested
	ch <- c.batches
	ch <- c.errs
	ch <- c.latency
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	t := c.m.Total()
	ch <- prometheus.MustNewConstMetric(c.ingested, prometheus.CounterValue, float64(t.Ingested))
	ch <- prometheus.MustNewConstMetric(c.batches, prometheus.CounterValue, float64(t.Batches))
	ch <- prometheus.MustNewConstMetric(c.errs, prometheus.CounterValue, float64(t.Errors))

	q := t.Query
	cum := make(map[float64]uint64, len(c.bounds))
	var seen uint64
	j := 0
	for i, bound := range c.boundsNs {
		for j < len(q.Buckets) && q.Buckets[j].High <= bound {
			seen += q.Buckets[j].Count
			j++
		}
		cum[c.bounds[i]] = seen
	}
	h, err := prometheus.NewConstHistogram(c.latency, q.Count, q.Sum.Seconds(), cum)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.latency, err)
		return
	}
	ch <- h
}
