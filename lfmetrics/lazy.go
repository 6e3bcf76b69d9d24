package lfmetrics

import "sync/atomic"

// Lazy initialisation. The Metrics state, the batch stripes and a
// Latency's stripes are each built on first use and published through an
// atomic.Pointer by publish, the one lazy-initialisation pattern of this
// package (and the one atomicx.Counter uses): a first use builds a value
// and publishes it with one compare-and-swap, so it never waits for another
// goroutine; goroutines that race on the first use may each build one, the
// first published is kept and the others are left to the garbage
// collector.
//
// Each owner writes the same two methods, so that the fast path — one
// atomic load of a field of the owner itself — inlines into the Record
// methods, and the slow path stays out of line:
//
//	func (o *owner) state() *T {
//		v := o.st.Load()
//		if v == nil {
//			v = o.initState()
//		}
//		return v
//	}
//
//	func (o *owner) initState() *T { return publish(&o.st, build()) }

// publish stores v in p unless a value was stored first, and returns the
// stored value.
func publish[T any](p *atomic.Pointer[T], v *T) *T {
	if p.CompareAndSwap(nil, v) {
		return v
	}
	return p.Load()
}
