package lfmetrics

import (
	"github.com/lfkit/lfkit/atomicx"
	"github.com/lfkit/lfkit/internal/pad"
	"github.com/lfkit/lfkit/internal/stripe"
)

// batchHalf is one half of a batch stripe.
type batchHalf struct {
	events  atomicx.Int[uint64] // Σ n, wrapping as uint64 does
	batches atomicx.Int[uint64] // completion word: added last, one per batch
}

// batchStripe is the part of a Metrics' batch recorder that a group of
// goroutines write, padded apart from the other stripes.
type batchStripe struct {
	_      pad.Line
	ph     phaser
	halves [2]batchHalf
	_      pad.Line
}

// batchState is a Metrics' batch recorder, allocated with its state. A
// batch adds to two words, its events and its batch count, so it is
// recorded on phased stripes (phase.go) rather than on two counters: a
// reader that drained two counters one after the other could take a
// batch's events in one interval and its count in the next, while a reader
// takes a phased half only once every record in it has finished.
type batchState struct {
	stripeBits uint // len(stripes) == 1<<stripeBits
	stripes    []batchStripe
}

// record records a batch of n events on the goroutine's stripe (see
// phaser.tryBegin), with no retry: wait-free.
func (st *batchState) record(n uint64) {
	s := &st.stripes[stripe.Index(stripe.Hint(), st.stripeBits)]
	p, ok := s.ph.tryBegin()
	if !ok {
		s = &st.stripes[stripe.Index(stripe.Random(), st.stripeBits)]
		p = s.ph.begin()
	}
	h := &s.halves[p]
	h.events.Add(n)
	h.batches.Add(1) // last: marks the record finished
}

// collect drains every stripe into c. The caller holds the Metrics' mutex.
func (st *batchState) collect(c *counts) {
	for i := range st.stripes {
		s := &st.stripes[i]
		p, n, ok := s.ph.flip()
		if !ok {
			continue
		}
		// Take the batch counts until all n records are taken: then each
		// has finished, and its events are in place (phase.go, step 3).
		h := &s.halves[p]
		var taken uint64
		for spins := 0; ; spins++ {
			if h.batches.Load() != 0 {
				taken += h.batches.Swap(0)
			}
			if taken == n {
				break
			}
			backoff(spins)
		}
		c.ingested += h.events.Swap(0)
		c.batches += n
	}
}
