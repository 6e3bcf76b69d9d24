package peers

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
)

// queue is the method set MutexRing and Chan share: the tests in this
// file check their common contract on both.
type queue interface {
	TryPush(v int) bool
	TryPop() (int, bool)
	Push(v int)
	PushWaited(v int) bool
	Pop() int
	PopOK() (int, bool)
	PopCtx(ctx context.Context) (int, error)
	Close()
}

// impl builds one implementation for the tests.
type impl struct {
	name string
	make func(capacity int) queue
	// await returns once pop consumers and push producers wait on q, so
	// that a test wakes a goroutine that is really waiting. It is nil for
	// Chan, whose waiters cannot be seen: the tests then check only what
	// the goroutine gets, which does not depend on whether it waited.
	await func(q queue, pop, push int)
}

// wait calls im.await if im has one.
func (im impl) wait(q queue, pop, push int) {
	if im.await != nil {
		im.await(q, pop, push)
	}
}

var impls = []impl{
	{"MutexRing", func(c int) queue { return NewMutexRing[int](c) }, func(q queue, pop, push int) {
		q.(MutexRing[int]).await(pop, push)
	}},
	{"Chan", func(c int) queue { return NewChan[int](c) }, nil},
}

// await returns once pop goroutines wait on notEmpty and push on notFull.
func (q MutexRing[T]) await(pop, push int) {
	r := q.r
	for {
		r.mu.Lock()
		ok := r.popWait == pop && r.pushWait == push
		r.mu.Unlock()
		if ok {
			return
		}
		runtime.Gosched()
	}
}

// async runs f in a goroutine and returns a channel that delivers its
// result.
func async[R any](f func() R) <-chan R {
	ch := make(chan R, 1)
	go func() { ch <- f() }()
	return ch
}

// panics reports whether f panics.
func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}

// pushers and poppers are every way to push and to pop one element that
// cannot fail on a queue with room (with an element).
var (
	pushers = []func(q queue, v int) bool{
		queue.TryPush,
		func(q queue, v int) bool { q.Push(v); return true },
		func(q queue, v int) bool { return !q.PushWaited(v) },
	}
	poppers = []func(q queue) (int, bool){
		queue.TryPop,
		func(q queue) (int, bool) { return q.Pop(), true },
		queue.PopOK,
		func(q queue) (int, bool) { v, err := q.PopCtx(context.Background()); return v, err == nil },
	}
)

// TestFIFO fills and drains queues of several capacities over several
// laps with every push and pop form: the capacity is exact, the order
// first in, first out, and the positions wrap around the ring.
func TestFIFO(t *testing.T) {
	for _, im := range impls {
		for _, capacity := range []int{1, 3, 64} {
			q := im.make(capacity)
			next, want := 0, 0
			push := func(i int) {
				if !pushers[i%len(pushers)](q, next) {
					t.Fatalf("%s cap %d: push %d failed with room", im.name, capacity, next)
				}
				next++
			}
			for lap := range 4 {
				// From the second lap on, one push and pop first move
				// the ring's start, so every lap starts at another
				// position.
				if lap > 0 {
					push(lap)
					checkPop(t, q, poppers[lap%len(poppers)], &want)
				}
				for i := range capacity {
					push(lap + i)
				}
				if q.TryPush(-1) {
					t.Fatalf("%s cap %d lap %d: TryPush succeeded on a full queue", im.name, capacity, lap)
				}
				for i := range capacity {
					checkPop(t, q, poppers[(lap+i)%len(poppers)], &want)
				}
				if v, ok := q.TryPop(); ok {
					t.Fatalf("%s cap %d lap %d: TryPop = %d from an empty queue", im.name, capacity, lap, v)
				}
			}
		}
	}
}

// checkPop pops with pop and checks that it got *want, then counts it.
func checkPop(t *testing.T, q queue, pop func(queue) (int, bool), want *int) {
	t.Helper()
	if v, ok := pop(q); !ok || v != *want {
		t.Fatalf("pop = %d, %v; want %d, true", v, ok, *want)
	}
	*want++
}

func TestNewPanics(t *testing.T) {
	for _, im := range impls {
		for _, c := range []int{0, -1} {
			if !panics(func() { im.make(c) }) {
				t.Errorf("%s: capacity %d did not panic", im.name, c)
			}
		}
	}
}

// TestCloseDrain: after Close the elements already pushed are popped in
// order, then every pop reports the queue closed; every push panics, and
// so does a second Close.
func TestCloseDrain(t *testing.T) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			q := im.make(8)
			for i := range 5 {
				q.Push(i)
			}
			q.Close()
			for name, push := range map[string]func(){
				"TryPush":    func() { q.TryPush(9) },
				"Push":       func() { q.Push(9) },
				"PushWaited": func() { q.PushWaited(9) },
				"Close":      q.Close,
			} {
				if !panics(push) {
					t.Errorf("%s after Close did not panic", name)
				}
			}
			want := 0
			for i := range 5 {
				checkPop(t, q, poppers[i%len(poppers)], &want)
			}
			if v, ok := q.TryPop(); ok {
				t.Errorf("TryPop on a closed, drained queue = %d, true", v)
			}
			if v := q.Pop(); v != 0 {
				t.Errorf("Pop on a closed, drained queue = %d, want 0", v)
			}
			if v, ok := q.PopOK(); ok {
				t.Errorf("PopOK on a closed, drained queue = %d, true", v)
			}
			if v, err := q.PopCtx(context.Background()); !errors.Is(err, ErrClosed) {
				t.Errorf("PopCtx on a closed, drained queue = %d, %v; want ErrClosed", v, err)
			}
		})
	}
}

