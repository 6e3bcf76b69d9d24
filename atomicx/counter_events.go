package atomicx

import "sync/atomic"

// counterEvents counts the rare events of every Counter in the process, for
// tests and benchmarks that ask why a run was slow. Only Add's sampled path
// and striping reach it, never an unsampled Add.
type counterEvents struct {
	handovers  atomic.Int64 // sampled Adds that found a word's mark naming another goroutine
	stripings  atomic.Int64 // Counters that went from the base word to stripes
	collisions atomic.Int64 // sampled Adds that found their stripe contended
	rehashes   atomic.Int64 // multipliers drawn
}

// counterTrace is nil except while a test counts events.
var counterTrace atomic.Pointer[counterEvents]

// counterEvent applies record to the events being counted, if any.
func counterEvent(record func(*counterEvents)) {
	if e := counterTrace.Load(); e != nil {
		record(e)
	}
}
