package fuzz

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/lfkit/lfkit/lfqueue"
)

// FuzzLockFreeConcurrent decodes its input into a capacity (1..8) and 2–4
// goroutines' operation lists (TryPush, TryPop, Push and Pop with a done
// context, Len, Close), runs them concurrently on one LockFree, drains it,
// and checks conservation (every value pushed successfully is popped exactly
// once, nothing else is popped), per-producer FIFO order for each consumer,
// and 0 <= Len <= Cap throughout.
func FuzzLockFreeConcurrent(f *testing.F) {
	f.Add([]byte{0, 1, 0, 1, 0, 1, 0, 1, 1, 1})
	f.Add([]byte{7, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 3, 2, 3})
	f.Add([]byte{3, 3, 0, 1, 5, 0, 1, 0, 2, 3, 1, 4, 0, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		capacity := 1 + int(data[0])%8
		gs := 2 + int(data[1])%3
		ops := make([][]byte, gs)
		for i, b := range data[2:] {
			ops[i%gs] = append(ops[i%gs], b)
		}
		q := lfqueue.NewLockFree[int](capacity)
		tr := new(tracer)
		tr.add("cap %d, %d goroutines: %v", capacity, gs, ops)
		pushed := make([][]int, gs)
		popped := make([][]int, gs)
		var mu sync.Mutex
		var errs []string
		fail := func(format string, args ...any) {
			mu.Lock()
			errs = append(errs, fmt.Sprintf(format, args...))
			mu.Unlock()
		}
		watchdog(t, tr, func() {
			var wg sync.WaitGroup
			for g := range gs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					seq := 0
					for _, b := range ops[g] {
						switch b % 7 {
						case 0, 1:
							seq++
							v := (g+1)<<16 | seq
							if q.TryPush(v) {
								pushed[g] = append(pushed[g], v)
							}
						case 2, 3:
							if v, ok := q.TryPop(); ok {
								popped[g] = append(popped[g], v)
							}
						case 4:
							seq++
							v := (g+1)<<16 | seq
							switch err := q.Push(canceled, v); {
							case err == nil:
								pushed[g] = append(pushed[g], v)
							case errors.Is(err, lfqueue.ErrClosed), errors.Is(err, context.Canceled):
							default:
								fail("Push: %v", err)
							}
						case 5:
							switch v, err := q.Pop(canceled); {
							case err == nil:
								popped[g] = append(popped[g], v)
							case errors.Is(err, lfqueue.ErrClosed), errors.Is(err, context.Canceled):
							default:
								fail("Pop: %v", err)
							}
						case 6:
							if b%2 == 0 {
								q.Close()
							} else if n := q.Len(); n < 0 || n > capacity {
								fail("Len = %d, Cap %d", n, capacity)
							}
						}
					}
				}()
			}
			wg.Wait()
		})
		var drained []int
		for {
			v, ok := q.TryPop()
			if !ok {
				break
			}
			drained = append(drained, v)
		}
		if n := q.Len(); n != 0 {
			fail("Len = %d after the drain", n)
		}
		want := map[int]bool{}
		for _, vs := range pushed {
			for _, v := range vs {
				want[v] = true
			}
		}
		got := map[int]bool{}
		for _, vs := range append(popped, drained) {
			last := map[int]int{}
			for _, v := range vs {
				if got[v] {
					fail("%#x popped twice", v)
				}
				if !want[v] {
					fail("%#x popped, never pushed successfully", v)
				}
				got[v] = true
				if p, s := v>>16, v&0xffff; s <= last[p] {
					fail("producer %d: %d popped after %d by one consumer", p-1, s, last[p])
				} else {
					last[p] = s
				}
			}
		}
		if len(got) != len(want) {
			fail("%d values pushed, %d popped", len(want), len(got))
		}
		if len(errs) > 0 {
			t.Fatalf("%v\nrun: %v", errs, tr)
		}
	})
}
