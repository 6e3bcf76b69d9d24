package lfprom_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/lfkit/lfkit/lfmetrics"
	"github.com/lfkit/lfkit/lfmetrics/lfprom"
	"github.com/lfkit/lfkit/lfqueue"
)

// Register a Metrics with a Prometheus registry; serve the registry with
// promhttp.HandlerFor(reg, promhttp.HandlerOpts{}) on /metrics.
func ExampleNewCollector() {
	var m lfmetrics.Metrics
	reg := prometheus.NewRegistry()
	reg.MustRegister(lfprom.NewCollector(&m, "ingest"))

	m.RecordIngestBatch(100)
	m.RecordError()
	m.RecordQuery(2 * time.Millisecond)
	m.Reset() // the application's own intervals do not reset the export

	families, _ := reg.Gather()
	for _, f := range families {
		fmt.Println(f.GetName(), f.GetType())
	}
	n, _ := testutil.GatherAndCount(reg, "ingest_ingested_total")
	fmt.Println("series:", n)
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP ingest_ingested_total Events ingested.
# TYPE ingest_ingested_total counter
ingest_ingested_total 100
`), "ingest_ingested_total")
	fmt.Println("ingested_total is 100 after Reset:", err == nil)
	// Output:
	// ingest_batches_total COUNTER
	// ingest_errors_total COUNTER
	// ingest_ingested_total COUNTER
	// ingest_query_latency_seconds HISTOGRAM
	// series: 1
	// ingested_total is 100 after Reset: true
}

// Export the fill state of a queue: length, capacity and fill ratio as
// gauges. Several queues share a namespace through a constant label.
func ExampleNewQueueCollector() {
	orders := lfqueue.New[string](4)
	reg := prometheus.NewRegistry()
	reg.MustRegister(lfprom.NewQueueCollector(orders, "ingest",
		lfprom.WithConstLabels(prometheus.Labels{"queue": "orders"})))

	orders.TryPush("a")
	orders.TryPush("b")
	orders.TryPush("c")

	families, _ := reg.Gather()
	for _, f := range families {
		fmt.Println(f.GetName(), f.GetMetric()[0].GetGauge().GetValue())
	}
	// Output:
	// ingest_queue_capacity 4
	// ingest_queue_fill_ratio 0.75
	// ingest_queue_length 3
}
