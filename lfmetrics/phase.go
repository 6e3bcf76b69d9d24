package lfmetrics

import (
	"runtime"
	"time"

	"github.com/lfkit/lfkit/atomicx"
)

// Writer/reader phase flip, shared by the latency stripes and the batch
// stripes (HdrHistogram's WriterReaderPhaser, per stripe).
//
// A phased stripe has two halves and a started word: its top bit names the
// hot half, the bits below count the records that started in it since it
// became hot. The protocol, relied upon by every record and drain:
//
//  1. A record adds 1 to started, reading the hot half p from the value it
//     replaced, then writes only half p, and its last write is an add to a
//     completion word of half p (a bucket, a batch count) that the reader
//     can take with swaps. So the completion words of half p count the
//     finished records of phase p, never more than started counted.
//  2. Only a reader changes the phase, by swapping started for the other
//     half with a count of 0 (flip); readers of one stripe are serialized
//     by their owner's mutex. The swap returns n, the number of records
//     that started in half p. No record starts in half p after it.
//  3. The reader takes the completion words of half p until it has taken n,
//     waiting (backoff) for records still in progress; then every record of
//     phase p has finished and half p holds all they wrote. The reader
//     zeroes half p before it releases the mutex, so outside a reader's
//     critical section the cold half is all zeros.
const (
	phaseShift = 63
	countMask  = 1<<phaseShift - 1
)

// phaser is a phased stripe's started word.
type phaser struct {
	started atomicx.Int[uint64]
}

// tryBegin starts a record and returns its half, unless another record is
// starting on the same stripe at this moment (the compare-and-swap fails).
// Every record tries the stripe its goroutine hashes to first and, when
// tryBegin fails, begins on a random stripe instead, as Java's LongAdder
// rehashes a thread after a failed compare-and-swap.
func (ph *phaser) tryBegin() (p uint64, ok bool) {
	n := ph.started.Load()
	return n >> phaseShift, ph.started.CompareAndSwap(n, n+1)
}

// begin starts a record and returns its half.
func (ph *phaser) begin() uint64 {
	return (ph.started.Add(1) - 1) >> phaseShift
}

// flip makes the other half hot and returns the half p that was hot and
// the number n of records that started in it. When no record started in
// the hot half since the last flip it changes nothing and returns ok false:
// as if it had flipped and found nothing. The caller holds its owner's
// reader mutex.
func (ph *phaser) flip() (p, n uint64, ok bool) {
	cur := ph.started.Load()
	if cur&countMask == 0 {
		return 0, 0, false
	}
	p = cur >> phaseShift // stable: only readers flip, and we hold the mutex
	return p, ph.started.Swap((p^1)<<phaseShift) & countMask, true
}

// backoff is the reader's wait for a record in progress. A record never
// waits, so it finishes as soon as it runs: spin, then yield the P, then
// (its thread was descheduled) give up the CPU.
func backoff(spins int) {
	switch {
	case spins < 8:
	case spins < 64:
		runtime.Gosched()
	default:
		time.Sleep(time.Microsecond)
	}
}
