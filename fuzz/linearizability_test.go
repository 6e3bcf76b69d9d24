package fuzz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/lfkit/lfkit/lfqueue"
)

// linQueue is the part of lfqueue.Queue[int] and lfqueue.LockFree[int]
// whose histories are checked; the test-only queues below implement it too.
// Queues that also have ForcePush or batches (linForcer, linBatcher) get
// those recorded as well.
type linQueue interface {
	TryPush(v int) bool
	TryPop() (int, bool)
	Push(ctx context.Context, v int) error
	Pop(ctx context.Context) (int, error)
	Close()
	Closed() bool
	Len() int
}

// linForcer is a linQueue with ForcePush.
type linForcer interface {
	ForcePush(v int) (old int, evicted bool, err error)
}

// linBatcher is a linQueue with batch operations.
type linBatcher interface {
	TryPushBatch(vs []int) int
	TryPopBatch(dst []int) int
}

var (
	_ linQueue   = (*lfqueue.Queue[int])(nil)
	_ linForcer  = (*lfqueue.Queue[int])(nil)
	_ linBatcher = (*lfqueue.Queue[int])(nil)
	_ linQueue   = (*lfqueue.LockFree[int])(nil)
)

// linKind is an operation of a recorded history. A batch is recorded as one
// linTryPush/linTryPop per element it moved, plus a failed one when it moved
// fewer than asked, all spanning the batch's call: a batch is not atomic, but
// each element moved at some instant of the call, and a short batch found the
// queue full (or closed) or empty at some instant of it.
type linKind uint8

const (
	linTryPush linKind = iota
	linTryPop
	linPush
	linPop
	linForcePush
	linClose
	linLen
	linClosed
)

// linErr classifies the error of Push, Pop and ForcePush.
type linErr uint8

const (
	errNone linErr = iota
	errClosed
	errCtx // ctx.Err(): the call would have had to wait, and changed nothing
	errOther
)

func classify(err error) linErr {
	switch {
	case err == nil:
		return errNone
	case errors.Is(err, lfqueue.ErrClosed):
		return errClosed
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return errCtx
	}
	return errOther
}

func (e linErr) String() string {
	return [...]string{"nil", "ErrClosed", "ctx.Err", "unexpected error"}[e]
}

type linIn struct {
	kind linKind
	v    int // the value pushed
	// slack, in histories of a relaxed model (LockFree), is the number of
	// pushes and pops of other goroutines whose calls overlap this one:
	// each may hold a free slot (see relaxFull).
	slack int
	// pushes and pops are the numbers of pushes and of pops of other
	// goroutines whose calls overlap this one: for a Queue Pop, one of
	// those pushes may hold the slot at head, claimed and not yet
	// published; for a Queue Push, one of those pops may hold the slot at
	// tail, claimed and not yet released.
	pushes, pops int
}

type linOut struct {
	ok  bool   // TryPush/TryPop success, ForcePush eviction, Closed result
	v   int    // the value popped or evicted
	n   int    // Len's result
	err linErr // Push, Pop, ForcePush
}

// linState is the bounded-FIFO model's state: comparable, so porcupine can
// cache it. Capacity is at most 4 in these histories.
type linState struct {
	buf    [4]int
	n      int
	closed bool
}

func (s linState) push(v int) linState {
	s.buf[s.n] = v
	s.n++
	return s
}

func (s linState) pop() (int, linState) {
	v := s.buf[0]
	copy(s.buf[:], s.buf[1:s.n])
	s.n--
	s.buf[s.n] = 0
	return v, s
}

