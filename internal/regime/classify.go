package regime

import (
	"fmt"
	"time"
)

// Regime is the placement a sample ran in. Samples of different regimes
// measure different machines in effect; never divide one by the other.
type Regime string

// The regimes. Solo and Uncontended are not placements of two vCPUs but are
// kept apart from them all the same.
const (
	// Solo: GOMAXPROCS was 1, so goroutines took turns on one P and no
	// cache line moved between cores on their account.
	Solo Regime = "1p"
	// Near: both vCPUs ran at once and a round trip between them was
	// shorter than NearLimit (they share a core complex).
	Near Regime = "near"
	// Far: both vCPUs ran at once and the round trip was NearLimit or
	// longer (different sockets or core complexes).
	Far Regime = "far"
	// Turns: the vCPUs effectively took turns: the process got less than
	// TurnsCPUFraction of its cores' time per wall time, or the round
	// trip reached TurnsLimit (the peer waited for a host time slice).
	Turns Regime = "turns"
	// Uncontended: a sample with no probe (a single-goroutine benchmark).
	Uncontended Regime = "uncontended"
)

// The classifier's thresholds.
const (
	// NearLimit separates Near from Far. It lies in the gap between the
	// two clusters that probed round trips fall into on the hosts lfkit
	// is measured on, where few samples land.
	NearLimit = 250 * time.Nanosecond
	// TurnsLimit is the round trip from which the peer is taken not to
	// have been running: no cache line takes microseconds to move.
	TurnsLimit = 2 * time.Microsecond
	// TurnsCPUFraction: a probe whose two goroutines got less than this
	// fraction of two CPUs' time per wall time ran in Turns (below 1.5,
	// where ≈ 1 means one core's worth of time).
	TurnsCPUFraction = 0.75
)

// Classify returns the regime of a sample taken at GOMAXPROCS procs on a
// machine with ncpu CPUs (GOMAXPROCS 1: Solo; more Ps than one CPU: Turns),
// whose probe measured roundTrip and cpuPerWall, the CPU seconds per wall
// second its two spinning goroutines got (0: not measured; the round trip
// alone decides). Pass the probe's figure, not a workload's: goroutines
// that park lower a workload's figure on their own.
func Classify(procs, ncpu int, roundTrip time.Duration, cpuPerWall float64) Regime {
	if procs < 1 || ncpu < 1 || roundTrip < 0 || cpuPerWall < 0 {
		panic(fmt.Sprintf("regime: Classify(%d, %d, %v, %v): negative or zero input", procs, ncpu, roundTrip, cpuPerWall))
	}
	switch {
	case procs == 1:
		return Solo
	case ncpu == 1: // several Ps time-share one CPU
		return Turns
	case roundTrip >= TurnsLimit:
		return Turns
	case cpuPerWall > 0 && cpuPerWall < TurnsCPUFraction*2:
		return Turns
	case roundTrip < NearLimit:
		return Near
	}
	return Far
}

// Regimes lists the regimes in the order tables show them.
var Regimes = []Regime{Uncontended, Solo, Near, Far, Turns}
