package lfqueue

import (
	"slices"
	"strconv"
	"testing"
)

// TestBatchRegressions replays two operation sequences on which earlier
// batch code failed (found by the old fuzz/FuzzQueueSequential target, whose
// corpus they come from): a TryPopBatch that returned unpublished slots, and
// a wrong release stamp after TryPopBatch that made a later TryPushBatch
// hang. Each step is checked against a slice model.
func TestBatchRegressions(t *testing.T) {
	type step struct {
		op string // "pushN", "popN", "push", "pop"
		n  int
	}
	for _, c := range []struct {
		name     string
		capacity int
		compact  bool
		steps    []step
	}{
		{"popbatch-unpublished-slots", 5, true, []step{{"pushN", 7}, {"popN", 3}, {"pushN", 4}, {"popN", 7}}},
		{"popbatch-stamp-hang", 8, false, []step{{"pushN", 9}, {"popN", 4}, {"push", 1}, {"push", 1},
			{"popN", 2}, {"pushN", 9}, {"popN", 9}, {"pop", 1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var opts []Option
			if c.compact {
				opts = append(opts, Compact())
			}
			q := New[string](c.capacity, opts...)
			var model []string
			next := 0
			fresh := func() string { next++; return strconv.Itoa(next) }
			for i, s := range c.steps {
				switch s.op {
				case "pushN", "push":
					vs := make([]string, s.n)
					for j := range vs {
						vs[j] = fresh()
					}
					want := min(len(vs), c.capacity-len(model))
					got := 0
					if s.op == "push" {
						if q.TryPush(vs[0]) {
							got = 1
						}
					} else {
						got = q.TryPushBatch(vs)
					}
					if got != want {
						t.Fatalf("step %d %s(%d) = %d, want %d", i, s.op, s.n, got, want)
					}
					model = append(model, vs[:want]...)
				case "popN", "pop":
					dst := make([]string, s.n)
					got := 0
					if s.op == "pop" {
						if v, ok := q.TryPop(); ok {
							dst[0], got = v, 1
						}
					} else {
						got = q.TryPopBatch(dst)
					}
					want := model[:min(s.n, len(model))]
					if !slices.Equal(dst[:got], want) {
						t.Fatalf("step %d %s(%d) = %q, want %q", i, s.op, s.n, dst[:got], want)
					}
					model = model[len(want):]
				}
				if q.Len() != len(model) {
					t.Fatalf("step %d: Len %d, model %d", i, q.Len(), len(model))
				}
			}
		})
	}
}
