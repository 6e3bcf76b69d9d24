package lfmetrics

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSnapshotSubAndRates(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	m := New(WithClock(clock.now))
	for range 10 {
		m.RecordIngest()
	}
	m.RecordQuery(time.Millisecond)
	clock.t = clock.t.Add(time.Second)
	s1 := m.Snapshot()
	m.RecordIngestBatch(40)
	m.RecordError()
	for range 2 {
		m.RecordReject()
	}
	m.RecordQuery(3 * time.Millisecond)
	clock.t = clock.t.Add(4 * time.Second)
	s2 := m.Snapshot()
	d := s2.Sub(s1)
	// The difference's Min is a bound (its bucket's low end), Max exact here.
	if lo := d.Query.Min; lo > 3*time.Millisecond || float64(lo) < float64(3*time.Millisecond)*(1-RelativeError) {
		t.Fatalf("Sub Query.Min = %v, want a bound within RelativeError below 3ms", lo)
	}
	d.Query.Min = 3 * time.Millisecond
	want := Snapshot{Ingested: 40, Batches: 1, Rejected: 2, Errors: 1, Elapsed: 4 * time.Second,
		Query: wantLatency([]time.Duration{3 * time.Millisecond})}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Fatalf("Sub (-want +got):\n%s", diff)
	}
	if d.Throughput() != 10 || d.ErrorRate() != 0.25 || d.BatchRate() != 0.25 || d.QueryRate() != 0.25 || d.RejectRate() != 0.5 {
		t.Fatalf("rates %v %v %v %v %v, want 10 0.25 0.25 0.25 0.5",
			d.Throughput(), d.ErrorRate(), d.BatchRate(), d.QueryRate(), d.RejectRate())
	}
	if s2.Throughput() != 10 || m.Throughput() != 10 {
		t.Fatalf("Throughput %v / %v, want 50 events / 5 s = 10", s2.Throughput(), m.Throughput())
	}
	// After a Reset, an earlier snapshot is not "earlier": Sub returns s.
	m.Reset()
	m.RecordIngest()
	s3 := m.Snapshot()
	if diff := cmp.Diff(s3, s3.Sub(s2)); diff != "" {
		t.Fatalf("Sub across a Reset (-want +got):\n%s", diff)
	}
	if (Snapshot{Ingested: 5}).Throughput() != 0 {
		t.Fatal("Throughput with no Elapsed must be 0")
	}
	for _, want := range []string{"ingested=50", "batches=1", "rejected=2", "errors=1", "elapsed=5s", "throughput=10/s", "query={count=2"} {
		if !strings.Contains(s2.String(), want) {
			t.Errorf("String() = %q lacks %q", s2.String(), want)
		}
	}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "s", s2)
	for _, want := range []string{"s.ingested=50", "s.rejected=2", "s.errors=1"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("slog output %q lacks %q", buf.String(), want)
		}
	}
}
