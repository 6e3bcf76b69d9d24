package lfqueue

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"weak"
)

type node struct {
	id   int
	self *node
	buf  [6]uint64
}

func makeNode(i int) *node {
	n := &node{id: i}
	n.self = n
	for j := range n.buf {
		n.buf[j] = uint64(i)*31 + uint64(j)
	}
	return n
}

func (n *node) intact(i int) bool {
	if n == nil || n.id != i || n.self != n {
		return false
	}
	for j := range n.buf {
		if n.buf[j] != uint64(i)*31+uint64(j) {
			return false
		}
	}
	return true
}

type multi struct {
	a *node
	s string
	b []byte
	c *node
}

var churnSink [][]byte

// churn allocates and drops memory so that anything the GC wrongly freed is
// overwritten.
func churn() {
	for i := 0; i < 2000; i++ {
		b := make([]byte, 64+i%200)
		for j := range b {
			b[j] = 0xAA
		}
		churnSink = append(churnSink, b)
		if len(churnSink) > 500 {
			churnSink = churnSink[:0]
		}
	}
}

// gcStress keeps values in q, referenced from nowhere else, across repeated
// collections, and checks every one intact after each.
func gcStress[T any](t *testing.T, q *Queue[T], mk func(int) T, ok func(T, int) bool) {
	t.Helper()
	n := q.Cap()
	for i := 0; i < n; i++ {
		if !q.TryPush(mk(i)) {
			t.Fatal("push failed")
		}
	}
	for round := 0; round < 4; round++ {
		runtime.GC()
		churn()
		runtime.GC()
		for i := 0; i < n; i++ {
			v, got := q.TryPop()
			if !got || !ok(v, i) {
				t.Fatalf("round %d: element %d corrupted after GC", round, i)
			}
			q.TryPush(v)
		}
	}
}

func TestGCSeesPointers(t *testing.T) {
	for _, capacity := range []int{1, 7, 100, 3000} {
		for _, lay := range []string{"padded", "compact", "remap"} {
			t.Run(fmt.Sprintf("cap%d/%s", capacity, lay), func(t *testing.T) {
				opts := layoutOpts(lay)
				gcStress(t, New[*node](capacity, opts...), makeNode, (*node).intact)
				gcStress(t, New[string](capacity, opts...),
					func(i int) string { return strconv.Itoa(i) + "-" + strconv.Itoa(i*7) },
					func(s string, i int) bool { return s == strconv.Itoa(i)+"-"+strconv.Itoa(i*7) })
				gcStress(t, New[multi](capacity, opts...),
					func(i int) multi {
						return multi{a: makeNode(i), s: strconv.Itoa(i), b: []byte(strconv.Itoa(i)), c: makeNode(i + 1)}
					},
					func(m multi, i int) bool {
						return m.a.intact(i) && m.c.intact(i+1) && m.s == strconv.Itoa(i) && string(m.b) == strconv.Itoa(i)
					})
				// 120-byte pointer-holding T: the allocation gets a malloc
				// header and the layout takes the realigned (Lead) path.
				gcStress(t, New[ptr120](capacity, opts...),
					func(i int) ptr120 { x := i; return ptr120{p: &x} },
					func(v ptr120, i int) bool { return v.p != nil && *v.p == i })
			})
		}
	}
}

// TestPoppedValueCollectable shows that the queue keeps no reference to a
// value once it is popped: the slot is zeroed.
func TestPoppedValueCollectable(t *testing.T) {
	for _, lay := range []string{"padded", "compact", "remap"} {
		opts := layoutOpts(lay)
		q := New[*node](4, opts...)
		wp := pushWeak(q)
		runtime.GC()
		if wp.Value() == nil {
			t.Fatal("value collected while still in the queue")
		}
		popAndDrop(t, q)
		q2 := New[[]*node](4, opts...) // batch path
		wp2 := pushBatchWeak(q2)
		popBatchAndDrop(q2)
		for i := 0; i < 3 && (wp.Value() != nil || wp2.Value() != nil); i++ {
			runtime.GC()
		}
		if wp.Value() != nil {
			t.Errorf("%s: popped value still reachable: slot not zeroed", lay)
		}
		if wp2.Value() != nil {
			t.Errorf("%s: batch-popped value still reachable: slot not zeroed", lay)
		}
		runtime.KeepAlive(q)
		runtime.KeepAlive(q2)
	}
}

//go:noinline
func pushWeak(q *Queue[*node]) weak.Pointer[node] {
	n := makeNode(42)
	q.TryPush(n)
	return weak.Make(n)
}

//go:noinline
func popAndDrop(t *testing.T, q *Queue[*node]) {
	v, ok := q.TryPop()
	if !ok || !v.intact(42) {
		t.Fatal("pop failed")
	}
}

//go:noinline
func pushBatchWeak(q *Queue[[]*node]) weak.Pointer[node] {
	n := makeNode(7)
	q.TryPushBatch([][]*node{{n}, {makeNode(8)}})
	return weak.Make(n)
}

//go:noinline
func popBatchAndDrop(q *Queue[[]*node]) {
	dst := make([][]*node, 4)
	q.TryPopBatch(dst)
}

// layoutOpts returns the options that select the named layout.
func layoutOpts(name string) []Option {
	switch name {
	case "compact":
		return []Option{Compact()}
	case "remap":
		return []Option{Remap()}
	case "padded":
		return []Option{Padded()}
	}
	return nil // the default
}
