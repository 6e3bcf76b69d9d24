package fuzz

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lfkit/lfkit/lfqueue"
)

// layout names one of Queue's slot layouts: the default (Compact for the
// fuzzed element types: packed in position order), Remap (packed with a
// cache remap) or Padded.
type layout int

const (
	layoutDefault layout = iota
	layoutRemap
	layoutPadded
	numLayouts
)

func (l layout) String() string {
	return [...]string{"default", "remap", "padded"}[l]
}

// newQueue returns a queue of the given capacity and slot layout.
func newQueue[T any](capacity int, l layout) *lfqueue.Queue[T] {
	switch l {
	case layoutRemap:
		return lfqueue.New[T](capacity, lfqueue.Remap())
	case layoutPadded:
		return lfqueue.New[T](capacity, lfqueue.Padded())
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
		for l := range numLayouts {
			t.Run(fmt.Sprintf("cap=%d/layout=%v", capacity, l), func(t *testing.T) {
				q := newQueue[int](capacity, l)
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
