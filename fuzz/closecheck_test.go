package fuzz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/lfkit/lfkit/lfqueue"
)

// checkClosedDrained checks a recorded history (as recordHistory or
// recordCloseHistory make them, ending with a drain) against the rule that
// closed means drained:
//   - once a pop has observed the queue closed and empty (Pop returned
//     ErrClosed, or a TryPop called after Close returned failed), no pop
//     called after that observation returned returns an element;
//   - every element whose push succeeded is popped (or evicted by a
//     ForcePush) exactly once, and nothing else is.
//
// It is a consequence of linearizability against fifoModel, checked here on
// its own because it needs no search: it decides histories far larger and
// more numerous than porcupine can, which is what it takes to meet the narrow
// window in which a push still in progress at Close interleaves with pops.
// It returns nil or a description of the first violation.
func checkClosedDrained(ops []porcupine.Operation) error {
	m := fifoModel(4, false) // for DescribeOperation only
	describe := func(op porcupine.Operation) string {
		return fmt.Sprintf("g%d [%d,%d] %s", op.ClientId, op.Call, op.Return, m.DescribeOperation(op.Input, op.Output))
	}
	// The earliest return of a Close, and of an observation of "closed and
	// empty".
	const never = int64(1<<63 - 1)
	closedAt := never
	for _, op := range ops {
		if op.Input.(linIn).kind == linClose {
			closedAt = min(closedAt, op.Return)
		}
	}
	drainedAt, drainedBy := never, -1
	for i, op := range ops {
		in, out := op.Input.(linIn), op.Output.(linOut)
		if in.kind == linPop && out.err == errClosed ||
			in.kind == linTryPop && !out.ok && op.Call > closedAt {
			if op.Return < drainedAt {
				drainedAt, drainedBy = op.Return, i
			}
		}
	}
	pushed := map[int]int{} // value -> index of its successful push
	popped := map[int]int{} // value -> index of the pop that removed it
	for i, op := range ops {
		in, out := op.Input.(linIn), op.Output.(linOut)
		var took []int
		switch in.kind {
		case linTryPush:
			if out.ok {
				pushed[in.v] = i
			}
		case linPush, linForcePush:
			if out.err == errNone {
				pushed[in.v] = i
			}
			if in.kind == linForcePush && out.ok {
				took = append(took, out.v)
			}
		case linTryPop:
			if out.ok {
				took = append(took, out.v)
			}
		case linPop:
			if out.err == errNone {
				took = append(took, out.v)
			}
		}
		for _, v := range took {
			if in.kind != linForcePush && op.Call > drainedAt {
				return fmt.Errorf("%s returned an element after %s had reported the queue closed and empty",
					describe(op), describe(ops[drainedBy]))
			}
			if j, dup := popped[v]; dup {
				return fmt.Errorf("%d removed twice: %s and %s", v, describe(ops[j]), describe(op))
			}
			popped[v] = i
		}
	}
	var lost []int
	for v := range pushed {
		if _, ok := popped[v]; !ok {
			lost = append(lost, v)
		}
	}
	if len(lost) > 0 {
		sort.Ints(lost)
		return fmt.Errorf("pushed successfully and never popped, not even by the final drain: %v (first: %s)", lost, describe(ops[pushed[lost[0]]]))
	}
	for v, i := range popped {
		if _, ok := pushed[v]; !ok {
			return fmt.Errorf("%s removed %d, which no successful push added", describe(ops[i]), v)
		}
	}
	return nil
}

// closeParams shapes one history of recordCloseHistory.
type closeParams struct {
	capacity  int // 1..8
	pushers   int // 1..3
	poppers   int // 1..3
	perPusher int // pushes each pusher tries, at most
	closeWait int // Gosched calls before Close
}

func randomCloseParams(rng *rand.Rand) closeParams {
	return closeParams{
		capacity:  1 + rng.IntN(8),
		pushers:   1 + rng.IntN(3),
		poppers:   1 + rng.IntN(3),
		perPusher: 1 + rng.IntN(6),
		closeWait: rng.IntN(8),
	}
}

