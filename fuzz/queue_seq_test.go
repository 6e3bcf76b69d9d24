package fuzz

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lfkit/lfkit/lfqueue"
)

// maxSeqOps bounds the operations one FuzzQueueSequential input runs, so an
// input costs well under a millisecond per hundred operations.
const maxSeqOps = 2000

// FuzzQueueSequential decodes the input into a queue configuration and a
// sequence of every lfqueue operation — New (with capacity and Compact from
// the input), TryPush, TryPop, Push, Pop, ForcePush, TryPushBatch,
// TryPopBatch, Close, All, and the observers Len, Cap, IsEmpty, IsFull,
// FillRatio and Closed — applies each to a Queue and to a slice model, and
// compares results and observable state with go-cmp after every step.
//
// Layout: byte 0 = capacity-1 (mod 70), byte 1 bit 0 = Compact, bit 1 =
// element type (int or string, a pointer-holding T); then one op byte per
// operation, some followed by an argument byte. Blocking calls use a done
// context or are issued only when the model says they cannot block, so no
// input waits on a clock.
func FuzzQueueSequential(f *testing.F) {
	f.Add([]byte{3, 0, 0, 0, 0, 0, 1, 1, 7, 1, 1})
	f.Add([]byte{0, 1, 4, 4, 4, 1, 5, 3, 6, 3})
	f.Add([]byte{7, 2, 5, 9, 6, 4, 0, 0, 6, 2, 5, 9, 6, 9, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &input{b: data}
		capacity := 1 + r.intn(70)
		flags := r.byte()
		tr := new(tracer)
		watchdog(t, tr, func() {
			if flags&2 == 0 {
				runSequential(t, r, capacity, flags&1 != 0, tr, func(n int) int { return n })
			} else {
				runSequential(t, r, capacity, flags&1 != 0, tr, strconv.Itoa)
			}
		})
	})
}

// queueView is what the observers of a queue report.
type queueView struct {
	Len, Cap        int
	IsEmpty, IsFull bool
	FillRatio       float64
	Closed          bool
}

func viewOf[T any](q *lfqueue.Queue[T]) queueView {
	return queueView{
		Len: q.Len(), Cap: q.Cap(), IsEmpty: q.IsEmpty(), IsFull: q.IsFull(),
		FillRatio: q.FillRatio(), Closed: q.Closed(),
	}
}

// seqModel is the sequential specification: a bounded FIFO slice.
type seqModel[T any] struct {
	items  []T
	cap    int
	closed bool
}

func (m *seqModel[T]) view() queueView {
	n := len(m.items)
	return queueView{
		Len: n, Cap: m.cap, IsEmpty: n == 0, IsFull: n == m.cap,
		FillRatio: float64(n) / float64(m.cap), Closed: m.closed,
	}
}

// pop removes the oldest item; ok is false when the model is empty.
func (m *seqModel[T]) pop() (v T, ok bool) {
	if len(m.items) == 0 {
		return v, false
	}
	v = m.items[0]
	m.items = m.items[1:]
	return v, true
}

