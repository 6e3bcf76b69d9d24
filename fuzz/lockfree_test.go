package fuzz

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/lfkit/lfkit/lfqueue"
)

// lfCanceled is a done context: LockFree's Push and Pop return ctx.Err() at
// once where they would have to wait.
var lfCanceled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// FuzzLockFreeSequential decodes its input into a capacity (1..70) and a
// sequence of LockFree operations (TryPush, TryPop, Push and Pop with a done
// context, Close, and bursts that fill or drain the queue) and checks each
// result, Len, IsEmpty, IsFull and Closed against a slice model. With no
// concurrency, LockFree must behave exactly like a bounded FIFO: TryPush
// fails only when full or closed, TryPop only when empty.
func FuzzLockFreeSequential(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 0, 0, 1})
	f.Add([]byte{3, 5, 5, 1, 1, 1, 1, 4, 0, 1, 1})
	f.Add([]byte{69, 5, 6, 5, 6, 0, 2, 3, 4, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		capacity := 1 + int(data[0])%70
		q := lfqueue.NewLockFree[int](capacity)
		var model []int
		closed := false
		next := 0
		tr := new(tracer)
		tr.add("cap %d", capacity)
		watchdog(t, tr, func() {
			check := func(what string, got, want any) {
				if got != want {
					t.Errorf("%s = %v, want %v; after %v", what, got, want, tr)
					runtime.Goexit()
				}
			}
			pop := func(what string, v int, ok bool) {
				check(what+" ok", ok, len(model) > 0)
				if ok {
					check(what+" value", v, model[0])
					model = model[1:]
				}
			}
			for _, b := range data[1:] {
				switch b % 7 {
				case 0:
					next++
					tr.add("TryPush(%d)", next)
					want := !closed && len(model) < capacity
					check("TryPush", q.TryPush(next), want)
					if want {
						model = append(model, next)
					}
				case 1:
					tr.add("TryPop")
					v, ok := q.TryPop()
					pop("TryPop", v, ok)
				case 2:
					next++
					tr.add("Push(%d)", next)
					err := q.Push(lfCanceled, next)
					switch {
					case closed:
						check("Push on closed", err, lfqueue.ErrClosed)
					case len(model) == capacity:
						check("Push on full", err, context.Canceled)
					default:
						check("Push", err, nil)
						model = append(model, next)
					}
				case 3:
					tr.add("Pop")
					v, err := q.Pop(lfCanceled)
					switch {
					case len(model) > 0:
						pop("Pop", v, err == nil)
					case closed:
						check("Pop on closed empty", err, lfqueue.ErrClosed)
					default:
						check("Pop on empty", err, context.Canceled)
					}
				case 4:
					if b%3 == 0 { // a third of the time: Close ends pushing
						tr.add("Close")
						q.Close()
						closed = true
					}
				case 5:
					tr.add("Fill")
					for !closed && len(model) < capacity {
						next++
						check("TryPush in Fill", q.TryPush(next), true)
						model = append(model, next)
					}
				case 6:
					tr.add("Drain")
					for len(model) > 0 {
						v, ok := q.TryPop()
						pop("TryPop in Drain", v, ok)
					}
				}
				check("Len", q.Len(), len(model))
				check("IsEmpty", q.IsEmpty(), len(model) == 0)
				check("IsFull", q.IsFull(), len(model) == capacity)
				check("Closed", q.Closed(), closed)
			}
		})
	})
}

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
							switch err := q.Push(lfCanceled, v); {
							case err == nil:
								pushed[g] = append(pushed[g], v)
							case errors.Is(err, lfqueue.ErrClosed), errors.Is(err, context.Canceled):
							default:
								fail("Push: %v", err)
							}
						case 5:
							switch v, err := q.Pop(lfCanceled); {
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
