package lfprom

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/lfkit/lfkit/lfqueue"
)

// An lfqueue.Queue of any element type is a QueueStats.
var (
	_ QueueStats = (*lfqueue.Queue[int])(nil)
	_ QueueStats = (*lfqueue.Queue[struct{ a, b string }])(nil)
)

func TestQueueCollector(t *testing.T) {
	q := lfqueue.New[int](8)
	for i := range 3 {
		if !q.TryPush(i) {
			t.Fatal("TryPush failed on a queue with room")
		}
	}
	c := NewQueueCollector(q, "ingest", WithConstLabels(prometheus.Labels{"queue": "orders"}))
	want := `
# HELP ingest_queue_capacity Elements the queue holds when full.
# TYPE ingest_queue_capacity gauge
ingest_queue_capacity{queue="orders"} 8
# HELP ingest_queue_fill_ratio Queue length divided by capacity, from 0 to 1.
# TYPE ingest_queue_fill_ratio gauge
ingest_queue_fill_ratio{queue="orders"} 0.375
# HELP ingest_queue_length Elements in the queue.
# TYPE ingest_queue_length gauge
ingest_queue_length{queue="orders"} 3
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
	// Full, then empty: the gauges follow the queue.
	for q.TryPush(0) {
	}
	full := strings.NewReplacer(`} 0.375`, `} 1`, `length{queue="orders"} 3`, `length{queue="orders"} 8`).Replace(want)
	if err := testutil.CollectAndCompare(c, strings.NewReader(full)); err != nil {
		t.Fatalf("full queue: %v", err)
	}
	for {
		if _, ok := q.TryPop(); !ok {
			break
		}
	}
	empty := strings.NewReplacer(`} 0.375`, `} 0`, `length{queue="orders"} 3`, `length{queue="orders"} 0`).Replace(want)
	if err := testutil.CollectAndCompare(c, strings.NewReader(empty)); err != nil {
		t.Fatalf("empty queue: %v", err)
	}
	// Two queues under one namespace, told apart by a label.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c, NewQueueCollector(lfqueue.New[string](2), "ingest",
		WithConstLabels(prometheus.Labels{"queue": "audit"})))
	if n, err := testutil.GatherAndCount(reg, "ingest_queue_capacity"); err != nil || n != 2 {
		t.Fatalf("two queues: %d capacity series, err %v; want 2", n, err)
	}
}

// TestQueueCollectorConsistent: the fill ratio of a scrape is that
// scrape's length over its capacity, even when the queue moves between
// two reads of Len; a capacity of 0 gives a ratio of 0, not NaN.
func TestQueueCollectorConsistent(t *testing.T) {
	q := &movingQueue{}
	c := NewQueueCollector(q, "x")
	for scrape := 1; scrape <= 3; scrape++ {
		want := fmt.Sprintf(`
# HELP x_queue_fill_ratio Queue length divided by capacity, from 0 to 1.
# TYPE x_queue_fill_ratio gauge
x_queue_fill_ratio %v
# HELP x_queue_length Elements in the queue.
# TYPE x_queue_length gauge
x_queue_length %d
`, float64(scrape)/10, scrape)
		if err := testutil.CollectAndCompare(c, strings.NewReader(want), "x_queue_length", "x_queue_fill_ratio"); err != nil {
			t.Fatalf("scrape %d: %v", scrape, err)
		}
	}
	zero := NewQueueCollector(zeroCap{}, "z")
	if err := testutil.CollectAndCompare(zero, strings.NewReader(`
# HELP z_queue_fill_ratio Queue length divided by capacity, from 0 to 1.
# TYPE z_queue_fill_ratio gauge
z_queue_fill_ratio 0
`), "z_queue_fill_ratio"); err != nil {
		t.Fatal(err)
	}
}

// movingQueue's length grows by one at every call of Len, as a busy
// queue's may between two reads.
type movingQueue struct{ calls int }

func (q *movingQueue) Len() int { q.calls++; return q.calls }
func (q *movingQueue) Cap() int { return 10 }

type zeroCap struct{}

func (zeroCap) Len() int { return 0 }
func (zeroCap) Cap() int { return 0 }
