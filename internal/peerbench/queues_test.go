package peerbench

import (
	"sync"
	"testing"
	"time"

	"github.com/lfkit/lfkit/atomicx"
	"github.com/lfkit/lfkit/lfmetrics"
	"github.com/lfkit/lfkit/lfqueue"
)

// The adapters are checked before they are measured: a benchmark of a
// broken adapter measures nothing.

func TestFIFO(t *testing.T) {
	for _, im := range spscImpls[int]() {
		t.Run(im.name, func(t *testing.T) {
			q := im.make()
			for lap := range 3 {
				for i := range capacity {
					if !q.TryPush(lap*capacity + i) {
						t.Fatalf("lap %d: TryPush %d failed", lap, i)
					}
				}
				if q.TryPush(-1) {
					t.Fatalf("lap %d: TryPush succeeded on a full queue", lap)
				}
				for i := range capacity {
					if v, ok := q.TryPop(); !ok || v != lap*capacity+i {
						t.Fatalf("lap %d: TryPop = %d, %v; want %d", lap, v, ok, lap*capacity+i)
					}
				}
				if v, ok := q.TryPop(); ok {
					t.Fatalf("lap %d: TryPop = %d from an empty queue", lap, v)
				}
			}
		})
	}
}

func TestBatch(t *testing.T) {
	for name, q := range map[string]BatchQueue[int]{
		"lfqueue":       NewLFQueue[int](capacity),
		"lfqueue-remap": NewLFQueue[int](capacity, lfqueue.Remap()),
		"mutexring":     NewMutexRing[int](capacity),
	} {
		t.Run(name, func(t *testing.T) {
			next, want := 0, 0
			buf := make([]int, batch)
			// Odd sizes, so runs cross the end of the ring.
			for _, k := range []int{1, 100, 37, capacity, 999, capacity, 5, 1000} {
				for pushed := 0; pushed < k; {
					m := min(batch, k-pushed)
					for i := range m {
						buf[i] = next + i
					}
					n := q.TryPushBatch(buf[:m])
					if n == 0 {
						t.Fatalf("k %d: TryPushBatch stuck after %d", k, pushed)
					}
					next += n
					pushed += n
				}
				for popped := 0; popped < k; {
					n := q.TryPopBatch(buf[:min(batch, k-popped)])
					if n == 0 {
						t.Fatalf("k %d: TryPopBatch stuck after %d", k, popped)
					}
					for _, v := range buf[:n] {
						if v != want {
							t.Fatalf("k %d: popped %d, want %d", k, v, want)
						}
						want++
					}
					popped += n
				}
			}
		})
	}
}

// TestHandoff passes unique values from 2 producers to 2 consumers through
// the blocking forms (1 and 1 for the SPSC queue): each is popped once.
func TestHandoff(t *testing.T) {
	const perProducer = 20000
	for _, im := range spscImpls[int]() {
		t.Run(im.name, func(t *testing.T) {
			p, c := 2, 2
			if im.name == "xsync-spsc" {
				p, c = 1, 1
			}
			q := im.make()
			seen := make([][]int, c)
			var wg sync.WaitGroup
			for i := range c {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range p * perProducer / c {
						seen[i] = append(seen[i], q.Pop())
					}
				}()
			}
			for i := range p {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := range perProducer {
						q.Push(i*perProducer + j)
					}
				}()
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("handoff did not finish in a minute")
			}
			count := make([]int, p*perProducer)
			for _, vs := range seen {
				for _, v := range vs {
					count[v]++
				}
			}
			for v, n := range count {
				if n != 1 {
					t.Fatalf("value %d popped %d times", v, n)
				}
			}
		})
	}
}

// TestZeroAllocs: the measured operations allocate nothing.
func TestZeroAllocs(t *testing.T) {
	check := func(name string, f func()) {
		t.Helper()
		f() // first use may allocate (lazy stripes)
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocs per op, want 0", name, n)
		}
	}
	for _, im := range spscImpls[Big]() {
		q := im.make()
		check("pair "+im.name, func() { q.TryPush(Big{}); q.TryPop() })
		check("blocking pair "+im.name, func() { q.Push(Big{}); q.Pop() })
	}
	bq := NewLFQueue[Big](capacity)
	buf := make([]Big, batch)
	check("lfqueue batch", func() { bq.TryPushBatch(buf); bq.TryPopBatch(buf) })
	var c atomicx.Counter
	check("atomicx.Counter", func() { c.Add(1) })
	h := c.Handle()
	check("atomicx.CounterHandle", func() { h.Add(1) })
	var m lfmetrics.Metrics
	check("lfmetrics RecordIngest", m.RecordIngest)
	check("lfmetrics RecordQuery", func() { m.RecordQuery(time.Millisecond) })
	var l lfmetrics.Latency
	check("lfmetrics Latency.Record", func() { l.Record(time.Microsecond) })
}
