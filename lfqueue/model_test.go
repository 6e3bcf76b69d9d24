package lfqueue

import (
	"context"
	"errors"
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
	var model []int
	closed := false
	next := 0
	fresh := func() int { next++; return next }
	wantPop := func(got int, ok bool, what string) {
		if len(model) == 0 {
			if ok {
				t.Fatalf("%s: got %d from empty queue", what, got)
			}
			return
		}
		if !ok || got != model[0] {
			t.Fatalf("%s: got %d, %v; want %d", what, got, ok, model[0])
		}
		model = model[1:]
	}
	t.Repeat(map[string]func(*rapid.T){
		"TryPush": func(t *rapid.T) {
			v := fresh()
			want := !closed && len(model) < capacity
			if got := q.TryPush(v); got != want {
				t.Fatalf("TryPush = %v, want %v (len %d, closed %v)", got, want, len(model), closed)
			}
			if want {
				model = append(model, v)
			}
		},
		"TryPop": func(t *rapid.T) {
			v, ok := q.TryPop()
			wantPop(v, ok, "TryPop")
		},
		"Push": func(t *rapid.T) {
			v := fresh()
			err := q.Push(canceled, v)
			switch {
			case closed:
				if !errors.Is(err, ErrClosed) {
					t.Fatalf("Push on closed = %v", err)
				}
			case len(model) == capacity:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Push on full = %v", err)
				}
			default:
				if err != nil {
					t.Fatalf("Push = %v", err)
				}
				model = append(model, v)
			}
		},
		"Pop": func(t *rapid.T) {
			v, err := q.Pop(canceled)
			switch {
			case len(model) > 0:
				wantPop(v, err == nil, "Pop")
			case closed:
				if !errors.Is(err, ErrClosed) {
					t.Fatalf("Pop on closed empty = %v, %v", v, err)
				}
			default:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Pop on empty = %v, %v", v, err)
				}
			}
		},
		"ForcePush": func(t *rapid.T) {
			v := fresh()
			old, evicted, err := q.ForcePush(v)
			switch {
			case closed:
				if !errors.Is(err, ErrClosed) || evicted {
					t.Fatalf("ForcePush on closed = %v, %v, %v", old, evicted, err)
				}
			case len(model) == capacity:
				if err != nil || !evicted || old != model[0] {
					t.Fatalf("ForcePush on full = %v, %v, %v; want %d evicted", old, evicted, err, model[0])
				}
				model = append(model[1:], v+0)
			default:
				if err != nil || evicted {
					t.Fatalf("ForcePush = %v, %v, %v", old, evicted, err)
				}
				model = append(model, v)
			}
		},
		"TryPushBatch": func(t *rapid.T) {
			n := rapid.IntRange(0, capacity+3).Draw(t, "n")
			vs := make([]int, n)
			for i := range vs {
				vs[i] = fresh()
			}
			want := min(n, capacity-len(model))
			if closed {
				want = 0
			}
			if got := q.TryPushBatch(vs); got != want {
				t.Fatalf("TryPushBatch(%d) = %d, want %d", n, got, want)
			}
			model = append(model, vs[:want]...)
		},
		"TryPopBatch": func(t *rapid.T) {
			n := rapid.IntRange(0, capacity+3).Draw(t, "n")
			dst := make([]int, n)
			want := min(n, len(model))
			got := q.TryPopBatch(dst)
			if got != want {
				t.Fatalf("TryPopBatch(%d) = %d, want %d", n, got, want)
			}
			for i := 0; i < got; i++ {
				wantPop(dst[i], true, "TryPopBatch")
			}
		},
		"All": func(t *rapid.T) {
			// A done ctx ends All before the first element.
			for v := range q.All(canceled) {
				t.Fatalf("All(done ctx) yielded %d", v)
			}
			k := rapid.IntRange(0, capacity+1).Draw(t, "k")
			if !closed {
				k = min(k, len(model)) // All would block for more
			}
			if k == 0 {
				return
			}
			i := 0
			for v := range q.All(context.Background()) {
				wantPop(v, true, "All")
				if i++; i == k {
					break
				}
			}
			if i < k && len(model) != 0 {
				t.Fatalf("All stopped after %d with %d left", i, len(model))
			}
		},
		"Close": func(t *rapid.T) {
			q.Close()
			closed = true
		},
		"": func(t *rapid.T) {
			if got := q.Len(); got != len(model) {
				t.Fatalf("Len = %d, want %d", got, len(model))
			}
			if q.Cap() != capacity || q.Closed() != closed ||
				q.IsEmpty() != (len(model) == 0) || q.IsFull() != (len(model) == capacity) ||
				q.FillRatio() != float64(len(model))/float64(capacity) {
				t.Fatalf("Cap %d Closed %v IsEmpty %v IsFull %v FillRatio %v; model len %d cap %d closed %v",
					q.Cap(), q.Closed(), q.IsEmpty(), q.IsFull(), q.FillRatio(), len(model), capacity, closed)
			}
		},
	})
}

func TestQueueStateMachine(t *testing.T) {
	rapid.Check(t, queueMachine)
}

func FuzzQueueOps(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(queueMachine))
}
