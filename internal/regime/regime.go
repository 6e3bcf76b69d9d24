// Package regime records the placement regime a contended benchmark sample ran
// in, so that figures from different regimes are never compared.
//
// On a shared host the two vCPUs a process gets can sit close together (a
// short cache-line round trip), far apart (a long one), or effectively take
// turns on one physical core (two spinning goroutines get one CPU second per
// wall second instead of two). The same benchmark measures very differently
// in each of these regimes.
//
// A Sample (Begin, then Report) takes a probe just before the measured work
// — the round trip, and the CPU time the probe's two spinning goroutines got
// per wall time — and the process CPU time per wall time across the work,
// and reports them as benchmark metrics ("rt-ns", "probe-cpu/wall",
// "cpu/wall") beside ns/op. Classify turns a probe into a Regime. It uses
// the probe alone: the run's own CPU time per wall time is reported but not
// used, because goroutines that park lower it by themselves (two
// implementations of one handoff, run in the same placement, get different
// CPU shares). Ratios divides
// the figures of one implementation by a peer's only within one round of an
// interleaved run and one regime.
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

// Sample is one measured run: the probe taken at its start, and the process
// CPU and wall clocks at its start.
type Sample struct {
	procs     int
	probe     Probe
	startWall time.Time
	startCPU  time.Duration
	cpuOK     bool
}

// Begin runs the probe (ProbeNow) and starts the clocks. Call it just before the
// measured work (after setup, before b.ResetTimer or b.Loop).
func Begin() *Sample {
	s := &Sample{procs: runtime.GOMAXPROCS(0), probe: ProbeNow()}
	s.startCPU, s.cpuOK = processCPU()
	s.startWall = time.Now()
	return s
}

// RoundTripNS is the probed round trip in nanoseconds.
func (s *Sample) RoundTripNS() float64 { return float64(s.probe.RoundTrip.Nanoseconds()) }

// Probe is the probe taken at Begin.
func (s *Sample) Probe() Probe { return s.probe }

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

// Regime classifies the sample (see Classify) by its probe, at the
// GOMAXPROCS of Begin.
func (s *Sample) Regime() Regime {
	return Classify(s.procs, runtime.NumCPU(), s.probe.RoundTrip, s.probe.CPUPerWall)
}

// Report reports "rt-ns" (the probe's round trip), "probe-cpu/wall" (the
// probe's CPU share) and "cpu/wall" (the run's) through r (a *testing.B).
// Call it once the measured work is done, before the benchmark function
// returns.
func (s *Sample) Report(r Reporter) {
	r.ReportMetric(s.CPUPerWall(), "cpu/wall")
	r.ReportMetric(s.RoundTripNS(), "rt-ns")
	r.ReportMetric(s.probe.CPUPerWall, "probe-cpu/wall")
}

// The probe runs batches of probeHops round trips, at least probeBatches of
// them and for at least probeMinWall (so that its CPU share covers a
// stretch of time, not a few hundred round trips), and stops early once
// probeBudget has passed after probeMinBatches; its result is the median
// batch, so one descheduling of the peer does not decide it. When the host
// makes the two vCPUs take turns, a hop lasts a host time slice and the
// budget bounds the probe to a few batches. A waiter yields only once it
// has waited probeYieldAfter (see probe).
const (
	probeHops       = 50
	probeBatches    = 28
	probeMinBatches = 3
	probeMinWall    = time.Millisecond
	probeBudget     = 5 * time.Millisecond
	probeYieldAfter = 100 * time.Microsecond
)

// probeStop is the value that tells the probe's peer goroutine to return.
const probeStop = -1

// A Probe is what RoundTrip measures: the median round trip, and the CPU
// time the two spinning goroutines got per wall time of the probe, summed
// over the two, each over its own part of the probe (≈ 2 when
// both vCPUs ran at once, ≈ 1 when they took turns; 0 at GOMAXPROCS 1 and
// where the platform gives no per-thread CPU time).
type Probe struct {
	RoundTrip  time.Duration
	CPUPerWall float64
}

// RoundTrip measures the median time for a token to travel to another
// goroutine and back through one atomic word. With GOMAXPROCS ≥ 2 and idle
// cores that is one cache-line round trip between two cores; with
// GOMAXPROCS = 1 it is two goroutine switches. How long it runs is bounded
// by the probe constants (probeMinWall, probeBudget), unless the host stalls
// the process.
func RoundTrip() time.Duration { return ProbeNow().RoundTrip }

