package lfmetrics

import (
	"sync"
	"testing"
	"time"
)

// TestConcurrentFirstUse: goroutines that race on the first use of a fresh
// Metrics (its state with the batch stripes, the counters, the query
// Latency) all record into the one state that is kept; none is lost.
func TestConcurrentFirstUse(t *testing.T) {
	const goroutines = 8
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for round := range rounds {
		var m Metrics
		var ready, done sync.WaitGroup
		start := make(chan struct{})
		for g := range goroutines {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				switch g % 3 {
				case 0:
					m.RecordIngestBatch(2)
				case 1:
					m.RecordQuery(time.Duration(g))
				default:
					m.RecordIngest()
				}
				m.RecordQuery(time.Duration(g))
			}()
		}
		ready.Wait()
		close(start)
		done.Wait()
		tot := m.Total()
		var batches, queries, ingested uint64
		for g := range goroutines {
			switch g % 3 {
			case 0:
				batches++
				ingested += 2
			case 1:
				queries++
			default:
				ingested++
			}
			queries++
		}
		if tot.Batches != batches || tot.Ingested != ingested || tot.Query.Count != queries {
			t.Fatalf("round %d: Total has %d batches, %d ingested, %d queries; recorded %d, %d, %d",
				round, tot.Batches, tot.Ingested, tot.Query.Count, batches, ingested, queries)
		}
	}
}
