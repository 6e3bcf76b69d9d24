package lfmetrics

import (
	"encoding/json"
	"time"
)

// String returns the current interval's Snapshot as a JSON object, which
// makes *Metrics an expvar.Var: publish it with expvar.Publish(name, m).
// Durations are in seconds:
//
//	{"ingested":3,"batches":1,"rejected":0,"errors":0,"elapsed_seconds":2,
//	 "throughput":1.5,"reject_rate":0,"error_rate":0,
//	 "query":{"count":2,"sum_seconds":0.003,"mean_seconds":0.0015,
//	          "min_seconds":0.001,"p50_seconds":0.001,"p90_seconds":0.002,
//	          "p99_seconds":0.002,"p999_seconds":0.002,"max_seconds":0.002}}
//
// Like Snapshot, it does not disturb the Metrics.
func (m *Metrics) String() string {
	return m.Snapshot().jsonString()
}

type jsonLatency struct {
	Count uint64  `json:"count"`
	Sum   float64 `json:"sum_seconds"`
	Mean  float64 `json:"mean_seconds"`
	Min   float64 `json:"min_seconds"`
	P50   float64 `json:"p50_seconds"`
	P90   float64 `json:"p90_seconds"`
	P99   float64 `json:"p99_seconds"`
	P999  float64 `json:"p999_seconds"`
	Max   float64 `json:"max_seconds"`
}

type jsonSnapshot struct {
	Ingested   uint64      `json:"ingested"`
	Batches    uint64      `json:"batches"`
	Rejected   uint64      `json:"rejected"`
	Errors     uint64      `json:"errors"`
	Elapsed    float64     `json:"elapsed_seconds"`
	Throughput float64     `json:"throughput"`
	RejectRate float64     `json:"reject_rate"`
	ErrorRate  float64     `json:"error_rate"`
	Query      jsonLatency `json:"query"`
}

func (s Snapshot) jsonString() string {
	sec := time.Duration.Seconds
	q := s.Query
	b, err := json.Marshal(jsonSnapshot{
		Ingested:   s.Ingested,
		Batches:    s.Batches,
		Rejected:   s.Rejected,
		Errors:     s.Errors,
		Elapsed:    sec(s.Elapsed),
		Throughput: s.Throughput(),
		RejectRate: s.RejectRate(),
		ErrorRate:  s.ErrorRate(),
		Query: jsonLatency{
			Count: q.Count,
			Sum:   sec(q.Sum),
			Mean:  sec(q.Mean()),
			Min:   sec(q.Min),
			P50:   sec(q.Quantile(0.5)),
			P90:   sec(q.Quantile(0.9)),
			P99:   sec(q.Quantile(0.99)),
			P999:  sec(q.Quantile(0.999)),
			Max:   sec(q.Max),
		},
	})
	if err != nil { // unreachable: every field is a finite number
		return "{}"
	}
	return string(b)
}