// fifoModel is the sequential specification of a Queue of the given
// capacity:
//   - a push succeeds iff the queue is neither full nor closed; a failed
//     TryPush is legal only when full or closed, Push's ErrClosed only when
//     closed, and Push's ctx.Err() only when not closed and full (Push
//     consults ctx only when it would have to wait), or (Queue only, as its
//     Push documents) while a pop of another goroutine overlaps the call:
//     that pop may hold the slot at tail, claimed and not yet released, and
//     Push gives up waiting for it when ctx ends;
//   - a pop returns the oldest element; a failed TryPop is legal only when
//     empty, Pop's ErrClosed only when closed and empty, Pop's ctx.Err()
//     only when not closed and empty, or (Queue only, as its Pop documents)
//     while a push of another goroutine overlaps the call: that push may
//     hold the slot at head, claimed and not published, and Pop gives up
//     waiting for it when ctx ends;
//   - ForcePush on a full queue evicts exactly the oldest element, on a
//     closed one fails with ErrClosed and changes nothing;
//   - Len returns the exact length, Closed whether Close happened.
//
// With relaxed set (LockFree's contract), two results are allowed more
// freely: a push may fail as "full" (TryPush false, Push's ctx.Err()) when
// the length plus in.slack (the pushes and pops in progress during the call,
// each of which may hold a slot) reaches the capacity; and Len may be any
// value in [0, capacity] while other pushes or pops are in progress, and
// must be exact when none is. Everything else, including that TryPop fails
// only when empty, is checked as strictly as for Queue.
func fifoModel(capacity int, relaxed bool) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return linState{} },
		Step: func(state, input, output any) (bool, any) {
			s, in, out := state.(linState), input.(linIn), output.(linOut)
			full := s.n == capacity
			mayFail := full || relaxed && s.n+in.slack >= capacity
			switch in.kind {
			case linTryPush, linPush:
				if in.kind == linPush && out.err != errNone {
					switch out.err {
					case errClosed:
						return s.closed, s
					case errCtx:
						return !s.closed && (mayFail || !relaxed && in.pops > 0), s
					}
					return false, s
				}
				if !out.ok && in.kind == linTryPush {
					return mayFail || s.closed, s
				}
				if full || s.closed {
					return false, s
				}
				return true, s.push(in.v)
			case linTryPop, linPop:
				if in.kind == linPop && out.err != errNone {
					switch out.err {
					case errClosed:
						return s.closed && s.n == 0, s
					case errCtx:
						return !s.closed && (s.n == 0 || !relaxed && in.pushes > 0), s
					}
					return false, s
				}
				if !out.ok && in.kind == linTryPop {
					return s.n == 0, s
				}
				if s.n == 0 || s.buf[0] != out.v {
					return false, s
				}
				_, s = s.pop()
				return true, s
			case linForcePush:
				switch {
				case out.err == errClosed:
					return s.closed && !out.ok, s
				case out.err != errNone || s.closed:
					return false, s
				case !full:
					return !out.ok, s.push(in.v)
				}
				if !out.ok || out.v != s.buf[0] {
					return false, s
				}
				_, s = s.pop()
				return true, s.push(in.v)
			case linClose:
				s.closed = true
				return true, s
			case linLen:
				if relaxed && in.slack > 0 {
					return 0 <= out.n && out.n <= capacity, s
				}
				return out.n == s.n, s
			case linClosed:
				return out.ok == s.closed, s
			}
			return false, s
		},
		DescribeOperation: func(input, output any) string {
			in, out := input.(linIn), output.(linOut)
			switch in.kind {
			case linTryPush:
				return fmt.Sprintf("TryPush(%d) → %v", in.v, out.ok)
			case linTryPop:
				if !out.ok {
					return "TryPop() → _, false"
				}
				return fmt.Sprintf("TryPop() → %d", out.v)
			case linPush:
				return fmt.Sprintf("Push(%d) → %v", in.v, out.err)
			case linPop:
				if out.err != errNone {
					return fmt.Sprintf("Pop() → %v", out.err)
				}
				return fmt.Sprintf("Pop() → %d", out.v)
			case linForcePush:
				if out.ok {
					return fmt.Sprintf("ForcePush(%d) → evicted %d", in.v, out.v)
				}
				return fmt.Sprintf("ForcePush(%d) → %v", in.v, out.err)
			case linClose:
				return "Close()"
			case linLen:
				return fmt.Sprintf("Len() → %d", out.n)
			case linClosed:
				return fmt.Sprintf("Closed() → %v", out.ok)
			}
			return "?"
		},
		DescribeState: func(state any) string {
			s := state.(linState)
			c := ""
			if s.closed {
				c = " closed"
			}
			return fmt.Sprintf("%v/%d%s", s.buf[:s.n], capacity, c)
		},
	}
}

