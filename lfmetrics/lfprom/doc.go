// Package lfprom exports an lfmetrics.Metrics, standalone lfmetrics.Latency
// recorders and the fill state of lfqueue queues to Prometheus.
//
// NewCollector wraps a Metrics in a prometheus.Collector,
// NewLatencyCollector a Latency (one histogram), and NewQueueCollector a
// queue (anything with Len and Cap, such as an lfqueue.Queue); register
// them with a prometheus.Registry and serve the registry with promhttp:
//
//	var m lfmetrics.Metrics
//	var wait lfmetrics.Latency
//	q := lfqueue.New[Event](1024)
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(lfprom.NewCollector(&m, "ingest"))
//	reg.MustRegister(lfprom.NewLatencyCollector(&wait, "ingest_queue_wait_seconds", "Time events waited in the queue."))
//	reg.MustRegister(lfprom.NewQueueCollector(q, "ingest"))
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// The application chooses the names: NewLatencyCollector takes the
// histogram's name and help text, and WithNames gives NewCollector's
// metrics other names (DefaultNames are the default), leaves some out,
// or adds the counter of rejected events (Metrics.RecordReject).
//
// The metrics are built with client_golang's constant-metric constructors
// at each scrape from m.Total (or the Latency's Total), which is
// cumulative and unaffected by m.Reset: the application can keep closing
// its own intervals while Prometheus sees monotonic counters. A scrape
// costs one Total, which never blocks the recording goroutines, and
// allocates the exported values; the recording hot path pays nothing for
// it.
//
// The queue collector exports <namespace>_queue_length,
// <namespace>_queue_capacity and <namespace>_queue_fill_ratio, read at
// each scrape; see NewQueueCollector for alerting on a full queue.
//
// This package is a separate module (github.com/lfkit/lfkit/lfmetrics/lfprom)
// so that lfkit itself does not depend on client_golang.
package lfprom
