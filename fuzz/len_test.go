package fuzz

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lfkit/lfkit/lfqueue"
)

// newQueue returns a queue of the given capacity, padded or compact.
func newQueue[T any](capacity int, compact bool) *lfqueue.Queue[T] {
	if compact {
		return lfqueue.New[T](capacity, lfqueue.Compact())
	}
	return lfqueue.New[T](capacity)
}

// TestConcurrentLenDuringForcePush checks Len and its derived observers
// against a queue that is full at every instant: it is filled, then one
// goroutine only ForcePushes (each evicts the oldest element and appends, as
// one step) while another reads Len, IsFull, IsEmpty and FillRatio. Nobody
// pops, so every read must report a full queue. This is a deterministic
// property of the results; the loop counts bound the run time.
//
// Regression test for a bug found by this suite: ForcePush advances head
// before tail, and Len read between the two reported Cap()-1 (0 for
// capacity 1, with IsEmpty true) for a full queue.
func TestConcurrentLenDuringForcePush(t *testing.T) {
	const forces = 20000
	for capacity := 1; capacity <= 4; capacity++ {
		for _, compact := range []bool{false, true} {
			t.Run(fmt.Sprintf("cap=%d/compact=%v", capacity, compact), func(t *testing.T) {
				q := newQueue[int](capacity, compact)
				for i := range capacity {
					q.TryPush(i)
				}
				var stop atomic.Bool
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer stop.Store(true)
					for i := range forces {
						if _, evicted, err := q.ForcePush(capacity + i); !evicted || err != nil {
							t.Errorf("ForcePush on a full queue: evicted %v, err %v", evicted, err)
							return
						}
					}
				}()
				reads, wrong := 0, 0
				var first string
				for !stop.Load() {
					reads++
					n, full, empty, ratio := q.Len(), q.IsFull(), q.IsEmpty(), q.FillRatio()
					if n != capacity || !full || empty || ratio != 1 {
						wrong++
						if first == "" {
							first = fmt.Sprintf("Len %d, IsFull %v, IsEmpty %v, FillRatio %v", n, full, empty, ratio)
						}
					}
				}
				wg.Wait()
				if wrong > 0 {
					t.Errorf("queue full at every instant, but %d of %d reads said otherwise (first: %s)", wrong, reads, first)
				}
			})
		}
	}
}
