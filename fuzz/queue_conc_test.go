package fuzz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/lfqueue"
)

const (
	// maxConcOps is the most operations one goroutine of a concurrent run
	// performs.
	maxConcOps = 40
	// blockFor bounds a blocking Push, Pop or All of a concurrent run: the
	// goroutines' op lists may leave every one of them waiting for another
	// (a deadlock the queue cannot break), so each blocking call gives up
	// with ctx.Err() after this long. Nothing is asserted about it: a call
	// that gave up must simply have changed nothing.
	blockFor = 300 * time.Microsecond
)

// concOp is one operation of one goroutine: kind selects it, arg sizes it.
type concOp struct{ kind, arg byte }

// concPlan is a decoded FuzzQueueConcurrent input.
type concPlan struct {
	capacity int
	layout   layout
	ops      [][]concOp // per goroutine
}

func (p concPlan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "capacity %d, layout %v, %d goroutines:", p.capacity, p.layout, len(p.ops))
	for g, ops := range p.ops {
		fmt.Fprintf(&b, "\n  g%d:", g)
		for _, op := range ops {
			b.WriteString(" " + op.String())
		}
	}
	return b.String()
}

var concOpNames = [...]string{"TryPush", "TryPop", "Push", "Pop", "ForcePush", "TryPushBatch", "TryPopBatch", "Close?", "All", "Len"}

func (op concOp) String() string {
	return fmt.Sprintf("%s/%d", concOpNames[op.kind%10], op.arg)
}

// decodeConcPlan reads byte 0 as capacity-1 (mod 8), byte 1 as the number
// of goroutines-2 (mod 3, bits 0-1), Remap (bit 2) and Padded (bit 3,
// when bit 2 is clear; neither: the default layout, Compact for int), then (kind, arg)
// byte pairs dealt to the goroutines in turn, at most maxConcOps each.
func decodeConcPlan(data []byte) concPlan {
	r := &input{b: data}
	p := concPlan{capacity: 1 + r.intn(8)}
	flags := r.byte()
	switch {
	case flags&4 != 0:
		p.layout = layoutRemap
	case flags&8 != 0:
		p.layout = layoutPadded
	}
	p.ops = make([][]concOp, 2+int(flags&3)%3)
	for i := 0; r.more() && i < maxConcOps*len(p.ops); i++ {
		g := i % len(p.ops)
		p.ops[g] = append(p.ops[g], concOp{kind: r.byte(), arg: r.byte()})
	}
	return p
}

// encode is the inverse of decodeConcPlan, for generated plans.
func (p concPlan) encode() []byte {
	b := []byte{byte(p.capacity - 1), byte(len(p.ops) - 2)}
	switch p.layout {
	case layoutRemap:
		b[1] |= 4
	case layoutPadded:
		b[1] |= 8
	}
	for i := 0; ; i++ {
		g, k := i%len(p.ops), i/len(p.ops)
		if k >= len(p.ops[g]) {
			break
		}
		b = append(b, p.ops[g][k].kind, p.ops[g][k].arg)
	}
	return b
}

// randomConcPlan returns a plan with equal-length op lists (so encode keeps
// every op).
func randomConcPlan(rng *rand.Rand) concPlan {
	p := concPlan{capacity: 1 + rng.IntN(8), layout: layout(rng.IntN(int(numLayouts)))}
	p.ops = make([][]concOp, 2+rng.IntN(3))
	n := 1 + rng.IntN(maxConcOps)
	closeOdds := 1 + rng.IntN(40) // how rare Close is in this plan
	for g := range p.ops {
		for range n {
			op := concOp{kind: byte(rng.IntN(10)), arg: byte(rng.IntN(256))}
			if op.kind == 7 && rng.IntN(closeOdds) != 0 {
				op.kind = 9
			}
			p.ops[g] = append(p.ops[g], op)
		}
	}
	return p
}

