package lfmetrics

import (
	"fmt"
	"log/slog"
	"time"
)

// Snapshot is the content of a Metrics over an interval. It is a plain
// value: compare snapshots with go-cmp (cmp.Equal / cmp.Diff).
type Snapshot struct {
	// Ingested counts events: one per RecordIngest, n per
	// RecordIngestBatch(n).
	Ingested uint64
	// Batches counts RecordIngestBatch calls with n ≥ 0.
	Batches uint64
	// Rejected counts RecordReject calls: events backpressure turned away.
	Rejected uint64
	// Errors counts RecordError calls and rejected (negative) batches.
	Errors uint64
	// Query holds the RecordQuery latencies.
	Query LatencySnapshot
	// Elapsed is the length of the interval the snapshot covers.
	Elapsed time.Duration
}

// perSecond returns n per second of Elapsed, or 0 when Elapsed ≤ 0.
func (s Snapshot) perSecond(n uint64) float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(n) / s.Elapsed.Seconds()
}

// Throughput returns Ingested per second of Elapsed (0 when Elapsed ≤ 0).
func (s Snapshot) Throughput() float64 { return s.perSecond(s.Ingested) }

// BatchRate returns Batches per second of Elapsed (0 when Elapsed ≤ 0).
func (s Snapshot) BatchRate() float64 { return s.perSecond(s.Batches) }

// RejectRate returns Rejected per second of Elapsed (0 when Elapsed ≤ 0).
func (s Snapshot) RejectRate() float64 { return s.perSecond(s.Rejected) }

// ErrorRate returns Errors per second of Elapsed (0 when Elapsed ≤ 0).
func (s Snapshot) ErrorRate() float64 { return s.perSecond(s.Errors) }

// QueryRate returns queries per second of Elapsed (0 when Elapsed ≤ 0).
func (s Snapshot) QueryRate() float64 { return s.perSecond(s.Query.Count) }

// Sub returns what happened between prev and s, where prev is an earlier
// Snapshot of the same interval, or an earlier Total: the counts are
// subtracted, Query is Query.Sub(prev.Query), Elapsed is the time between
// the two, and so the rates of the result (Throughput, ErrorRate, …) are
// the rates over that time.
//
// If prev is not earlier — some count or Elapsed of prev exceeds that of
// s, as when a Reset happened between them — Sub returns s, the way
// Prometheus treats a counter reset.
func (s Snapshot) Sub(prev Snapshot) Snapshot {
	q, ok := s.Query.sub(prev.Query)
	if !ok || prev.Ingested > s.Ingested || prev.Batches > s.Batches ||
		prev.Rejected > s.Rejected || prev.Errors > s.Errors || prev.Elapsed > s.Elapsed {
		s.Query = s.Query.clone()
		return s
	}
	return Snapshot{
		Ingested: s.Ingested - prev.Ingested,
		Batches:  s.Batches - prev.Batches,
		Rejected: s.Rejected - prev.Rejected,
		Errors:   s.Errors - prev.Errors,
		Query:    q,
		Elapsed:  s.Elapsed - prev.Elapsed,
	}
}

// Add returns s and o together, as consecutive intervals: counts and
// Elapsed add, Query is Query.Add(o.Query). Adding up the intervals Reset
// returned gives what Total reports.
func (s Snapshot) Add(o Snapshot) Snapshot {
	return Snapshot{
		Ingested: s.Ingested + o.Ingested,
		Batches:  s.Batches + o.Batches,
		Rejected: s.Rejected + o.Rejected,
		Errors:   s.Errors + o.Errors,
		Query:    s.Query.Add(o.Query),
		Elapsed:  s.Elapsed + o.Elapsed,
	}
}

// String formats the counts, the rates and the query latency summary.
func (s Snapshot) String() string {
	return fmt.Sprintf("ingested=%d batches=%d rejected=%d errors=%d elapsed=%v throughput=%.4g/s query={%v}",
		s.Ingested, s.Batches, s.Rejected, s.Errors, s.Elapsed, s.Throughput(), s.Query)
}

// LogValue implements slog.LogValuer: the counts, Elapsed, the throughput
// and the query latency summary, as a group.
func (s Snapshot) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Uint64("ingested", s.Ingested),
		slog.Uint64("batches", s.Batches),
		slog.Uint64("rejected", s.Rejected),
		slog.Uint64("errors", s.Errors),
		slog.Duration("elapsed", s.Elapsed),
		slog.Float64("throughput", s.Throughput()),
		slog.Any("query", s.Query),
	)
}
