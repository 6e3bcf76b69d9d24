package lfprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lfkit/lfkit/lfmetrics"
)

// latencyCollector is the prometheus.Collector NewLatencyCollector
// returns.
type latencyCollector struct {
	l *lfmetrics.Latency
	h *histogram
}

// NewLatencyCollector returns a prometheus.Collector that exports l as one
// histogram, in seconds, under the name and help text given: the full
// metric name, such as "worker_queue_wait_seconds" (prometheus.BuildFQName
// joins a namespace, subsystem and name). Export each latency an
// application measures — a service's queue wait and its processing time,
// say — from its own Latency with its own collector.
//
// Each collection reads l.Total, so the histogram is cumulative since l's
// first use, as Prometheus requires: collecting neither resets l nor
// changes what its Snapshot, Reset or Total report, and l.Reset does not
// make the exported counts go down. The buckets are DefaultBuckets, or
// those of WithBuckets, filled from lfmetrics' finer buckets as
// NewCollector describes; sum and count are exact. WithConstLabels
// applies; WithNames does not.
//
// NewLatencyCollector panics if the bucket bounds are not increasing, as
// client_golang's own constructors do. An invalid name is reported when
// the collector is registered, as for client_golang's own metrics.
func NewLatencyCollector(l *lfmetrics.Latency, name, help string, opts ...Option) prometheus.Collector {
	cfg := config{buckets: DefaultBuckets}
	for _, o := range opts {
		o(&cfg)
	}
	return &latencyCollector{
		l: l,
		h: newHistogram(prometheus.NewDesc(name, help, nil, cfg.labels), cfg.buckets),
	}
}

// Describe implements prometheus.Collector.
func (c *latencyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.h.desc }

// Collect implements prometheus.Collector.
func (c *latencyCollector) Collect(ch chan<- prometheus.Metric) { ch <- c.h.metric(c.l.Total()) }
