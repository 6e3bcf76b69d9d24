package lfmetrics

import "sync/atomic"

// Lazy initialisation. The Metrics state, the batch stripes and a
// Latency's stripes are each built on first use and published through an
// atomic.Pointer by publish: a first use builds a value and publishes it
// with one compare-and-swap, so it never waits for another goroutine;
// goroutines that race on the first use may each build one, the first
// published is kept and the others are left to the garbage collector.
// Each owner has a state method, one atomic load of its own field that
// inlines into the Record methods, and an initState method, out of line,
// that builds the value and calls publish.

// publish stores v in p unless a value was stored first, and returns the
// stored value.
func publish[T any](p *atomic.Pointer[T], v *T) *T {
	if p.CompareAndSwap(nil, v) {
		return v
	}
	return p.Load()
}
