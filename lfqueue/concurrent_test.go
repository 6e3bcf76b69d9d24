package lfqueue

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// batchQueue is what Queue has beyond the shared API: batches and
// ForcePush. stressRun uses them when the queue has them.
type batchQueue interface {
	TryPushBatch(vs []uint64) int
	TryPopBatch(dst []uint64) int
	ForcePush(v uint64) (old uint64, evicted bool, err error)
}

// stressRun is the one conservation harness of both queue types: P
// producers and C consumers run random mixes of every push and pop form q
// has (the shared ones, and batches and ForcePush when q is a batchQueue),
// and the queue is closed at a random moment (closeEarly) or once the
// producers are done. It checks that every successfully pushed value is
// popped or evicted exactly once and nothing else is, that each consumer
// sees each producer's values in push order, that Len stays within
// [0, Cap], and that the queue is empty at the end.
func stressRun(t *testing.T, q sharedAPI[uint64], P, C, perProducer int, closeEarly bool, seed uint64) {
	t.Helper()
	ctx, cancelAll := context.WithCancel(context.Background())
	defer cancelAll()
	bq, batches := q.(batchQueue)
	pushForms, popForms := 4, 4
	if batches {
		pushForms, popForms = 6, 5
	}

	pushed := make([][]uint64, P)  // per producer, in push order
	evicted := make([][]uint64, P) // values ForcePush evicted
	popped := make([][]uint64, C)  // per consumer, in pop order
	var wg, pwg sync.WaitGroup
	var stopLen atomic.Bool

	// Monitor: Len never leaves [0, Cap].
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stopLen.Load() {
			if n := q.Len(); n < 0 || n > q.Cap() {
				t.Errorf("Len = %d, Cap %d", n, q.Cap())
				return
			}
			runtime.Gosched()
		}
	}()

	// withDeadline is ctx, with a short deadline one time in four.
	withDeadline := func(r *rand.Rand) (context.Context, context.CancelFunc) {
		if r.IntN(4) == 0 {
			return context.WithTimeout(ctx, time.Duration(r.IntN(200))*time.Microsecond)
		}
		return ctx, func() {}
	}

	for p := 0; p < P; p++ {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(p)))
			seq := uint64(0)
			val := func() uint64 { seq++; return uint64(p)<<32 | seq }
			for seq < uint64(perProducer) {
				switch r.IntN(pushForms) {
				case 0: // TryPush until it succeeds
					v := val()
					for !q.TryPush(v) {
						if q.Closed() {
							return
						}
						runtime.Gosched()
					}
					pushed[p] = append(pushed[p], v)
				case 1: // Push, sometimes with a deadline
					v := val()
					c, cancel := withDeadline(r)
					err := q.Push(c, v)
					cancel()
					switch {
					case err == nil:
						pushed[p] = append(pushed[p], v)
					case errors.Is(err, ErrClosed):
						return
					case errors.Is(err, context.DeadlineExceeded):
						// not pushed: the next value gets a new sequence
					default:
						t.Errorf("Push: %v", err)
						return
					}
				case 2: // Offer until it succeeds
					v := val()
					for {
						err := q.Offer(v)
						if err == nil {
							pushed[p] = append(pushed[p], v)
							break
						}
						if errors.Is(err, ErrClosed) {
							return
						}
						if !errors.Is(err, ErrFull) {
							t.Errorf("Offer: %v", err)
							return
						}
						runtime.Gosched()
					}
				case 3:
					runtime.Gosched()
				case 4: // batch
					vs := make([]uint64, 1+r.IntN(8))
					for i := range vs {
						vs[i] = val()
					}
					n := bq.TryPushBatch(vs)
					pushed[p] = append(pushed[p], vs[:n]...)
					if n < len(vs) {
						if q.Closed() {
							return
						}
						// The rest were not pushed; sequence stays increasing.
						runtime.Gosched()
					}
				case 5: // ForcePush
					v := val()
					old, ev, err := bq.ForcePush(v)
					if err != nil {
						if !errors.Is(err, ErrClosed) {
							t.Errorf("ForcePush: %v", err)
						}
						return
					}
					pushed[p] = append(pushed[p], v)
					if ev {
						evicted[p] = append(evicted[p], old)
					}
				}
			}
		}()
	}

	for c := 0; c < C; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1000+uint64(c)))
			buf := make([]uint64, 8)
			// drained decides for certain whether the queue is closed and
			// drained (a push in progress at Close may still land): Pop
			// reports ErrClosed only then.
			drained := func() bool {
				v, err := q.Pop(ctx)
				if err != nil {
					return true
				}
				popped[c] = append(popped[c], v)
				return false
			}
			for {
				switch r.IntN(popForms) {
				case 0:
					if v, ok := q.TryPop(); ok {
						popped[c] = append(popped[c], v)
					} else if q.Closed() && q.IsEmpty() {
						if drained() {
							return
						}
					} else {
						runtime.Gosched()
					}
				case 1:
					c2, cancel := withDeadline(r)
					v, err := q.Pop(c2)
					cancel()
					switch {
					case err == nil:
						popped[c] = append(popped[c], v)
					case errors.Is(err, ErrClosed):
						return
					case !errors.Is(err, context.DeadlineExceeded):
						t.Errorf("Pop: %v", err)
						return
					}
				case 2:
					k := 0
					for v := range q.All(ctx) {
						popped[c] = append(popped[c], v)
						if k++; k == 5 {
							break
						}
					}
					if k < 5 { // All ended: closed and drained
						return
					}
				case 3:
					runtime.Gosched()
				case 4:
					n := bq.TryPopBatch(buf[:1+r.IntN(len(buf))])
					popped[c] = append(popped[c], buf[:n]...)
					if n == 0 {
						if q.Closed() && q.IsEmpty() && drained() {
							return
						}
						runtime.Gosched()
					}
				}
			}
		}()
	}

	if closeEarly {
		time.Sleep(time.Duration(rand.New(rand.NewPCG(seed, 99)).IntN(3000)) * time.Microsecond)
	} else {
		pwg.Wait()
	}
	q.Close()
	pwg.Wait()
	stopLen.Store(true)
	wg.Wait()

	// Exactly once.
	seen := map[uint64]int{}
	for _, vs := range popped {
		for _, v := range vs {
			seen[v]++
		}
	}
	for _, vs := range evicted {
		for _, v := range vs {
			seen[v]++
		}
	}
	total := 0
	for p, vs := range pushed {
		total += len(vs)
		for _, v := range vs {
			if seen[v] != 1 {
				t.Fatalf("value p%d#%d delivered %d times", p, v&0xffffffff, seen[v])
			}
			delete(seen, v)
		}
	}
	for v, n := range seen {
		t.Fatalf("value p%d#%d delivered %d times but never pushed", v>>32, v&0xffffffff, n)
	}
	if total == 0 && !closeEarly {
		t.Fatal("nothing pushed")
	}
	// Per-producer FIFO as seen by each consumer.
	for c, vs := range popped {
		last := make(map[uint64]uint64)
		for _, v := range vs {
			p, s := v>>32, v&0xffffffff
			if s <= last[p] {
				t.Fatalf("consumer %d saw producer %d's #%d after #%d", c, p, s, last[p])
			}
			last[p] = s
		}
	}
	if q.Len() != 0 {
		t.Fatalf("Len %d after drain", q.Len())
	}
}

func TestConcurrentPC(t *testing.T) {
	per := 4000
	if testing.Short() {
		per = 300
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for P := 1; P <= 4; P++ {
		for C := 1; C <= 4; C++ {
			for _, closeEarly := range []bool{false, true} {
				for _, capacity := range []int{1, 3, 64} {
					name := fmt.Sprintf("P%dC%d/cap%d/early=%v", P, C, capacity, closeEarly)
					seed++
					t.Run(name, func(t *testing.T) {
						opt := Padded()
						if seed%2 == 0 {
							opt = Compact()
						}
						stressRun(t, New[uint64](capacity, opt), P, C, per, closeEarly, seed)
					})
				}
			}
		}
	}
}