// waitingPops are the pops that wait, each returning what it got, or
// ErrClosed once the queue is closed and empty (Pop cannot tell: it
// returns the zero value, which the tests never push).
var waitingPops = map[string]func(ctx context.Context, q queue) (int, error){
	"Pop": func(_ context.Context, q queue) (int, error) {
		if v := q.Pop(); v != 0 {
			return v, nil
		}
		return 0, ErrClosed
	},
	"PopOK": func(_ context.Context, q queue) (int, error) {
		if v, ok := q.PopOK(); ok {
			return v, nil
		}
		return 0, ErrClosed
	},
	"PopCtx": func(ctx context.Context, q queue) (int, error) { return q.PopCtx(ctx) },
}

// waitingPushes are the pushes that wait, each reporting whether it
// waited (Push cannot tell: it reports true).
var waitingPushes = map[string]func(q queue, v int) bool{
	"Push":       func(q queue, v int) bool { q.Push(v); return true },
	"PushWaited": queue.PushWaited,
}

// popResult is what a pop returns.
type popResult struct {
	v   int
	err error
}

// TestWake: a pop waiting on an empty queue returns for a push, and
// reports the queue closed for a Close; a push waiting on a full queue
// returns for a pop, and panics for a Close.
func TestWake(t *testing.T) {
	// A context that can be cancelled, so that PopCtx registers its
	// wake-up for it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, im := range impls {
		for name, pop := range waitingPops {
			t.Run(im.name+"/"+name, func(t *testing.T) {
				q := im.make(2)
				wait := func() <-chan popResult {
					return async(func() popResult { v, err := pop(ctx, q); return popResult{v, err} })
				}
				ch := wait()
				im.wait(q, 1, 0)
				q.Push(7)
				if r := <-ch; r.v != 7 || r.err != nil {
					t.Errorf("waiting pop = %d, %v; want 7, nil", r.v, r.err)
				}
				ch = wait()
				im.wait(q, 1, 0)
				q.Close()
				if r := <-ch; !errors.Is(r.err, ErrClosed) {
					t.Errorf("pop waiting when the queue closed = %d, %v; want ErrClosed", r.v, r.err)
				}
			})
		}
		for name, push := range waitingPushes {
			t.Run(im.name+"/"+name, func(t *testing.T) {
				q := im.make(2)
				q.Push(1)
				q.Push(2)
				waited := async(func() bool { return push(q, 3) })
				im.wait(q, 0, 1)
				want := 1
				checkPop(t, q, queue.TryPop, &want)
				if w := <-waited; !w && im.await != nil {
					t.Error("a push on a full queue reported no wait")
				}
				checkPop(t, q, queue.TryPop, &want)
				checkPop(t, q, queue.TryPop, &want)
				if im.await == nil {
					return // a Close racing a send on a channel is a data race
				}

				q.Push(4)
				q.Push(5)
				panicked := async(func() bool { return panics(func() { push(q, 6) }) })
				im.wait(q, 0, 1)
				q.Close()
				if !<-panicked {
					t.Error("a push waiting when the queue closed did not panic")
				}
				checkPop(t, q, queue.TryPop, &want)
				checkPop(t, q, queue.TryPop, &want)
			})
		}
	}
}

// TestPopCtx: PopCtx returns an element that is there even when ctx is
// done, returns ctx's error on an empty queue once ctx is done, and a
// PopCtx waiting on an empty queue returns for the cancellation.
func TestPopCtx(t *testing.T) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			q := im.make(2)
			done, cancel := context.WithCancel(context.Background())
			cancel()
			if im.name == "MutexRing" { // a select picks either ready case
				q.Push(1)
				if v, err := q.PopCtx(done); v != 1 || err != nil {
					t.Errorf("PopCtx with a done context on a queue of one = %d, %v; want 1, nil", v, err)
				}
			}
			if v, err := q.PopCtx(done); !errors.Is(err, context.Canceled) {
				t.Errorf("PopCtx with a done context on an empty queue = %d, %v; want Canceled", v, err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			ch := async(func() popResult { v, err := q.PopCtx(ctx); return popResult{v, err} })
			im.wait(q, 1, 0)
			cancel()
			if r := <-ch; !errors.Is(r.err, context.Canceled) {
				t.Errorf("PopCtx waiting when ctx was cancelled = %d, %v; want Canceled", r.v, r.err)
			}
			// The cancelled waiter left nothing behind: the queue works.
			q.Push(2)
			if v, ok := q.TryPop(); v != 2 || !ok {
				t.Errorf("TryPop after a cancelled PopCtx = %d, %v; want 2, true", v, ok)
			}
		})
	}
}

// TestConcurrent passes distinct values from 2 producers to 2 consumers
// with the waiting forms and closes the queue after the last push: every
// value is popped exactly once, and the consumers stop at the close.
func TestConcurrent(t *testing.T) {
	const producers, consumers, per = 2, 2, 5000
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			q := im.make(16)
			var prod, cons sync.WaitGroup
			for p := range producers {
				prod.Add(1)
				go func() {
					defer prod.Done()
					for i := range per {
						push := waitingPushes["PushWaited"]
						if i%2 == 0 {
							push = waitingPushes["Push"]
						}
						push(q, 1+p*per+i)
					}
				}()
			}
			seen := make([][]int, consumers)
			for c := range consumers {
				cons.Add(1)
				go func() {
					defer cons.Done()
					for {
						v, ok := q.PopOK()
						if !ok {
							return
						}
						seen[c] = append(seen[c], v)
					}
				}()
			}
			prod.Wait()
			q.Close()
			cons.Wait()
			count := make([]int, 1+producers*per)
			for _, vs := range seen {
				for _, v := range vs {
					count[v]++
				}
			}
			for v, n := range count[1:] {
				if n != 1 {
					t.Fatalf("value %d popped %d times", v+1, n)
				}
			}
		})
	}
}