// ProbeNow runs the round-trip probe and returns its round trip and its
// CPU share. Both goroutines spin for the whole probe, so unlike the CPU
// time per wall time of a workload (which drops when the workload's
// goroutines park), its CPU share depends only on what the machine gave the
// process.
func ProbeNow() Probe {
	p, _ := probe(probeBudget)
	return p
}

// probe is ProbeNow with a budget; it also returns how many batches it ran.
func probe(budget time.Duration) (Probe, int) {
	var word atomic.Int64
	oneP := runtime.GOMAXPROCS(0) == 1
	// wait spins until word holds v or probeStop. With one P it yields at
	// every turn, so that the peer runs. With more it yields only once a
	// wait has lasted probeYieldAfter (a peer that lost its P to another
	// goroutine then gets one), reading the clock once every 1024 spins:
	// both goroutines are locked to their threads, and a locked goroutine
	// that yields hands its P to another thread and sleeps until the P is
	// handed back, far longer than a round trip. A probe that yielded at a
	// fixed spin count would measure those handoffs, not the round trip,
	// and report a lower CPU share than the process got.
	wait := func(v int64) bool {
		var start time.Time
		for spins := 1; ; spins++ {
			switch word.Load() {
			case v:
				return true
			case probeStop:
				return false
			}
			switch {
			case oneP:
				runtime.Gosched()
			case spins%1024 != 0:
			case start.IsZero():
				start = time.Now()
			case time.Since(start) >= probeYieldAfter:
				runtime.Gosched()
			}
		}
	}
	// With two or more Ps, each goroutine is locked to its OS thread, so
	// the thread's CPU clock is its own. With one P the goroutines take
	// turns on it by design: locking them to two threads would turn every
	// hop into a thread handoff, and their CPU share says nothing, so it
	// is not measured.
	threadCPU := threadCPU
	if oneP {
		threadCPU = func() (time.Duration, bool) { return 0, false }
	} else {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	// Each goroutine's CPU share is its thread's CPU time over its own wall
	// interval, read outside the CPU clock's reads (wall, CPU, …, CPU,
	// wall), so that neither share can exceed 1: the peer's interval ends
	// only once it sees the stop, and on a virtual machine a thread's CPU
	// clock also runs while the host has stopped its vCPU, so a share
	// taken over the other goroutine's wall interval could.
	peerShare := make(chan float64, 1)
	go func() {
		if !oneP {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		var c0 time.Duration
		var t0 time.Time
		ok0 := false
		for i := int64(0); wait(2*i + 1); i++ {
			if i == 0 { // the warm-up hop: both goroutines run from here
				t0 = time.Now()
				c0, ok0 = threadCPU()
			}
			word.Store(2*i + 2)
		}
		c1, ok1 := threadCPU()
		wall := time.Since(t0)
		if !ok0 || !ok1 || wall <= 0 {
			peerShare <- -1
			return
		}
		peerShare <- float64(c1-c0) / float64(wall)
	}()
	batches := make([]time.Duration, 0, probeBatches)
	// A warm-up hop first: the peer's thread may take a while to start.
	word.Store(1)
	wait(2)
	i := int64(1)
	begin := time.Now()
	c0, ok0 := threadCPU()
	for {
		elapsed := time.Since(begin)
		if len(batches) >= probeMinBatches && elapsed > budget {
			break
		}
		if len(batches) >= probeBatches && elapsed >= probeMinWall {
			break
		}
		start := time.Now()
		for range probeHops {
			word.Store(2*i + 1)
			wait(2*i + 2)
			i++
		}
		batches = append(batches, time.Since(start)/probeHops)
	}
	c1, ok1 := threadCPU()
	word.Store(probeStop)
	wall := time.Since(begin)
	peer := <-peerShare
	slices.Sort(batches)
	p := Probe{RoundTrip: batches[len(batches)/2]}
	if ok0 && ok1 && peer >= 0 && wall > 0 {
		p.CPUPerWall = float64(c1-c0)/float64(wall) + peer
	}
	return p, len(batches)
}
