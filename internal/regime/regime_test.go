package regime

import (
	"runtime"
	"testing"
	"time"
)

type metrics map[string]float64

func (m metrics) ReportMetric(n float64, unit string) { m[unit] = n }

func TestRoundTripPositive(t *testing.T) {
	if rt := RoundTrip(); rt <= 0 || rt > time.Second {
		t.Fatalf("RoundTrip() = %v, want a positive duration under 1s", rt)
	}
}

func TestSampleReportsBothMetrics(t *testing.T) {
	s := Begin()
	// Burn CPU on this goroutine for a while, so CPU/wall is clearly > 0.
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
		runtime.Gosched()
	}
	m := metrics{}
	s.Report(m)
	if m["rt-ns"] <= 0 {
		t.Errorf("rt-ns = %v, want > 0", m["rt-ns"])
	}
	if _, ok := processCPU(); ok && m["cpu/wall"] <= 0.2 {
		t.Errorf("cpu/wall = %v after 50ms of spinning, want > 0.2", m["cpu/wall"])
	}
}
