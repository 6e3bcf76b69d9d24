// Package peers holds the queues that lfkit's benchmarks and its lfbench
// tool measure lfqueue against, written once so that every benchmark
// measures the same code:
//
//   - MutexRing, the bounded queue a Go programmer writes by hand: a slice
//     used as a ring under a sync.Mutex, with two sync.Conds (notFull and
//     notEmpty) for the operations that wait;
//   - Chan, a buffered channel behind the same method set.
//
// Both have an exact capacity, are safe for any number of producers and
// consumers, and close the way a channel does: Close marks the end of the
// input, every element pushed before it can still be popped, and once the
// queue is empty the pops report that it is closed; a push on a closed
// queue panics.
//
// The types are concrete and generic, so a benchmark that calls them
// directly adds no interface call of its own to what it measures. They
// exist to be measured against and are not part of lfkit's API.
package peers

import "errors"

// ErrClosed is what PopCtx returns once the queue is closed and empty.
var ErrClosed = errors.New("peers: queue closed")

// checkCapacity panics unless capacity is at least 1; fn names the caller.
func checkCapacity(fn string, capacity int) {
	if capacity < 1 {
		panic("peers: " + fn + ": capacity must be at least 1")
	}
}
