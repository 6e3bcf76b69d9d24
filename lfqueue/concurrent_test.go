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

// stressRun runs P producers and C consumers with random mixes of every push
// and pop form, optionally closing the queue at a random moment, and checks:
// every successfully pushed value is popped or evicted exactly once, each
// consumer sees each producer's values in push order, and Len stays within
// [0, Cap].
func stressRun(t *testing.T, P, C, capacity, perProducer int, closeEarly bool, seed uint64, opts ...Option) {
	q := New[uint64](capacity, opts...)
	ctx, cancelAll := context.WithCancel(context.Background())
	defer cancelAll()

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

	for p := 0; p < P; p++ {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(p)))
			seq := uint64(0)
			val := func() uint64 { seq++; return uint64(p)<<32 | seq }
			for seq < uint64(perProducer) {
				switch r.IntN(5) {
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
					c, cancel := ctx, context.CancelFunc(func() {})
					if r.IntN(4) == 0 {
						c, cancel = context.WithTimeout(ctx, time.Duration(r.IntN(200))*time.Microsecond)
					}
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
				case 2: // batch
					vs := make([]uint64, 1+r.IntN(8))
					for i := range vs {
						vs[i] = val()
					}
					n := q.TryPushBatch(vs)
					pushed[p] = append(pushed[p], vs[:n]...)
					if n < len(vs) {
						if q.Closed() {
							return
						}
						// The rest were not pushed; sequence stays increasing.
						runtime.Gosched()
					}
				case 3: // ForcePush
					v := val()
					old, ev, err := q.ForcePush(v)
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
				case 4:
					runtime.Gosched()
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
			for {
				switch r.IntN(4) {
				case 0:
					if v, ok := q.TryPop(); ok {
						popped[c] = append(popped[c], v)
					} else if q.Closed() && q.IsEmpty() {
						return
					} else {
						runtime.Gosched()
					}
				case 1:
					c2, cancel := ctx, context.CancelFunc(func() {})
					if r.IntN(4) == 0 {
						c2, cancel = context.WithTimeout(ctx, time.Duration(r.IntN(200))*time.Microsecond)
					}
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
					n := q.TryPopBatch(buf[:1+r.IntN(len(buf))])
					popped[c] = append(popped[c], buf[:n]...)
					if n == 0 {
						if q.Closed() && q.IsEmpty() {
							return
						}
						runtime.Gosched()
					}
				case 3:
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
						var opts []Option
						if seed%2 == 0 {
							opts = append(opts, Compact())
						}
						stressRun(t, P, C, capacity, per, closeEarly, seed, opts...)
					})
				}
			}
		}
	}
}
