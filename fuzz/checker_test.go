package fuzz

import (
	"context"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/anishathalye/porcupine"

	"github.com/lfkit/lfkit/lfqueue"
)

// refQueue is a mutex-guarded bounded FIFO with lfqueue's contract, for
// testing the checker: it is linearizable by construction (every operation
// takes the lock once, or for a batch once), unless broken is set, which makes
// it misbehave in the given way.
type refQueue struct {
	mu      sync.Mutex
	items   []int
	cap     int
	closed  bool
	changed chan struct{} // closed and replaced on every change, to wake waiters
	broken  breakage
	count   int  // pushes and pops so far, to pace the breakage
	lied    bool // closedEarly: the early ErrClosed was reported
}

type breakage int

const (
	notBroken       breakage = iota
	dropsPushes              // every 3rd successful push is reported but not stored
	reorders                 // a pop of a queue with ≥ 2 elements takes the second
	failsSpuriously          // every 4th TryPop of a nonempty queue reports empty
	closedEarly              // the first Pop of a closed nonempty queue reports ErrClosed
)

func newRefQueue(capacity int, b breakage) *refQueue {
	return &refQueue{cap: capacity, changed: make(chan struct{}), broken: b}
}

var _ linQueue = (*refQueue)(nil)

func (q *refQueue) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// push is TryPush with the lock held.
func (q *refQueue) push(v int) bool {
	if q.closed || len(q.items) == q.cap {
		return false
	}
	q.count++
	if q.broken == dropsPushes && q.count%3 == 0 {
		return true
	}
	q.items = append(q.items, v)
	q.signal()
	return true
}

// pop is TryPop with the lock held.
func (q *refQueue) pop(try bool) (int, bool) {
	if len(q.items) == 0 {
		return 0, false
	}
	q.count++
	if try && q.broken == failsSpuriously && q.count%4 == 0 {
		return 0, false
	}
	i := 0
	if q.broken == reorders && len(q.items) >= 2 {
		i = 1
	}
	v := q.items[i]
	q.items = append(q.items[:i], q.items[i+1:]...)
	q.signal()
	return v, true
}

func (q *refQueue) TryPush(v int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.push(v)
}

func (q *refQueue) TryPop() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pop(true)
}

func (q *refQueue) Push(ctx context.Context, v int) error {
	for {
		q.mu.Lock()
		switch {
		case q.closed:
			q.mu.Unlock()
			return lfqueue.ErrClosed
		case q.push(v):
			q.mu.Unlock()
			return nil
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (q *refQueue) Pop(ctx context.Context) (int, error) {
	for {
		q.mu.Lock()
		if q.broken == closedEarly && q.closed && !q.lied && len(q.items) > 0 {
			q.lied = true
			q.mu.Unlock()
			return 0, lfqueue.ErrClosed
		}
		if v, ok := q.pop(false); ok {
			q.mu.Unlock()
			return v, nil
		}
		if q.closed {
			q.mu.Unlock()
			return 0, lfqueue.ErrClosed
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (q *refQueue) ForcePush(v int) (int, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, false, lfqueue.ErrClosed
	}
	if len(q.items) < q.cap {
		q.push(v)
		return 0, false, nil
	}
	old := q.items[0]
	q.items = append(q.items[1:], v)
	q.signal()
	return old, true, nil
}

func (q *refQueue) TryPushBatch(vs []int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for n < len(vs) && q.push(vs[n]) {
		n++
	}
	return n
}

func (q *refQueue) TryPopBatch(dst []int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for n < len(dst) {
		v, ok := q.pop(false)
		if !ok {
			break
		}
		dst[n] = v
		n++
	}
	return n
}

func (q *refQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.signal()
	}
}

func (q *refQueue) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

func (q *refQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// TestLinearizabilityCheckerAcceptsReference shows the model is not stricter
// than the contract: every history of the correct mutex-guarded queue,
// recorded exactly as TestConcurrentLinearizable records lfqueue's, passes.
func TestLinearizabilityCheckerAcceptsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 100
	if testing.Short() {
		n = 20
	}
	for i := range n {
		p := randomLinParams(rng)
		ops := recordHistory(newRefQueue(p.capacity, notBroken), p, rng.Uint64())
		res, path, err := linVerdict(ops, p.capacity, false, t.TempDir())
		if res == porcupine.Illegal {
			t.Fatalf("history %d (%+v) of the reference queue rejected; visualization %s (err %v)\n%s",
				i, p, path, err, describeHistory(ops, p.capacity))
		}
	}
}

// TestLinearizabilityCheckerRejectsBroken proves the checker can fail: for
// each way of breaking the reference queue, some recorded history is
// rejected, and the rejection comes with a nonempty HTML visualization.
func TestLinearizabilityCheckerRejectsBroken(t *testing.T) {
	for _, tc := range []struct {
		name    string
		b       breakage
		relaxed bool // with LockFree's relaxed model
	}{
		{"drops pushes", dropsPushes, false},
		{"reorders", reorders, false},
		{"fails spuriously", failsSpuriously, false},
		{"relaxed/drops pushes", dropsPushes, true},
		{"relaxed/reorders", reorders, true},
		{"relaxed/fails spuriously", failsSpuriously, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(tc.b)))
			for i := range 200 {
				p := randomLinParams(rng)
				p.capacity = max(p.capacity, 2) // a reorder needs two elements
				ops := recordHistory(newRefQueue(p.capacity, tc.b), p, rng.Uint64())
				addOverlaps(ops)
				res, path, err := linVerdict(ops, p.capacity, tc.relaxed, t.TempDir())
				if res != porcupine.Illegal {
					continue
				}
				if err != nil {
					t.Fatalf("writing the visualization: %v", err)
				}
				fi, err := os.Stat(path)
				if err != nil || fi.Size() == 0 {
					t.Fatalf("visualization %s: %v, %v", path, fi, err)
				}
				t.Logf("history %d rejected, as it must be (visualization of %d bytes)", i, fi.Size())
				return
			}
			t.Fatalf("no history of a queue that %s was rejected", tc.name)
		})
	}
}
