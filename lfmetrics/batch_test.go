package lfmetrics

import (
	"sync"
	"testing"
	"unsafe"
)

// TestConcurrentBatchSameInterval: a RecordIngestBatch(n) lands its n events and its
// batch count in the same interval. Writers record only batches of n while
// a reader alternates Reset and Snapshot; in every interval either
// returns, Ingested == n × Batches.
func TestConcurrentBatchSameInterval(t *testing.T) {
	const writers, n = 4, 7
	batches := 20000
	if testing.Short() {
		batches = 3000
	}
	var m Metrics
	var wg sync.WaitGroup
	done := make(chan struct{})
	var bad []Snapshot
	var intervals int
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			var s Snapshot
			if i%2 == 0 {
				s = m.Reset()
			} else {
				s = m.Snapshot()
			}
			intervals++
			if s.Ingested != n*s.Batches && len(bad) < 5 {
				bad = append(bad, s)
			}
		}
	}()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range batches {
				m.RecordIngestBatch(n)
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	final := m.Reset()
	if final.Ingested != n*final.Batches {
		bad = append(bad, final)
	}
	t.Logf("%d readings", intervals)
	for _, s := range bad {
		t.Errorf("interval with Ingested %d, Batches %d: want Ingested = %d × Batches", s.Ingested, s.Batches, n)
	}
	if tot := m.Total(); tot.Batches != writers*uint64(batches) || tot.Ingested != n*tot.Batches {
		t.Fatalf("Total: %d batches, %d ingested; want %d batches of %d", tot.Batches, tot.Ingested, writers*batches, n)
	}
}

// TestBatchStripeLayout: the words a batch stripe's writers touch are at
// least pad.Size away from any other stripe's, and its size is the one the
// package doc states.
func TestBatchStripeLayout(t *testing.T) {
	var b batchStripe
	checkStripePadded(t, "batchStripe", unsafe.Offsetof(b.ph),
		unsafe.Offsetof(b.halves)+unsafe.Sizeof(b.halves), unsafe.Sizeof(b), 296)
}
