package regime

import (
	"fmt"
	"runtime"
	"strings"
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
	// Burn CPU until the process has used 20 ms of it (bounded by 10 s of
	// wall time, for a starved host), so CPU/wall must come out above zero
	// however loaded the machine is.
	start, ok := processCPU()
	deadline := time.Now().Add(10 * time.Second)
	for ok && time.Now().Before(deadline) {
		if now, _ := processCPU(); now-start >= 20*time.Millisecond {
			break
		}
		runtime.Gosched()
	}
	m := metrics{}
	s.Report(m)
	if m["rt-ns"] <= 0 {
		t.Errorf("rt-ns = %v, want > 0", m["rt-ns"])
	}
	if _, ok := threadCPU(); ok && m["probe-cpu/wall"] <= 0 {
		t.Errorf("probe-cpu/wall = %v, want > 0", m["probe-cpu/wall"])
	}
	if ok && m["cpu/wall"] <= 0 {
		t.Errorf("cpu/wall = %v after 20ms of process CPU, want > 0", m["cpu/wall"])
	}
}

func TestClassify(t *testing.T) {
	const ns = time.Nanosecond
	for _, tc := range []struct {
		procs, ncpu int
		rt          time.Duration
		cpuPerWall  float64
		want        Regime
	}{
		{1, 2, 300 * ns, 1.0, Solo},
		{1, 64, 5 * time.Millisecond, 0.2, Solo}, // one P: nothing to place
		{2, 1, 100 * ns, 1.0, Turns},             // two Ps on one CPU
		{2, 2, 90 * ns, 1.98, Near},
		{2, 2, 249 * ns, 1.6, Near},
		{2, 2, 250 * ns, 1.9, Far},
		{2, 2, 480 * ns, 2.0, Far},
		{2, 2, 1999 * ns, 1.9, Far},
		{2, 2, 2000 * ns, 1.9, Turns}, // the peer waited for a time slice
		{2, 2, 90 * ns, 1.49, Turns},  // one core's worth of time
		{2, 2, 480 * ns, 1.0, Turns},
		{2, 2, 90 * ns, 0, Near}, // CPU time not measured: round trip decides
		{2, 2, 600 * ns, 0, Far},
		{4, 2, 90 * ns, 1.6, Near}, // the probe runs two goroutines, whatever GOMAXPROCS
		{4, 2, 90 * ns, 1.4, Turns},
		{16, 16, 300 * ns, 1.9, Far},
	} {
		if got := Classify(tc.procs, tc.ncpu, tc.rt, tc.cpuPerWall); got != tc.want {
			t.Errorf("Classify(%d, %d, %v, %v) = %s, want %s", tc.procs, tc.ncpu, tc.rt, tc.cpuPerWall, got, tc.want)
		}
	}
}

func TestClassifyRejectsBadInput(t *testing.T) {
	for _, args := range [][4]float64{{0, 2, 100, 1}, {2, 0, 100, 1}, {2, 2, -1, 1}, {2, 2, 100, -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Classify%v did not panic", args)
				}
			}()
			Classify(int(args[0]), int(args[1]), time.Duration(args[2]), args[3])
		}()
	}
}

// TestRoundTripBudget: once the budget has passed, the probe stops after
// its minimum of batches; with time to spare it runs its full count. Either way
// its peer goroutine returns (goleak in TestMain would see it otherwise).
func TestRoundTripBudget(t *testing.T) {
	if p, n := probe(0); n != probeMinBatches || p.RoundTrip <= 0 {
		t.Errorf("probe(0) = %+v after %d batches, want > 0 after %d", p, n, probeMinBatches)
	}
	if p, n := probe(time.Hour); n < probeBatches || p.RoundTrip <= 0 {
		t.Errorf("probe(1h) = %+v after %d batches, want > 0 after %d or more", p, n, probeBatches)
	}
}

func TestSampleRegime(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if r := Begin().Regime(); r != Solo {
		t.Errorf("Regime at GOMAXPROCS 1 = %s, want %s", r, Solo)
	}
}

// TestProbeCPUShare: two goroutines spin through the probe, so their CPU
// time per wall time is at most 2 (and, where measured, clearly above 0).
// At GOMAXPROCS 1 it is not measured.
func TestProbeCPUShare(t *testing.T) {
	if _, ok := threadCPU(); !ok {
		t.Skip("no per-thread CPU clock on this platform")
	}
	p := ProbeNow()
	if p.CPUPerWall <= 0.1 || p.CPUPerWall > 2.2 {
		t.Errorf("probe CPU share %v with GOMAXPROCS %d, want in (0.1, 2.2]", p.CPUPerWall, runtime.GOMAXPROCS(0))
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if p := ProbeNow(); p.CPUPerWall != 0 || p.RoundTrip <= 0 {
		t.Errorf("probe with GOMAXPROCS 1 = %+v, want a round trip and no CPU share", p)
	}
}

// spinShare spins two goroutines, each locked to its thread, for d and
// returns the CPU time they got per wall time: what the machine gives two
// busy threads right now.
func spinShare(d time.Duration) float64 {
	cpu := make(chan time.Duration, 2)
	begin := time.Now()
	for range 2 {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			c0, _ := threadCPU()
			for time.Since(begin) < d {
			}
			c1, _ := threadCPU()
			cpu <- c1 - c0
		}()
	}
	sum := <-cpu + <-cpu
	return float64(sum) / float64(time.Since(begin))
}

// TestProbeCPUShareMatchesMachine: when the machine gives two spinning
// threads (nearly) two CPUs, the probe, whose two goroutines also spin,
// must report (nearly) that share, or it would call a placement "turns"
// that is not. The probe once yielded its locked goroutines every 1024
// spins and so measured its own thread handoffs (0.5 to 1.2 on an idle
// 2-vCPU host); this test fails on that probe. An attempt is judged only
// when the machine gave two spinning threads two CPUs both just before and
// just after the probe, so a neighbour that takes a CPU during the probe
// (a busy CI host) skips the attempt instead of failing it; the test fails
// only when at least minJudged such attempts all saw the probe short.
func TestProbeCPUShareMatchesMachine(t *testing.T) {
	if _, ok := threadCPU(); !ok {
		t.Skip("no per-thread CPU clock on this platform")
	}
	if runtime.GOMAXPROCS(0) < 2 || runtime.NumCPU() < 2 {
		t.Skip("needs GOMAXPROCS >= 2 and two CPUs")
	}
	const minJudged = 3
	var got []string
	for range 16 {
		before := spinShare(10 * time.Millisecond)
		if before < 1.8 {
			continue
		}
		p := ProbeNow()
		after := spinShare(10 * time.Millisecond)
		if after < 1.8 {
			continue
		}
		base := min(before, after)
		got = append(got, fmt.Sprintf("machine %.2f before, %.2f after, probe %.2f (rt %v)", before, after, p.CPUPerWall, p.RoundTrip))
		if p.CPUPerWall >= 0.8*base {
			return
		}
	}
	if len(got) < minJudged {
		t.Skipf("only %d attempts had the machine give two spinning threads 1.8 CPUs around the probe (need %d):\n%s",
			len(got), minJudged, strings.Join(got, "\n"))
	}
	t.Errorf("the probe's CPU share stayed below 0.8x what two spinning threads got around it:\n%s", strings.Join(got, "\n"))
}
