package lfqueue

import (
	"context"
	"errors"
	"iter"
	"math/bits"
	"testing"

	"pgregory.net/rapid"
)

// canceled is a context that is already done: blocking calls made with it
// return at once when they would have to wait.
var canceled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// fifoQueue is the API the two state machines (Queue's here, LockFree's in
// lockfree_test.go) drive alike.
type fifoQueue interface {
	TryPush(v int) bool
	TryPop() (int, bool)
	Push(ctx context.Context, v int) error
	Pop(ctx context.Context) (int, error)
	All(ctx context.Context) iter.Seq[int]
	Len() int
	Cap() int
	Closed() bool
	IsEmpty() bool
	IsFull() bool
	FillRatio() float64
}

// fifoModel is the sequential model both state machines check against: a
// bounded FIFO of capacity elements, closed or not, fed fresh values.
type fifoModel struct {
	q        fifoQueue
	capacity int
	items    []int
	closed   bool
	next     int
}

// fresh returns a value never pushed before.
func (m *fifoModel) fresh() int { m.next++; return m.next }

// wantPop checks a pop's result against the model's oldest element and
// removes it.
func (m *fifoModel) wantPop(t *rapid.T, got int, ok bool, what string) {
	if len(m.items) == 0 {
		if ok {
			t.Fatalf("%s: got %d from empty queue", what, got)
		}
		return
	}
	if !ok || got != m.items[0] {
		t.Fatalf("%s: got %d, %v; want %d", what, got, ok, m.items[0])
	}
	m.items = m.items[1:]
}

// actions returns the actions both machines share: TryPush, TryPop, Push,
// Pop and All, and the check run after every action (""). Each machine adds
// its own (Close among them).
func (m *fifoModel) actions() map[string]func(*rapid.T) {
	q := m.q
	return map[string]func(*rapid.T){
		"TryPush": func(t *rapid.T) {
			v := m.fresh()
			want := !m.closed && len(m.items) < m.capacity
			if got := q.TryPush(v); got != want {
				t.Fatalf("TryPush = %v, want %v (len %d, closed %v)", got, want, len(m.items), m.closed)
			}
			if want {
				m.items = append(m.items, v)
			}
		},
		"TryPop": func(t *rapid.T) {
			v, ok := q.TryPop()
			m.wantPop(t, v, ok, "TryPop")
		},
		"Push": func(t *rapid.T) {
			v := m.fresh()
			err := q.Push(canceled, v)
			switch {
			case m.closed:
				if !errors.Is(err, ErrClosed) {
					t.Fatalf("Push on closed = %v", err)
				}
			case len(m.items) == m.capacity:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Push on full = %v", err)
				}
			default:
				if err != nil {
					t.Fatalf("Push = %v", err)
				}
				m.items = append(m.items, v)
			}
		},
		"Pop": func(t *rapid.T) {
			v, err := q.Pop(canceled)
			switch {
			case len(m.items) > 0:
				m.wantPop(t, v, err == nil, "Pop")
			case m.closed:
				if !errors.Is(err, ErrClosed) {
					t.Fatalf("Pop on closed empty = %v, %v", v, err)
				}
			default:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Pop on empty = %v, %v", v, err)
				}
			}
		},
		"All": func(t *rapid.T) {
			// A done ctx ends All before the first element.
			for v := range q.All(canceled) {
				t.Fatalf("All(done ctx) yielded %d", v)
			}
			k := rapid.IntRange(0, m.capacity+1).Draw(t, "k")
			if !m.closed {
				k = min(k, len(m.items)) // All would block for more
			}
			if k == 0 {
				return
			}
			i := 0
			for v := range q.All(context.Background()) {
				m.wantPop(t, v, true, "All")
				if i++; i == k {
					break
				}
			}
			if i < k && len(m.items) != 0 {
				t.Fatalf("All stopped after %d with %d left", i, len(m.items))
			}
		},
		"": func(t *rapid.T) {
			if got := q.Len(); got != len(m.items) {
				t.Fatalf("Len = %d, want %d", got, len(m.items))
			}
			if q.Cap() != m.capacity || q.Closed() != m.closed ||
				q.IsEmpty() != (len(m.items) == 0) || q.IsFull() != (len(m.items) == m.capacity) ||
				q.FillRatio() != float64(len(m.items))/float64(m.capacity) {
				t.Fatalf("Cap %d Closed %v IsEmpty %v IsFull %v FillRatio %v; model len %d cap %d closed %v",
					q.Cap(), q.Closed(), q.IsEmpty(), q.IsFull(), q.FillRatio(), len(m.items), m.capacity, m.closed)
			}
		},
	}
}

// queueMachine checks every operation of Queue against a slice model.
func queueMachine(t *rapid.T) {
	capacity := rapid.IntRange(1, 70).Draw(t, "capacity")
	opts := layoutOpts(rapid.SampledFrom([]string{"padded", "compact", "remap"}).Draw(t, "layout"))
	// Start at position 0, or a lap or two before positions wrap past
	// 2^64, so that every operation and Len also run across the wrap.
	var start uint64
	if rapid.Bool().Draw(t, "nearWrap") {
		oneLap := uint64(2) << bits.Len64(uint64(capacity))
		laps := uint64(rapid.IntRange(1, 2).Draw(t, "laps"))
		start = -oneLap*laps + uint64(rapid.IntRange(0, capacity-1).Draw(t, "index"))
	}
	q := newAt[int](capacity, start, opts...)
	m := &fifoModel{q: q, capacity: capacity}
	acts := m.actions()
	acts["ForcePush"] = func(t *rapid.T) {
		v := m.fresh()
		old, evicted, err := q.ForcePush(v)
		switch {
		case m.closed:
			if !errors.Is(err, ErrClosed) || evicted {
				t.Fatalf("ForcePush on closed = %v, %v, %v", old, evicted, err)
			}
		case len(m.items) == capacity:
			if err != nil || !evicted || old != m.items[0] {
				t.Fatalf("ForcePush on full = %v, %v, %v; want %d evicted", old, evicted, err, m.items[0])
			}
			m.items = append(m.items[1:], v+0)
		default:
			if err != nil || evicted {
				t.Fatalf("ForcePush = %v, %v, %v", old, evicted, err)
			}
			m.items = append(m.items, v)
		}
	}
	acts["TryPushBatch"] = func(t *rapid.T) {
		n := rapid.IntRange(0, capacity+3).Draw(t, "n")
		vs := make([]int, n)
		for i := range vs {
			vs[i] = m.fresh()
		}
		want := min(n, capacity-len(m.items))
		if m.closed {
			want = 0
		}
		if got := q.TryPushBatch(vs); got != want {
			t.Fatalf("TryPushBatch(%d) = %d, want %d", n, got, want)
		}
		m.items = append(m.items, vs[:want]...)
	}
	acts["TryPopBatch"] = func(t *rapid.T) {
		n := rapid.IntRange(0, capacity+3).Draw(t, "n")
		dst := make([]int, n)
		want := min(n, len(m.items))
		got := q.TryPopBatch(dst)
		if got != want {
			t.Fatalf("TryPopBatch(%d) = %d, want %d", n, got, want)
		}
		for i := 0; i < got; i++ {
			m.wantPop(t, dst[i], true, "TryPopBatch")
		}
	}
	acts["Close"] = func(t *rapid.T) {
		q.Close()
		m.closed = true
	}
	t.Repeat(acts)
}

func TestQueueStateMachine(t *testing.T) {
	rapid.Check(t, queueMachine)
}

func FuzzQueueOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(queueMachine))
}