// FuzzQueueConcurrent decodes the input into 2–4 goroutines' operation lists
// and a capacity (see decodeConcPlan), runs them concurrently on one Queue,
// drains it, and checks:
//
//   - conservation: every value whose push succeeded is removed exactly once,
//     by a pop, a batch pop, All, a ForcePush eviction, or the final drain;
//   - no value invented: nothing is removed that was not pushed, or whose
//     push failed (TryPush false, Push/ForcePush error, beyond a batch's
//     count);
//   - per-producer FIFO: each goroutine's removals, and the final drain, see
//     every producer's values in the order it pushed them;
//   - 0 ≤ Len ≤ Cap and 0 ≤ FillRatio ≤ 1 after every operation;
//   - Close: once a goroutine has seen Close return (in program order or
//     through an atomic flag), every push it starts fails, Closed reports
//     true, and an ErrClosed result implies Closed; after the drain Pop
//     reports ErrClosed exactly when some goroutine closed the queue.
//
// Every check is a deterministic property of the results; none depends on
// timing. Blocking calls give up after blockFor, which the checks treat as
// "nothing happened".
func FuzzQueueConcurrent(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 5))
	for range 8 {
		f.Add(randomConcPlan(rng).encode())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runConcurrent(t, decodeConcPlan(data))
	})
}

// TestConcurrentQueue runs FuzzQueueConcurrent's checks on random plans; run
// it at -cpu=1,2,4 (GOMAXPROCS above the core count exposes preemption
// between a claim and its publication). LFKIT_HISTORIES=n changes the number
// of plans (default 600).
func TestConcurrentQueue(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for i := range histories(t, 600) {
		p := randomConcPlan(rng)
		runConcurrent(t, p)
		if t.Failed() {
			t.Fatalf("plan %d of seed %d failed; as a FuzzQueueConcurrent corpus entry:\ngo test fuzz v1\n[]byte(%q)", i, seed, p.encode())
		}
	}
}

// concLog is what one goroutine of a concurrent run saw.
type concLog struct {
	pushed []int    // values it pushed successfully, in order
	failed []int    // values it tried to push, without success
	got    []int    // values it removed (pops and evictions), in order
	ops    []string // its operations and results, for failure messages
	errs   []string // violations it detected
}

func (l *concLog) errorf(format string, args ...any) {
	l.errs = append(l.errs, fmt.Sprintf(format, args...))
}

// concValue is the value pushed by goroutine g as its seq-th push (seq ≥ 1):
// never zero, and it names its producer.
func concValue(g, seq int) int { return (g+1)<<16 | seq }

func producerOf(v int) (g, seq int) { return v>>16 - 1, v & 0xffff }

func runConcurrent(t *testing.T, p concPlan) {
	t.Helper()
	tr := new(tracer)
	tr.add("%v", p)
	watchdog(t, tr, func() { checkConcurrent(t, p) })
}

