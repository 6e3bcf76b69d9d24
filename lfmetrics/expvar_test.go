package lfmetrics

import (
	"encoding/json"
	"expvar"
	"testing"
	"time"
)

func TestMetricsZeroValueAndExpvar(t *testing.T) {
	var m Metrics
	if _, ok := m.AvgQueryLatency(); ok {
		t.Fatal("AvgQueryLatency ok with no query")
	}
	if _, ok := m.QueryLatencyQuantile(0.5); ok {
		t.Fatal("QueryLatencyQuantile ok with no query")
	}
	m.RecordIngestBatch(-1)
	m.RecordReject()
	m.RecordReject()
	m.RecordQuery(2 * time.Millisecond)
	var v expvar.Var = &m
	var got struct {
		Ingested, Rejected, Errors uint64
		Query                      struct {
			Count uint64
			Max   float64 `json:"max_seconds"`
		}
	}
	if err := json.Unmarshal([]byte(v.String()), &got); err != nil {
		t.Fatalf("String() is not JSON: %v: %s", err, v.String())
	}
	if got.Ingested != 0 || got.Rejected != 2 || got.Errors != 1 || got.Query.Count != 1 || got.Query.Max != 0.002 {
		t.Fatalf("expvar JSON %s: want ingested 0, rejected 2, errors 1, one query of 2ms", v.String())
	}
}
