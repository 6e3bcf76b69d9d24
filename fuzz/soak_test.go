package fuzz

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/lfmetrics"
	"github.com/lfkit/lfkit/lfqueue"
)

// soakItem is what the soak test moves through its queues: a pointer-holding
// struct, so the GC must see the queue's slots.
type soakItem struct {
	producer int
	seq      int       // 1-based, per producer and queue generation
	born     time.Time // when it was pushed, for the latency metric
	payload  *[4]int   // keeps the item pointer-holding
}

// soakMaxItems bounds what one producer pushes into one queue generation, so
// the bookkeeping has a fixed size.
const soakMaxItems = 1 << 16

// soakStats are the running totals of a soak.
type soakStats struct {
	generations, moved, evicted, resets, failures atomic.Int64
}

// soakRecorded is what the workers recorded into the Metrics, counted on the
// side: the intervals Reset returns must add up to it.
type soakRecorded struct {
	ingested, batches, errors, queries, querySum atomic.Int64
}

// TestSoak runs producers and consumers through a succession of lfqueue
// queues ("generations") for the duration in LFKIT_SOAK (e.g. LFKIT_SOAK=10m;
// skipped when unset), with lfmetrics recording every push, batch, error and
// the latency of every delivery, while a resetter calls Reset at random
// intervals. Each generation has a random capacity, layout and mix of
// TryPush/Push/ForcePush/TryPushBatch and Pop/TryPopBatch/All, and is closed
// at a random moment, drained, and replaced by a fresh queue. Checked
// continuously:
//
//   - per generation: every successfully pushed item delivered exactly once
//     (evictions included), none invented, per-producer FIFO for every
//     consumer, 0 ≤ Len ≤ Cap (sampled by a monitor), the queue empty and
//     Pop reporting ErrClosed at the end;
//   - per Reset: the interval is consistent (Count = Σ buckets, Min ≤ Mean ≤
//     Max);
//   - after every generation and at the end: Σ Reset intervals + Snapshot =
//     what the workers recorded (counts, query count and sum) = Total.
//
// It prints a progress line every 10 s and a summary line at the end; run it
// with -v to see them as they come.
func TestSoak(t *testing.T) {
	env := os.Getenv("LFKIT_SOAK")
	if env == "" {
		t.Skip("set LFKIT_SOAK=<duration> (e.g. LFKIT_SOAK=10m) to run the soak test")
	}
	dur, err := time.ParseDuration(env)
	if err != nil || dur <= 0 {
		t.Fatalf("LFKIT_SOAK=%q: want a positive duration such as 10m", env)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("soak: %v, seed %d, GOMAXPROCS %d", dur, seed, runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(seed, 0x50a4))

	var stats soakStats
	var rec soakRecorded
	m := lfmetrics.New()

	// The resetter closes intervals at random moments while workers record.
	// resetMu makes a Reset and its accounting one step for the checks
	// between generations.
	var resetMu sync.Mutex
	var intervals lfmetrics.Snapshot // Σ of what Reset returned
	stopReset := make(chan struct{})
	var resetWG sync.WaitGroup
	resetWG.Add(1)
	go func() {
		defer resetWG.Done()
		rrng := rand.New(rand.NewPCG(seed, 0x4e5e))
		for {
			select {
			case <-stopReset:
				return
			case <-time.After(time.Duration(10+rrng.IntN(200)) * time.Millisecond):
			}
			resetMu.Lock()
			s := m.Reset()
			intervals = intervals.Add(s)
			resetMu.Unlock()
			stats.resets.Add(1)
			if errs := intervalErrors(s.Query); len(errs) > 0 {
				stats.failures.Add(1)
				t.Errorf("Reset returned an inconsistent interval: %v\n%v", errs, s)
			}
		}
	}()

	// checkTotals compares the metrics with what the workers recorded; the
	// workers must be quiescent.
	checkTotals := func(when string) {
		resetMu.Lock()
		defer resetMu.Unlock()
		sum := intervals.Add(m.Snapshot())
		total := m.Total()
		type totals struct{ Ingested, Batches, Errors, Queries, QuerySum int64 }
		want := totals{rec.ingested.Load(), rec.batches.Load(), rec.errors.Load(), rec.queries.Load(), rec.querySum.Load()}
		for _, got := range []struct {
			what string
			s    lfmetrics.Snapshot
		}{{"Σ Reset intervals + Snapshot", sum}, {"Total", total}} {
			g := totals{int64(got.s.Ingested), int64(got.s.Batches), int64(got.s.Errors), int64(got.s.Query.Count), int64(got.s.Query.Sum)}
			if g != want {
				stats.failures.Add(1)
				t.Errorf("%s: %s = %+v, workers recorded %+v", when, got.what, g, want)
			}
		}
	}

	start := time.Now()
	lastLine := start
	progress := func(prefix string) {
		t.Logf("%s %v: %d generations, %d items moved (%d evicted), %d resets, %d failures",
			prefix, time.Since(start).Round(time.Second), stats.generations.Load(), stats.moved.Load(),
			stats.evicted.Load(), stats.resets.Load(), stats.failures.Load())
	}
	for time.Since(start) < dur {
		g := stats.generations.Add(1)
		tr := new(tracer)
		tr.add("generation %d", g)
		watchdog(t, tr, func() { soakGeneration(t, rng.Uint64(), m, &rec, &stats, tr) })
		checkTotals(fmt.Sprintf("after generation %d", g))
		if time.Since(lastLine) >= 10*time.Second {
			lastLine = time.Now()
			progress("soak: progress")
		}
	}
	close(stopReset)
	resetWG.Wait()
	checkTotals("at the end")
	progress("soak: done in")
	if n := stats.failures.Load(); n > 0 {
		t.Errorf("%d failures", n)
	}
}

// intervalErrors returns what is inconsistent in one interval's latencies.
func intervalErrors(s lfmetrics.LatencySnapshot) []string {
	var errs []string
	var n uint64
	for _, b := range s.Buckets {
		n += b.Count
	}
	if n != s.Count {
		errs = append(errs, fmt.Sprintf("Count %d, buckets add up to %d", s.Count, n))
	}
	if s.Count > 0 && !(s.Min <= s.Mean() && s.Mean() <= s.Max) {
		errs = append(errs, fmt.Sprintf("Min %v, Mean %v, Max %v out of order", s.Min, s.Mean(), s.Max))
	}
	return errs
}

// soakGeneration runs one queue generation from creation to drained.
// soakQueue is what the soak drives of Queue and LockFree; ForcePush and
// the batches are used where the queue has them.
type soakQueue interface {
	TryPush(soakItem) bool
	Push(context.Context, soakItem) error
	Pop(context.Context) (soakItem, error)
	All(context.Context) iter.Seq[soakItem]
	Close()
	Closed() bool
	Len() int
	FillRatio() float64
}

func soakGeneration(t *testing.T, seed uint64, m *lfmetrics.Metrics, rec *soakRecorded, stats *soakStats, tr *tracer) {
	rng := rand.New(rand.NewPCG(seed, 1))
	capacity := 1 + rng.IntN(256)
	if rng.IntN(4) == 0 {
		capacity = 1 + rng.IntN(4)
	}
	l := layout(rng.IntN(int(numLayouts)))
	lockFree := rng.IntN(3) == 0
	producers, consumers := 1+rng.IntN(4), 1+rng.IntN(4)
	life := time.Duration(5+rng.IntN(300)) * time.Millisecond
	tr.add("capacity %d layout %v lockFree %v producers %d consumers %d life %v", capacity, l, lockFree, producers, consumers, life)
	var q soakQueue = newQueue[soakItem](capacity, l)
	if lockFree {
		q = lfqueue.NewLockFree[soakItem](capacity)
	}
	forcer, canForce := q.(interface {
		ForcePush(soakItem) (soakItem, bool, error)
	})
	batcher, canBatch := q.(interface {
		TryPushBatch([]soakItem) int
		TryPopBatch([]soakItem) int
	})

	pushedOK := make([][]bool, producers)          // owned by each producer
	delivered := make([][]atomic.Int32, producers) // by anyone
	for p := range producers {
		pushedOK[p] = make([]bool, soakMaxItems+1)
		delivered[p] = make([]atomic.Int32, soakMaxItems+1)
	}
	var failures []string
	var failMu sync.Mutex
	fail := func(format string, args ...any) {
		failMu.Lock()
		defer failMu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	// deliver accounts for one item leaving the queue, seen by a consumer
	// (or an evicting producer) whose last seen seq per producer is last.
	deliver := func(it soakItem, last []int, latency bool) {
		if it.producer < 0 || it.producer >= producers || it.seq < 1 || it.seq > soakMaxItems || it.payload == nil || it.payload[0] != it.seq {
			fail("invented or corrupted item %+v", it)
			return
		}
		if n := delivered[it.producer][it.seq].Add(1); n != 1 {
			fail("producer %d's item %d delivered %d times", it.producer, it.seq, n)
		}
		if it.seq <= last[it.producer] {
			fail("producer %d's item %d delivered after its item %d: per-producer FIFO broken", it.producer, it.seq, last[it.producer])
		}
		last[it.producer] = it.seq
		if latency {
			d := max(time.Since(it.born), 0)
			m.RecordQuery(d)
			rec.queries.Add(1)
			rec.querySum.Add(int64(d))
		}
		stats.moved.Add(1)
	}

	var wg sync.WaitGroup
	start := make(chan struct{})
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prng := rand.New(rand.NewPCG(seed, uint64(10+p)))
			last := make([]int, producers) // for the items it evicts
			seq := 0
			item := func() soakItem {
				seq++
				return soakItem{producer: p, seq: seq, born: time.Now(), payload: &[4]int{seq}}
			}
			<-start
			for seq < soakMaxItems-8 {
				r := prng.IntN(100)
				if !canForce && 70 <= r && r < 80 || !canBatch && r >= 80 {
					r %= 70 // TryPush or Push instead
				}
				switch {
				case r < 40:
					it := item()
					if q.TryPush(it) {
						pushedOK[p][it.seq] = true
						m.RecordIngest()
						rec.ingested.Add(1)
					} else if q.Closed() {
						return
					} else {
						m.RecordError() // backpressure: the queue was full
						rec.errors.Add(1)
						runtime.Gosched()
					}
				case r < 70:
					it := item()
					switch err := q.Push(context.Background(), it); {
					case err == nil:
						pushedOK[p][it.seq] = true
						m.RecordIngest()
						rec.ingested.Add(1)
					case errors.Is(err, lfqueue.ErrClosed):
						return
					default:
						fail("Push: %v", err)
						return
					}
				case r < 80:
					it := item()
					old, evicted, err := forcer.ForcePush(it)
					if err != nil {
						if !errors.Is(err, lfqueue.ErrClosed) {
							fail("ForcePush: %v", err)
						}
						return
					}
					pushedOK[p][it.seq] = true
					m.RecordIngest()
					rec.ingested.Add(1)
					if evicted {
						deliver(old, last, false)
						stats.evicted.Add(1)
						m.RecordError() // the evicted item was dropped
						rec.errors.Add(1)
					}
				default:
					vs := make([]soakItem, 1+prng.IntN(8))
					for i := range vs {
						vs[i] = item()
					}
					n := batcher.TryPushBatch(vs)
					for _, it := range vs[:n] {
						pushedOK[p][it.seq] = true
					}
					m.RecordIngestBatch(n)
					rec.ingested.Add(int64(n))
					rec.batches.Add(1)
					if n < len(vs) {
						if q.Closed() {
							return
						}
						runtime.Gosched()
					}
				}
			}
		}()
	}
	for c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			crng := rand.New(rand.NewPCG(seed, uint64(100+c)))
			last := make([]int, producers)
			buf := make([]soakItem, 16)
			<-start
			for {
				r := crng.IntN(100)
				if !canBatch && 50 <= r && r < 80 {
					r -= 30 // Pop instead
				}
				switch {
				case r < 50:
					it, err := q.Pop(context.Background())
					if err != nil {
						if !errors.Is(err, lfqueue.ErrClosed) {
							fail("Pop: %v", err)
						}
						return
					}
					deliver(it, last, true)
				case r < 80:
					n := batcher.TryPopBatch(buf[:1+crng.IntN(len(buf))])
					for _, it := range buf[:n] {
						deliver(it, last, true)
					}
					if n == 0 {
						runtime.Gosched()
					}
				default:
					k := 1 + crng.IntN(32)
					for it := range q.All(context.Background()) {
						deliver(it, last, true)
						if k--; k == 0 {
							break
						}
					}
					if k > 0 { // All ended: closed and drained
						return
					}
				}
			}
		}()
	}
	// The monitor samples the observers while the generation runs.
	stopMonitor := make(chan struct{})
	var monWG sync.WaitGroup
	monWG.Add(1)
	go func() {
		defer monWG.Done()
		for {
			select {
			case <-stopMonitor:
				return
			default:
			}
			if n, r := q.Len(), q.FillRatio(); n < 0 || n > capacity || r < 0 || r > 1 {
				fail("Len %d, FillRatio %v with capacity %d", n, r, capacity)
			}
			runtime.Gosched()
		}
	}()
	close(start)
	time.Sleep(life)
	q.Close()
	wg.Wait()
	close(stopMonitor)
	monWG.Wait()

	if n := q.Len(); n != 0 {
		fail("Len %d after every consumer saw ErrClosed", n)
	}
	if _, err := q.Pop(canceled); !errors.Is(err, lfqueue.ErrClosed) {
		fail("Pop on the closed, drained queue: %v", err)
	}
	for p := range producers {
		for seq := 1; seq <= soakMaxItems; seq++ {
			n := delivered[p][seq].Load()
			switch {
			case pushedOK[p][seq] && n == 0:
				fail("producer %d's item %d was pushed and never delivered: lost", p, seq)
			case !pushedOK[p][seq] && n != 0:
				fail("producer %d's item %d was delivered but its push failed", p, seq)
			}
		}
	}
	if len(failures) > 0 {
		stats.failures.Add(int64(len(failures)))
		t.Errorf("%v:\n%v", tr, failures)
	}
}