func checkConcurrent(t *testing.T, p concPlan) {
	q := newQueue[int](p.capacity, p.layout)
	logs := make([]concLog, len(p.ops))
	var closed atomic.Bool // set after a Close returned
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range p.ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			runConcGoroutine(q, p.capacity, g, p.ops[g], &logs[g], &closed)
		}()
	}
	close(start)
	wg.Wait()

	// Quiescent now: what is left comes out in FIFO order.
	var drained []int
	for {
		v, ok := q.TryPop()
		if !ok {
			break
		}
		drained = append(drained, v)
	}
	var errs []string
	if n := q.Len(); n != 0 {
		errs = append(errs, fmt.Sprintf("Len = %d after the drain", n))
	}
	anyClosed := closed.Load()
	if q.Closed() != anyClosed {
		errs = append(errs, fmt.Sprintf("Closed = %v, but Close called: %v", q.Closed(), anyClosed))
	}
	_, err := q.Pop(canceled)
	if anyClosed && !errors.Is(err, lfqueue.ErrClosed) || !anyClosed && !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Sprintf("Pop on the drained queue = %v (closed %v)", err, anyClosed))
	}

	// Conservation, invention, duplicates.
	pushed := map[int]bool{}
	failed := map[int]bool{}
	for g := range logs {
		for _, v := range logs[g].pushed {
			pushed[v] = true
		}
		for _, v := range logs[g].failed {
			failed[v] = true
		}
	}
	seen := map[int]int{}
	sequences := [][]int{drained}
	for g := range logs {
		sequences = append(sequences, logs[g].got)
	}
	for i, seq := range sequences {
		who := "the final drain"
		if i > 0 {
			who = fmt.Sprintf("g%d", i-1)
		}
		last := map[int]int{}
		for _, v := range seq {
			seen[v]++
			switch {
			case seen[v] == 2:
				errs = append(errs, fmt.Sprintf("%d removed twice (again by %s)", v, who))
			case failed[v]:
				errs = append(errs, fmt.Sprintf("%s removed %d, whose push failed", who, v))
			case !pushed[v]:
				errs = append(errs, fmt.Sprintf("%s removed %d, which nobody pushed", who, v))
			}
			pg, s := producerOf(v)
			if s <= last[pg] {
				errs = append(errs, fmt.Sprintf("%s removed g%d's push #%d after its push #%d: per-producer FIFO broken", who, pg, s, last[pg]))
			}
			last[pg] = s
		}
	}
	for v := range pushed {
		if seen[v] == 0 {
			pg, s := producerOf(v)
			errs = append(errs, fmt.Sprintf("g%d's push #%d (%d) succeeded but the value was never removed: lost", pg, s, v))
		}
	}
	for g := range logs {
		for _, e := range logs[g].errs {
			errs = append(errs, fmt.Sprintf("g%d: %s", g, e))
		}
	}
	if len(errs) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "plan %v\n", p)
		for g := range logs {
			fmt.Fprintf(&b, "g%d did: %s\n", g, strings.Join(logs[g].ops, " "))
		}
		fmt.Fprintf(&b, "final drain: %v\n", drained)
		t.Errorf("%s\n%s", strings.Join(errs, "\n"), b.String())
	}
}