// recordCloseHistory runs pushers and poppers around one Close, with each
// goroutine's calls timestamped from one shared atomic counter, and returns
// the history, ending with a drain. Pushers push until the queue is closed or
// they have tried perPusher times; poppers pop until a Pop returns ErrClosed
// and then keep popping until every pusher has returned (at most 64 times),
// and twice more
// (the calls a lost element would show up in), with TryPop, Pop and a Pop
// with a done context mixed. A short queue and few
// elements keep the queue near empty, where a pop overtakes a push in
// progress, and pushes are still in progress when Close runs.
func recordCloseHistory(q linQueue, p closeParams, seed uint64) []porcupine.Operation {
	var clock atomic.Int64
	n := p.pushers + p.poppers + 1
	hist := make([][]porcupine.Operation, n)
	var wg, pushing sync.WaitGroup
	var pushersDone atomic.Bool
	start := make(chan struct{})
	run := func(g int, body func(rng *rand.Rand, rec func(call int64, in linIn, out linOut))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			rec := func(call int64, in linIn, out linOut) {
				hist[g] = append(hist[g], porcupine.Operation{
					ClientId: g, Input: in, Call: call, Output: out, Return: clock.Add(1),
				})
			}
			<-start
			body(rng, rec)
		}()
	}
	run(0, func(_ *rand.Rand, rec func(int64, linIn, linOut)) {
		for range p.closeWait {
			runtime.Gosched()
		}
		call := clock.Add(1)
		q.Close()
		rec(call, linIn{kind: linClose}, linOut{})
	})
	pushing.Add(p.pushers)
	go func() { pushing.Wait(); pushersDone.Store(true) }()
	for g := 1; g <= p.pushers; g++ {
		run(g, func(rng *rand.Rand, rec func(int64, linIn, linOut)) {
			defer pushing.Done()
			for seq := 1; seq <= p.perPusher; seq++ {
				v := g<<16 | seq
				if rng.IntN(2) == 0 {
					call := clock.Add(1)
					ok := q.TryPush(v)
					rec(call, linIn{kind: linTryPush, v: v}, linOut{ok: ok})
					if !ok && q.Closed() {
						return
					}
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), linBlockFor)
				call := clock.Add(1)
				err := q.Push(ctx, v)
				rec(call, linIn{kind: linPush, v: v}, linOut{err: classify(err)})
				cancel()
				if classify(err) == errClosed {
					return
				}
			}
		})
	}
	for g := p.pushers + 1; g < n; g++ {
		run(g, func(rng *rand.Rand, rec func(int64, linIn, linOut)) {
			after := -1 // pops left after the first ErrClosed, once the pushers are done
			spins := 64 // pops after the first ErrClosed while pushers are still running
			for after != 0 {
				if after > 0 && (pushersDone.Load() || spins == 0) {
					after--
				} else if after > 0 {
					spins--
				}
				switch rng.IntN(3) {
				case 0:
					call := clock.Add(1)
					v, ok := q.TryPop()
					rec(call, linIn{kind: linTryPop}, linOut{ok: ok, v: v})
					continue
				case 1:
					call := clock.Add(1)
					v, err := q.Pop(canceled)
					rec(call, linIn{kind: linPop}, linOut{v: v, err: classify(err)})
					if classify(err) == errClosed && after < 0 {
						after = 2
					}
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), linBlockFor)
				call := clock.Add(1)
				v, err := q.Pop(ctx)
				rec(call, linIn{kind: linPop}, linOut{v: v, err: classify(err)})
				cancel()
				if classify(err) == errClosed && after < 0 {
					after = 2
				}
			}
		})
	}
	close(start)
	wg.Wait()
	return joinAndDrain(q, hist, &clock)
}

// TestConcurrentClosedDrained records thousands of short histories of
// pushers and poppers around one Close on a fresh queue (Queue in every slot
// layout, and LockFree) and checks each with checkClosedDrained: once a pop
// has reported the queue closed and empty, no later pop returns an element,
// and no element whose push succeeded is left behind. LFKIT_HISTORIES=n
// changes the number of histories per queue type (default 2000).
func TestConcurrentClosedDrained(t *testing.T) {
	for _, tc := range []struct {
		name string
		mk   func(capacity int, rng *rand.Rand) linQueue
	}{
		{"Queue", func(capacity int, rng *rand.Rand) linQueue {
			return newQueue[int](capacity, layout(rng.IntN(int(numLayouts))))
		}},
		{"LockFree", func(capacity int, _ *rand.Rand) linQueue { return lfqueue.NewLockFree[int](capacity) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(time.Now().UnixNano())
			rng := rand.New(rand.NewPCG(seed, 0xc105e))
			ops := 0
			start := time.Now()
			n := histories(t, 2000)
			for i := range n {
				p := randomCloseParams(rng)
				q := tc.mk(p.capacity, rng)
				hseed := rng.Uint64()
				tr := new(tracer)
				tr.add("history %d: %+v seed=%d", i, p, hseed)
				var h []porcupine.Operation
				watchdog(t, tr, func() { h = recordCloseHistory(q, p, hseed) })
				ops += len(h)
				if err := checkClosedDrained(h); err != nil {
					t.Fatalf("history %d (%+v, seed %d): %v\n%s", i, p, hseed, err, describeHistory(h, p.capacity))
				}
			}
			t.Logf("%d histories, %d operations, closed means drained in each; %v", n, ops, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestClosedDrainedCheckerAcceptsReference: every history of the correct
// mutex-guarded queue passes checkClosedDrained, recorded both ways.
func TestClosedDrainedCheckerAcceptsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		p := randomCloseParams(rng)
		if err := checkClosedDrained(recordCloseHistory(newRefQueue(p.capacity, notBroken), p, rng.Uint64())); err != nil {
			t.Fatalf("close history %d (%+v) of the reference queue rejected: %v", i, p, err)
		}
		lp := randomLinParams(rng)
		if err := checkClosedDrained(recordHistory(newRefQueue(lp.capacity, notBroken), lp, rng.Uint64())); err != nil {
			t.Fatalf("history %d (%+v) of the reference queue rejected: %v", i, lp, err)
		}
	}
}

// TestClosedDrainedCheckerRejectsBroken proves checkClosedDrained can fail:
// a queue whose Pop reports ErrClosed once while elements remain, and one
// that drops pushes, each produce a rejected history.
func TestClosedDrainedCheckerRejectsBroken(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    breakage
	}{
		{"closed before drained", closedEarly},
		{"drops pushes", dropsPushes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.b)))
			for i := range 500 {
				p := randomCloseParams(rng)
				err := checkClosedDrained(recordCloseHistory(newRefQueue(p.capacity, tc.b), p, rng.Uint64()))
				if err != nil {
					t.Logf("history %d rejected, as it must be: %v", i, err)
					return
				}
			}
			t.Fatalf("no history of a queue that %s was rejected", tc.name)
		})
	}
}