// popResult is what a pop-like operation reported, compared as a whole.
type popResult[T any] struct {
	V   T
	OK  bool
	Err string
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func newQueue[T any](capacity int, compact bool) *lfqueue.Queue[T] {
	if compact {
		return lfqueue.New[T](capacity, lfqueue.Compact())
	}
	return lfqueue.New[T](capacity)
}

// runSequential runs on a watchdog goroutine: it reports a failure with
// t.Errorf and ends its goroutine; the operations so far go to *tr.
func runSequential[T any](t *testing.T, r *input, capacity int, compact bool, tr *tracer, mk func(int) T) {
	q := newQueue[T](capacity, compact)
	m := &seqModel[T]{cap: capacity}
	next := 0
	fresh := func() T { next++; return mk(next) }
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("after %v (capacity %d, compact %v):\n%s", tr, m.cap, compact, fmt.Sprintf(format, args...))
		runtime.Goexit()
	}
	for step := 0; r.more() && step < maxSeqOps; step++ {
		op := r.intn(13)
		switch op {
		case 0, 12: // TryPush (twice the weight: queues should fill)
			v := fresh()
			want := !m.closed && len(m.items) < m.cap
			tr.add("TryPush")
			if got := q.TryPush(v); got != want {
				fail("TryPush = %v, want %v", got, want)
			}
			if want {
				m.items = append(m.items, v)
			}
		case 1: // TryPop
			tr.add("TryPop")
			v, ok := q.TryPop()
			wv, wok := m.pop()
			if d := cmp.Diff(popResult[T]{V: wv, OK: wok}, popResult[T]{V: v, OK: ok}); d != "" && (ok || wok) {
				fail("TryPop (-want +got):\n%s", d)
			}
		case 2: // Push with a done context: succeeds only if there is room
			v := fresh()
			tr.add("Push(canceled)")
			err := q.Push(canceled, v)
			var want error
			switch {
			case m.closed:
				want = lfqueue.ErrClosed
			case len(m.items) == m.cap:
				want = context.Canceled
			default:
				m.items = append(m.items, v)
			}
			if !errors.Is(err, want) || (want == nil) != (err == nil) {
				fail("Push = %v, want %v", err, want)
			}
		case 3: // Pop with a done context
			tr.add("Pop(canceled)")
			v, err := q.Pop(canceled)
			wv, wok := m.pop()
			want := popResult[T]{V: wv, OK: wok}
			switch {
			case wok:
			case m.closed:
				want.Err = lfqueue.ErrClosed.Error()
			default:
				want.Err = context.Canceled.Error()
			}
			got := popResult[T]{V: v, OK: err == nil, Err: errString(err)}
			if !wok {
				got.V = want.V // the value returned with an error is unspecified
			}
			if d := cmp.Diff(want, got); d != "" {
				fail("Pop (-want +got):\n%s", d)
			}
		case 4: // ForcePush
			v := fresh()
			tr.add("ForcePush")
			old, evicted, err := q.ForcePush(v)
			type forceResult struct {
				Old     T
				Evicted bool
				Err     string
			}
			var want forceResult
			switch {
			case m.closed:
				want.Err = lfqueue.ErrClosed.Error()
			case len(m.items) == m.cap:
				want.Old, want.Evicted = m.pop()
				m.items = append(m.items, v)
			default:
				m.items = append(m.items, v)
			}
			got := forceResult{Old: old, Evicted: evicted, Err: errString(err)}
			if !want.Evicted {
				got.Old = want.Old // unspecified when nothing was evicted
			}
			if d := cmp.Diff(want, got); d != "" {
				fail("ForcePush (-want +got):\n%s", d)
			}
		case 5: // TryPushBatch
			k := r.intn(m.cap + 3)
			tr.add("TryPushBatch(%d)", k)
			vs := make([]T, k)
			for i := range vs {
				vs[i] = fresh()
			}
			want := 0
			if !m.closed {
				want = min(k, m.cap-len(m.items))
			}
			if got := q.TryPushBatch(vs); got != want {
				fail("TryPushBatch(%d) = %d, want %d", k, got, want)
			}
			m.items = append(m.items, vs[:want]...)
		case 6: // TryPopBatch
			k := r.intn(m.cap + 3)
			tr.add("TryPopBatch(%d)", k)
			dst := make([]T, k)
			n := q.TryPopBatch(dst)
			want := []T{}
			for len(want) < k {
				v, ok := m.pop()
				if !ok {
					break
				}
				want = append(want, v)
			}
			if n < 0 || n > k {
				fail("TryPopBatch(%d) = %d", k, n)
			}
			if d := cmp.Diff(want, dst[:n]); d != "" {
				fail("TryPopBatch(%d) (-want +got):\n%s", k, d)
			}
		case 7: // Close (idempotent)
			tr.add("Close")
			q.Close()
			m.closed = true
		case 8: // All with a done context: yields what is there, then ends
			k := r.intn(m.cap + 2)
			tr.add("All(take %d)", k)
			got := []T{}
			if k > 0 {
				for v := range q.All(canceled) {
					got = append(got, v)
					if len(got) == k {
						break
					}
				}
			}
			want := []T{}
			for len(want) < k {
				v, ok := m.pop()
				if !ok {
					break
				}
				want = append(want, v)
			}
			if d := cmp.Diff(want, got); d != "" {
				fail("All (-want +got):\n%s", d)
			}
		case 9: // Push with a live context, only where it cannot block
			if !m.closed && len(m.items) == m.cap {
				continue
			}
			v := fresh()
			tr.add("Push")
			err := q.Push(context.Background(), v)
			if m.closed {
				if !errors.Is(err, lfqueue.ErrClosed) {
					fail("Push on closed = %v, want ErrClosed", err)
				}
			} else {
				if err != nil {
					fail("Push = %v, want nil", err)
				}
				m.items = append(m.items, v)
			}
		case 10: // Pop with a live context, only where it cannot block
			if !m.closed && len(m.items) == 0 {
				continue
			}
			tr.add("Pop")
			v, err := q.Pop(context.Background())
			wv, wok := m.pop()
			want := popResult[T]{V: wv, OK: wok}
			if !wok {
				want.Err = lfqueue.ErrClosed.Error()
			}
			got := popResult[T]{V: v, OK: err == nil, Err: errString(err)}
			if !wok {
				got.V = want.V
			}
			if d := cmp.Diff(want, got); d != "" {
				fail("Pop (-want +got):\n%s", d)
			}
		case 11: // reopen: a fresh queue, as an application does after Close
			capacity := 1 + r.intn(70)
			tr.add("New(%d)", capacity)
			q = newQueue[T](capacity, compact)
			m = &seqModel[T]{cap: capacity}
		}
		if d := cmp.Diff(m.view(), viewOf(q)); d != "" {
			fail("observers (-model +queue):\n%s", d)
		}
	}
	// Whatever is left comes out in model order.
	rest := make([]T, m.cap+1)
	n := q.TryPopBatch(rest)
	want := m.items
	if want == nil {
		want = []T{}
	}
	if d := cmp.Diff(want, rest[:n]); d != "" {
		fail("final drain (-model +queue):\n%s", d)
	}
}