// runConcGoroutine performs goroutine g's operations and records them in l.
func runConcGoroutine(q *lfqueue.Queue[int], capacity, g int, ops []concOp, l *concLog, closed *atomic.Bool) {
	seq := 0
	fresh := func() int { seq++; return concValue(g, seq) }
	// mustFail reports whether a push starting now must fail: some Close
	// returned before this goroutine's load of the flag.
	mustFail := func() bool { return closed.Load() }
	pushResult := func(what string, v int, ok, mustFail bool) {
		if ok {
			l.pushed = append(l.pushed, v)
			if mustFail {
				l.errorf("%s(%d) succeeded after Close had returned", what, v)
			}
		} else {
			l.failed = append(l.failed, v)
		}
	}
	errClosedImpliesClosed := func(what string, err error) {
		if errors.Is(err, lfqueue.ErrClosed) && !q.Closed() {
			l.errorf("%s returned ErrClosed but Closed() = false afterwards", what)
		}
	}
	blockCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), blockFor)
	}
	for _, op := range ops {
		switch op.kind % 10 {
		case 0:
			v, mf := fresh(), mustFail()
			ok := q.TryPush(v)
			l.ops = append(l.ops, fmt.Sprintf("TryPush(%d)=%v", v, ok))
			pushResult("TryPush", v, ok, mf)
		case 1:
			v, ok := q.TryPop()
			l.ops = append(l.ops, fmt.Sprintf("TryPop=%d,%v", v, ok))
			if ok {
				l.got = append(l.got, v)
			}
		case 2:
			v, mf := fresh(), mustFail()
			ctx, cancel := blockCtx()
			err := q.Push(ctx, v)
			cancel()
			l.ops = append(l.ops, fmt.Sprintf("Push(%d)=%v", v, err))
			pushResult("Push", v, err == nil, mf)
			if mf && err != nil && !errors.Is(err, lfqueue.ErrClosed) {
				l.errorf("Push after Close returned %v, want ErrClosed", err)
			}
			if err != nil && !errors.Is(err, lfqueue.ErrClosed) && !errors.Is(err, context.DeadlineExceeded) {
				l.errorf("Push returned %v", err)
			}
			errClosedImpliesClosed("Push", err)
		case 3:
			ctx, cancel := blockCtx()
			v, err := q.Pop(ctx)
			cancel()
			l.ops = append(l.ops, fmt.Sprintf("Pop=%d,%v", v, err))
			switch {
			case err == nil:
				l.got = append(l.got, v)
			case errors.Is(err, lfqueue.ErrClosed), errors.Is(err, context.DeadlineExceeded):
			default:
				l.errorf("Pop returned %v", err)
			}
			errClosedImpliesClosed("Pop", err)
		case 4:
			v, mf := fresh(), mustFail()
			old, evicted, err := q.ForcePush(v)
			l.ops = append(l.ops, fmt.Sprintf("ForcePush(%d)=%d,%v,%v", v, old, evicted, err))
			pushResult("ForcePush", v, err == nil, mf)
			if evicted {
				if err != nil {
					l.errorf("ForcePush evicted %d and failed with %v", old, err)
				}
				l.got = append(l.got, old)
			}
			if err != nil && !errors.Is(err, lfqueue.ErrClosed) {
				l.errorf("ForcePush returned %v", err)
			}
			errClosedImpliesClosed("ForcePush", err)
		case 5:
			vs := make([]int, 1+int(op.arg)%4)
			for i := range vs {
				vs[i] = fresh()
			}
			mf := mustFail()
			n := q.TryPushBatch(vs)
			l.ops = append(l.ops, fmt.Sprintf("TryPushBatch(%v)=%d", vs, n))
			if n < 0 || n > len(vs) {
				l.errorf("TryPushBatch of %d returned %d", len(vs), n)
				n = max(0, min(n, len(vs)))
			}
			for i, v := range vs {
				pushResult("TryPushBatch", v, i < n, mf)
			}
		case 6:
			dst := make([]int, 1+int(op.arg)%4)
			n := q.TryPopBatch(dst)
			l.ops = append(l.ops, fmt.Sprintf("TryPopBatch(%d)=%v", len(dst), dst[:max(0, min(n, len(dst)))]))
			if n < 0 || n > len(dst) {
				l.errorf("TryPopBatch into %d returned %d", len(dst), n)
				n = max(0, min(n, len(dst)))
			}
			l.got = append(l.got, dst[:n]...)
		case 7:
			if op.arg%8 != 0 {
				l.ops = append(l.ops, "-")
				break
			}
			q.Close()
			closed.Store(true)
			l.ops = append(l.ops, "Close")
			if !q.Closed() {
				l.errorf("Closed() = false after Close")
			}
		case 8:
			ctx, cancel := blockCtx()
			k := 1 + int(op.arg)%4
			var got []int
			for v := range q.All(ctx) {
				got = append(got, v)
				if len(got) == k {
					break
				}
			}
			cancel()
			l.ops = append(l.ops, fmt.Sprintf("All(%d)=%v", k, got))
			l.got = append(l.got, got...)
		case 9:
			mf := mustFail()
			c := q.Closed()
			l.ops = append(l.ops, fmt.Sprintf("Closed=%v", c))
			if mf && !c {
				l.errorf("Closed() = false after Close had returned")
			}
		}
		if n, c, r := q.Len(), q.Cap(), q.FillRatio(); n < 0 || n > c || r < 0 || r > 1 || c != capacity {
			l.errorf("Len = %d, Cap = %d, FillRatio = %v", n, c, r)
		}
	}
}