// linParams shapes one recorded history.
type linParams struct {
	capacity   int // 1..4
	goroutines int // 2..4
	ops        int // per goroutine, ≤ 40
	closeAt    int // index of the op, in goroutine 0's list, that is Close; -1 for none
}

func randomLinParams(rng *rand.Rand) linParams {
	p := linParams{
		capacity:   1 + rng.IntN(4),
		goroutines: 2 + rng.IntN(3),
		ops:        10 + rng.IntN(31),
		closeAt:    -1,
	}
	if rng.IntN(3) == 0 {
		p.closeAt = rng.IntN(p.ops)
	}
	return p
}

// linBlockFor bounds blocking calls in recorded histories, so a run where
// every goroutine waits for another still ends; a call that gave up is
// checked as one that found the queue full (Push) or empty (Pop).
const linBlockFor = 200 * time.Microsecond

// recordHistory runs p's goroutines on q concurrently, each performing a
// random mix of every operation, then drains q, and returns the history with
// call and return timestamps from one shared atomic counter (so real-time
// order between operations is exact).
func recordHistory(q linQueue, p linParams, seed uint64) []porcupine.Operation {
	var clock atomic.Int64
	hist := make([][]porcupine.Operation, p.goroutines)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range p.goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			seq := 0
			fresh := func() int { seq++; return (g+1)<<16 | seq }
			rec := func(call int64, in linIn, out linOut) {
				hist[g] = append(hist[g], porcupine.Operation{
					ClientId: g, Input: in, Call: call, Output: out, Return: clock.Add(1),
				})
			}
			<-start
			for i := range p.ops {
				if g == 0 && i == p.closeAt {
					call := clock.Add(1)
					q.Close()
					rec(call, linIn{kind: linClose}, linOut{})
					continue
				}
				r := rng.IntN(100)
				forcer, canForce := q.(linForcer)
				batcher, canBatch := q.(linBatcher)
				if !canForce && 66 <= r && r < 74 || !canBatch && 74 <= r && r < 86 {
					r %= 50 // a TryPush or TryPop instead
				}
				switch {
				case r < 25:
					v := fresh()
					call := clock.Add(1)
					ok := q.TryPush(v)
					rec(call, linIn{kind: linTryPush, v: v}, linOut{ok: ok})
				case r < 50:
					call := clock.Add(1)
					v, ok := q.TryPop()
					rec(call, linIn{kind: linTryPop}, linOut{ok: ok, v: v})
				case r < 58:
					v := fresh()
					ctx, cancel := context.WithTimeout(context.Background(), linBlockFor)
					call := clock.Add(1)
					err := q.Push(ctx, v)
					rec(call, linIn{kind: linPush, v: v}, linOut{err: classify(err)})
					cancel()
				case r < 66:
					ctx, cancel := context.WithTimeout(context.Background(), linBlockFor)
					call := clock.Add(1)
					v, err := q.Pop(ctx)
					rec(call, linIn{kind: linPop}, linOut{v: v, err: classify(err)})
					cancel()
				case r < 74:
					v := fresh()
					call := clock.Add(1)
					old, evicted, err := forcer.ForcePush(v)
					rec(call, linIn{kind: linForcePush, v: v}, linOut{ok: evicted, v: old, err: classify(err)})
				case r < 80:
					vs := make([]int, 1+rng.IntN(3))
					for k := range vs {
						vs[k] = fresh()
					}
					call := clock.Add(1)
					n := batcher.TryPushBatch(vs)
					ret := clock.Add(1)
					for k, v := range vs {
						if k > n {
							break
						}
						hist[g] = append(hist[g], porcupine.Operation{
							ClientId: g, Input: linIn{kind: linTryPush, v: v}, Call: call,
							Output: linOut{ok: k < n}, Return: ret,
						})
					}
				case r < 86:
					dst := make([]int, 1+rng.IntN(3))
					call := clock.Add(1)
					n := batcher.TryPopBatch(dst)
					ret := clock.Add(1)
					for k := 0; k <= n && k < len(dst); k++ {
						hist[g] = append(hist[g], porcupine.Operation{
							ClientId: g, Input: linIn{kind: linTryPop}, Call: call,
							Output: linOut{ok: k < n, v: dst[k]}, Return: ret,
						})
					}
				case r < 96:
					call := clock.Add(1)
					n := q.Len()
					rec(call, linIn{kind: linLen}, linOut{n: n})
				default:
					call := clock.Add(1)
					c := q.Closed()
					rec(call, linIn{kind: linClosed}, linOut{ok: c})
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	return joinAndDrain(q, hist, &clock)
}

// joinAndDrain returns the goroutines' histories joined, followed by a
// drain of q, timestamped from clock, after every goroutine returned: a lost
// element shows up there as a TryPop that fails while the model still holds
// it.
func joinAndDrain(q linQueue, hist [][]porcupine.Operation, clock *atomic.Int64) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, h := range hist {
		ops = append(ops, h...)
	}
	for {
		call := clock.Add(1)
		v, ok := q.TryPop()
		ops = append(ops, porcupine.Operation{
			ClientId: 0, Input: linIn{kind: linTryPop}, Call: call,
			Output: linOut{ok: ok, v: v}, Return: clock.Add(1),
		})
		if !ok {
			return ops
		}
	}
}

// linCheckTimeout bounds porcupine's search for one history. A history it
// cannot decide in time is counted as unknown: not a pass.
const linCheckTimeout = 3 * time.Second

// linVerdict checks one history; on a violation it writes porcupine's HTML
// visualization to a file in dir (os.TempDir() when empty) and returns its
// path.
func linVerdict(ops []porcupine.Operation, capacity int, relaxed bool, dir string) (porcupine.CheckResult, string, error) {
	model := fifoModel(capacity, relaxed)
	res := porcupine.CheckOperationsTimeout(model, ops, linCheckTimeout)
	if res != porcupine.Illegal {
		return res, "", nil
	}
	_, info := porcupine.CheckOperationsVerbose(model, ops, 0)
	f, err := os.CreateTemp(dir, "lfqueue-linearizability-*.html")
	if err != nil {
		return res, "", err
	}
	path := f.Name()
	f.Close()
	return res, path, porcupine.VisualizePath(model, info, path)
}

func describeHistory(ops []porcupine.Operation, capacity int) string {
	m := fifoModel(capacity, false)
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, "  g%d [%d,%d] %s\n", op.ClientId, op.Call, op.Return, m.DescribeOperation(op.Input, op.Output))
	}
	return b.String()
}

