// Package regime records the placement regime a contended benchmark sample ran
// in, so that figures from different regimes are never compared.
//
// On a shared host the two vCPUs a process gets can sit close together (a
// cache-line round trip of ~100 ns), far apart (~500 ns), or effectively take
// turns on one physical core (process CPU time per wall time ≈ 1 instead of
// ≈ 2). The same benchmark measures up to 4× apart across these regimes. A
// Sample takes a round-trip probe just before the measured work and the CPU
// time per wall time across it, and reports both as benchmark metrics
// ("rt-ns" and "cpu/wall") beside ns/op.
package regime

import (
	"runtime"
	"slices"
	"sync/atomic"
	"time"
)

// Reporter is the part of *testing.B that a Sample reports through.
type Reporter interface {
	ReportMetric(n float64, unit string)
}

// Sample is one measured run: the round trip probed at its start, and the
// process CPU and wall clocks at its start.
type Sample struct {
	rt        time.Duration
	startWall time.Time
	startCPU  time.Duration
	cpuOK     bool
}

// Begin probes the round trip and starts the clocks. Call it just before the
// measured work (after setup, before b.ResetTimer or b.Loop).
func Begin() *Sample {
	s := &Sample{rt: RoundTrip()}
	s.startCPU, s.cpuOK = processCPU()
	s.startWall = time.Now()
	return s
}

// RoundTripNS is the probed round trip in nanoseconds.
func (s *Sample) RoundTripNS() float64 { return float64(s.rt.Nanoseconds()) }

// CPUPerWall is the process CPU time per wall time since Begin (0 where the
// platform gives no process CPU time).
func (s *Sample) CPUPerWall() float64 {
	wall := time.Since(s.startWall)
	cpu, ok := processCPU()
	if !ok || !s.cpuOK || wall <= 0 {
		return 0
	}
	return float64(cpu-s.startCPU) / float64(wall)
}

// Report reports "rt-ns" and "cpu/wall" through r (a *testing.B). Call it once
// the measured work is done, before the benchmark function returns.
func (s *Sample) Report(r Reporter) {
	r.ReportMetric(s.CPUPerWall(), "cpu/wall")
	r.ReportMetric(s.RoundTripNS(), "rt-ns")
}

// probeBatches × probeHops round trips make one probe; its result is the
// median batch, so one descheduling of the peer does not decide it.
const (
	probeBatches = 7
	probeHops    = 200
)

// RoundTrip measures the median time for a token to travel to another
// goroutine and back through one atomic word. With GOMAXPROCS ≥ 2 and idle
// cores that is one cache-line round trip between two cores; with
// GOMAXPROCS = 1 it is two goroutine switches.
func RoundTrip() time.Duration {
	var word atomic.Int64
	oneP := runtime.GOMAXPROCS(0) == 1
	wait := func(v int64) {
		for spins := 1; word.Load() != v; spins++ {
			if oneP || spins%1024 == 0 {
				runtime.Gosched()
			}
		}
	}
	total := int64(probeBatches * probeHops)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range total {
			wait(2*i + 1)
			word.Store(2*i + 2)
		}
	}()
	batches := make([]time.Duration, 0, probeBatches)
	var i int64
	for range probeBatches {
		start := time.Now()
		for range probeHops {
			word.Store(2*i + 1)
			wait(2*i + 2)
			i++
		}
		batches = append(batches, time.Since(start)/probeHops)
	}
	<-done
	slices.Sort(batches)
	return batches[len(batches)/2]
}
