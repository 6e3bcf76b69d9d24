package lfprom_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

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

// A queue-processing service: an HTTP handler queues each job, or answers
// 503 when the queue is full; workers pop jobs and process them. It
// measures the time a job waited in the queue and the time processing it
// took with two lfmetrics.Latency recorders, counts accepted jobs,
// rejections (503s, apart from errors) and failed jobs with a Metrics,
// and exports all of it under its own names.
func Example_queueService() {
	type job struct {
		enqueued time.Time
		payload  string
	}
	var (
		m          lfmetrics.Metrics // accepted, rejected, failed
		wait, work lfmetrics.Latency // queue wait, processing time
		queue      = lfqueue.New[job](2)
	)

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		lfprom.NewCollector(&m, "checkout", lfprom.WithNames(lfprom.Names{
			Ingested: lfprom.Metric{Name: "jobs_accepted_total", Help: "Jobs accepted into the queue."},
			Rejected: lfprom.Metric{Name: "jobs_rejected_total", Help: "Jobs answered 503 because the queue was full."},
			Errors:   lfprom.Metric{Name: "jobs_failed_total", Help: "Jobs whose processing failed."},
			// Batches and QueryLatency have no name: not exported.
		})),
		lfprom.NewLatencyCollector(&wait, "checkout_queue_wait_seconds", "Time a job waited in the queue."),
		lfprom.NewLatencyCollector(&work, "checkout_processing_seconds", "Time spent processing a job."),
	)

	// The handler: queue the job or shed it.
	submit := func(payload string) int {
		if !queue.TryPush(job{enqueued: time.Now(), payload: payload}) {
			m.RecordReject()
			return http.StatusServiceUnavailable
		}
		m.RecordIngest()
		return http.StatusAccepted
	}
	// A worker's step: pop a job, record how long it waited, process it,
	// record how long that took.
	process := func() {
		j, ok := queue.TryPop()
		if !ok {
			return
		}
		start := time.Now()
		wait.Record(start.Sub(j.enqueued))
		if j.payload == "" {
			m.RecordError()
		}
		work.Record(time.Since(start))
	}

	var codes []any
	for _, p := range []string{"a", "", "c", "d", "e"} {
		codes = append(codes, submit(p))
	}
	fmt.Println(codes...)
	process()
	process()

	families, _ := reg.Gather()
	for _, f := range families {
		switch mt := f.GetMetric()[0]; f.GetType() {
		case dto.MetricType_COUNTER:
			fmt.Println(f.GetName(), mt.GetCounter().GetValue())
		case dto.MetricType_HISTOGRAM:
			fmt.Println(f.GetName(), "count", mt.GetHistogram().GetSampleCount())
		}
	}
	// Output:
	// 202 202 503 503 503
	// checkout_jobs_accepted_total 2
	// checkout_jobs_failed_total 1
	// checkout_jobs_rejected_total 3
	// checkout_processing_seconds count 2
	// checkout_queue_wait_seconds count 2
}
