package lfprom

import "github.com/prometheus/client_golang/prometheus"

// QueueStats is what NewQueueCollector reads from a queue: its current
// length and its fixed capacity. lfqueue.Queue[T] has both methods for any
// T, and so does any other queue with the same two methods, such as a
// wrapper an application writes around one.
type QueueStats interface {
	Len() int
	Cap() int
}

// queueCollector is the prometheus.Collector NewQueueCollector returns.
type queueCollector struct {
	q                      QueueStats
	length, capacity, fill *prometheus.Desc
}

// NewQueueCollector returns a prometheus.Collector that exports the fill
// state of q under namespace, as gauges:
//
//	<namespace>_queue_length       elements in the queue
//	<namespace>_queue_capacity     elements the queue holds when full
//	<namespace>_queue_fill_ratio   length / capacity, from 0 to 1
//
// Each collection reads q.Len once and q.Cap once, and computes the fill
// ratio from those two values, so the three gauges of one scrape agree.
// Len is a moment's value under concurrent pushes and pops: a scrape
// samples it, it does not count full events. To alert on a full queue,
// alert on a fill ratio that stays high (for example
// min_over_time(<namespace>_queue_fill_ratio[5m]) > 0.9), and count the
// events a full queue turned away where they happen, with
// lfmetrics.Metrics.RecordReject (exported by NewCollector under the name
// WithNames gives Names.Rejected, such as <namespace>_rejected_total).
//
// Export several queues under one namespace by giving each collector a
// constant label with WithConstLabels, for example {queue="orders"}.
// WithBuckets and WithNames do not apply. A collection allocates the
// exported values and never blocks the queue's users: lfqueue's Len and
// Cap take no lock.
func NewQueueCollector(q QueueStats, namespace string, opts ...Option) prometheus.Collector {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	name := func(n string) string { return prometheus.BuildFQName(namespace, "queue", n) }
	return &queueCollector{
		q:        q,
		length:   prometheus.NewDesc(name("length"), "Elements in the queue.", nil, cfg.labels),
		capacity: prometheus.NewDesc(name("capacity"), "Elements the queue holds when full.", nil, cfg.labels),
		fill:     prometheus.NewDesc(name("fill_ratio"), "Queue length divided by capacity, from 0 to 1.", nil, cfg.labels),
	}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.length
	ch <- c.capacity
	ch <- c.fill
}

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	n, capacity := c.q.Len(), c.q.Cap()
	ratio := 0.0
	if capacity > 0 {
		ratio = float64(n) / float64(capacity)
	}
	ch <- prometheus.MustNewConstMetric(c.length, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.capacity, prometheus.GaugeValue, float64(capacity))
	ch <- prometheus.MustNewConstMetric(c.fill, prometheus.GaugeValue, ratio)
}
