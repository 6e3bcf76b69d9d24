package fuzz

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/lfkit/lfkit/atomicx"
)

// maxAtomicxOps is the most operations one goroutine of a FuzzAtomicxConcurrent
// run performs.
const maxAtomicxOps = 64

// atomicxOp is one operation of one goroutine: kind selects it, arg is its
// operand.
type atomicxOp struct{ kind, arg byte }

var atomicxOpNames = [...]string{"Counter.Add", "Counter.Inc", "Counter.Dec", "Handle.Add", "Counter.Drain", "Int.Add", "Int.Max", "Int.Min", "Float.Add", "Gosched"}

func (op atomicxOp) String() string {
	return fmt.Sprintf("%s/%d", atomicxOpNames[int(op.kind)%len(atomicxOpNames)], op.arg)
}

// decodeAtomicxPlan reads byte 0 as the number of goroutines-2 (mod 3), then
// (kind, arg) byte pairs dealt to the goroutines in turn, at most
// maxAtomicxOps each.
func decodeAtomicxPlan(data []byte) [][]atomicxOp {
	r := &input{b: data}
	plan := make([][]atomicxOp, 2+r.intn(3))
	for i := 0; r.more() && i < maxAtomicxOps*len(plan); i++ {
		g := i % len(plan)
		plan[g] = append(plan[g], atomicxOp{kind: r.byte(), arg: r.byte()})
	}
	return plan
}

// atomicxTally is what one goroutine did, for the checks at the end.
type atomicxTally struct {
	counterAdded, drained int64
	intAdded              int64
	floatAdded            float64
	maxArg, minArg        int64
	err                   string // the first broken property this goroutine saw
}

// FuzzAtomicxConcurrent runs 2–4 goroutines, each with its own fuzzer-chosen
// list of operations, on one shared Counter, Int and Float at once, then
// checks what no interleaving may break:
//
//   - Counter: Σ Drains during the run + the final Drain = Σ adds (through
//     Add, Inc, Dec and handles), whatever stripes the goroutines shared;
//   - Int.Add and Float.Add (of small integers, so sums are exact) lose
//     nothing;
//   - Int.Max and Int.Min: the final value is the greatest (least) operand,
//     and the previous values one goroutine sees never go back below (above)
//     what its own earlier calls established.
//
// The sequential semantics of each type are the atomicx package's own state
// machines (FuzzIntOps, FuzzFloatOps, FuzzMaxMin, FuzzCounterOps there).
func FuzzAtomicxConcurrent(f *testing.F) {
	f.Add([]byte{0, 0, 5, 3, 9, 4, 0, 1, 0, 2, 0, 6, 200, 7, 3, 0, 1})
	f.Add([]byte{1, 0, 1, 0, 2, 4, 0, 3, 7, 9, 0, 0, 255, 3, 128, 4, 0, 5, 17})
	f.Add([]byte{2, 6, 10, 6, 20, 7, 30, 7, 40, 8, 3, 8, 250, 9, 0, 4, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		plan := decodeAtomicxPlan(data)
		var (
			c      atomicx.Counter
			x      atomicx.Int[int64]
			hi, lo atomicx.Int[int64]
			fl     atomicx.Float[float64]
		)
		lo.Store(255)
		tallies := make([]atomicxTally, len(plan))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g, ops := range plan {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tallies[g] = runAtomicxOps(ops, &c, &x, &hi, &lo, &fl)
			}()
		}
		close(start)
		wg.Wait()

		var sum atomicxTally
		sum.minArg = 255
		for g, tl := range tallies {
			if tl.err != "" {
				t.Fatalf("goroutine %d: %s\nplan: %s", g, tl.err, planString(plan))
			}
			sum.counterAdded += tl.counterAdded
			sum.drained += tl.drained
			sum.intAdded += tl.intAdded
			sum.floatAdded += tl.floatAdded
			sum.maxArg = max(sum.maxArg, tl.maxArg)
			sum.minArg = min(sum.minArg, tl.minArg)
		}
		if got := sum.drained + c.Drain(); got != sum.counterAdded {
			t.Fatalf("Counter: Σ drains = %d, Σ adds = %d\nplan: %s", got, sum.counterAdded, planString(plan))
		}
		if x.Load() != sum.intAdded || fl.Load() != sum.floatAdded {
			t.Fatalf("Int = %d (want %d), Float = %v (want %v)\nplan: %s", x.Load(), sum.intAdded, fl.Load(), sum.floatAdded, planString(plan))
		}
		if hi.Load() != sum.maxArg || lo.Load() != sum.minArg {
			t.Fatalf("Max → %d (want %d), Min → %d (want %d)\nplan: %s", hi.Load(), sum.maxArg, lo.Load(), sum.minArg, planString(plan))
		}
	})
}

func runAtomicxOps(ops []atomicxOp, c *atomicx.Counter, x, hi, lo *atomicx.Int[int64], fl *atomicx.Float[float64]) atomicxTally {
	tl := atomicxTally{minArg: 255}
	var h *atomicx.CounterHandle
	seenHi, seenLo := int64(0), int64(255) // what this goroutine's own calls established
	for i, op := range ops {
		small := int64(int8(op.arg))
		switch int(op.kind) % len(atomicxOpNames) {
		case 0:
			c.Add(small)
			tl.counterAdded += small
		case 1:
			c.Inc()
			tl.counterAdded++
		case 2:
			c.Dec()
			tl.counterAdded--
		case 3:
			if h == nil {
				h = c.Handle()
			}
			h.Add(small)
			tl.counterAdded += small
		case 4:
			tl.drained += c.Drain()
		case 5:
			x.Add(small)
			tl.intAdded += small
		case 6:
			v := int64(op.arg)
			if old := hi.Max(v); old < seenHi && tl.err == "" {
				tl.err = fmt.Sprintf("op %d: Max(%d) returned %d after this goroutine saw %d", i, v, old, seenHi)
			} else {
				seenHi = max(old, v)
			}
			tl.maxArg = max(tl.maxArg, v)
		case 7:
			v := int64(op.arg)
			if old := lo.Min(v); old > seenLo && tl.err == "" {
				tl.err = fmt.Sprintf("op %d: Min(%d) returned %d after this goroutine saw %d", i, v, old, seenLo)
			} else {
				seenLo = min(old, v)
			}
			tl.minArg = min(tl.minArg, v)
		case 8:
			fl.Add(float64(small))
			tl.floatAdded += float64(small)
		default:
			runtime.Gosched()
		}
	}
	return tl
}

func planString(plan [][]atomicxOp) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d goroutines:", len(plan))
	for g, ops := range plan {
		fmt.Fprintf(&b, "\n  g%d:", g)
		for _, op := range ops {
			b.WriteString(" " + op.String())
		}
	}
	return b.String()
}