// histories returns how many histories (or plans) a concurrent test runs:
// LFKIT_HISTORIES when set (to run longer: LFKIT_HISTORIES=100000), else
// def, or def/10 with -short.
func histories(t *testing.T, def int) int {
	if env := os.Getenv("LFKIT_HISTORIES"); env != "" {
		n, err := strconv.Atoi(env)
		if err != nil || n < 1 {
			t.Fatalf("LFKIT_HISTORIES=%q: want a positive count", env)
		}
		return n
	}
	if testing.Short() {
		return max(def/10, 1)
	}
	return def
}

// TestConcurrentLinearizable records hundreds of concurrent histories of
// TryPush, TryPop, Push, Pop (with short timeouts), Close, Len and Closed,
// plus ForcePush, TryPushBatch and TryPopBatch where the queue has them, on
// queues of capacity 1–4 with 2–4 goroutines of ≤ 40 operations each, and
// checks each with porcupine against the bounded-FIFO model (fifoModel):
// strictly for Queue (every slot layout), relaxed as LockFree's contract
// allows for LockFree (see fifoModel). On a violation it writes porcupine's
// HTML visualization to a temporary file and prints its path. A history
// porcupine cannot decide within linCheckTimeout counts as skipped, not
// passed. LFKIT_HISTORIES=n changes the number of histories per queue type
// (default 1000). Each history is also checked with checkClosedDrained.
func TestConcurrentLinearizable(t *testing.T) {
	t.Run("Queue", func(t *testing.T) {
		checkLinearizable(t, false, func(capacity int, rng *rand.Rand) (linQueue, string) {
			l := layout(rng.IntN(int(numLayouts)))
			return newQueue[int](capacity, l), fmt.Sprintf("layout=%v", l)
		})
	})
	t.Run("LockFree", func(t *testing.T) {
		checkLinearizable(t, true, func(capacity int, _ *rand.Rand) (linQueue, string) {
			return lfqueue.NewLockFree[int](capacity), "LockFree"
		})
	})
}

func checkLinearizable(t *testing.T, relaxed bool, mk func(capacity int, rng *rand.Rand) (linQueue, string)) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x11ea))
	var ok, unknown, events, overlapped int
	start := time.Now()
	for i := range histories(t, 1000) {
		p := randomLinParams(rng)
		q, what := mk(p.capacity, rng)
		hseed := rng.Uint64()
		var ops []porcupine.Operation
		tr := new(tracer)
		tr.add("history %d: %+v %s seed=%d", i, p, what, hseed)
		watchdog(t, tr, func() { ops = recordHistory(q, p, hseed) })
		addOverlaps(ops)
		if err := checkClosedDrained(ops); err != nil {
			t.Fatalf("history %d (%+v, %s, seed %d): %v\n%s", i, p, what, hseed, err, describeHistory(ops, p.capacity))
		}
		events += len(ops)
		overlapped += overlapping(ops)
		res, path, err := linVerdict(ops, p.capacity, relaxed, "")
		switch res {
		case porcupine.Ok:
			ok++
		case porcupine.Unknown:
			unknown++
		default:
			t.Fatalf("history %d (%+v, %s, seed %d) is not linearizable against a bounded FIFO;\nvisualization: %s (err %v)\n%s",
				i, p, what, hseed, path, err, describeHistory(ops, p.capacity))
		}
	}
	t.Logf("%d histories (%d operations, %d overlapping another goroutine's) linearizable, %d undecided within %v (skipped, not passed); recorded and checked in %v",
		ok, events, overlapped, unknown, linCheckTimeout, time.Since(start).Round(time.Millisecond))
	if unknown > ok/10 {
		t.Errorf("porcupine could not decide %d of %d histories", unknown, ok+unknown)
	}
}

// addOverlaps sets each operation's slack, pushes and pops: the numbers of
// pushes and pops, of pushes, and of pops of other goroutines whose calls
// overlap it.
func addOverlaps(ops []porcupine.Operation) {
	for i := range ops {
		in := ops[i].Input.(linIn)
		in.slack, in.pushes, in.pops = 0, 0, 0
		for j, b := range ops {
			if i == j || ops[i].ClientId == b.ClientId || ops[i].Call > b.Return || b.Call > ops[i].Return {
				continue
			}
			switch b.Input.(linIn).kind {
			case linTryPush, linPush, linForcePush:
				in.slack++
				in.pushes++
			case linTryPop, linPop:
				in.slack++
				in.pops++
			}
		}
		ops[i].Input = in
	}
}

// overlapping counts the operations whose interval overlaps that of an
// operation of another goroutine: the ones whose order the checker had to
// find, a measure of how concurrent the history really was.
func overlapping(ops []porcupine.Operation) int {
	n := 0
	for i, a := range ops {
		for j, b := range ops {
			if i != j && a.ClientId != b.ClientId && a.Call <= b.Return && b.Call <= a.Return {
				n++
				break
			}
		}
	}
	return n
}
