package lfqueue

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestNewPanics(t *testing.T) {
	for _, c := range []int{0, -1, math.MinInt} {
		func() {
			defer func() {
				r := recover()
				s, _ := r.(string)
				if r == nil || !contains(s, itoa(c)) {
					t.Errorf("New(%d) panic = %v; want a message naming %d", c, r, c)
				}
			}()
			New[int](c)
		}()
	}
	// Slot memory overflows int.
	huge := math.MaxInt / 64 // times a 256-byte stride overflows int
	func() {
		defer func() {
			r := recover()
			s, _ := r.(string)
			if r == nil || !contains(s, itoa(huge)) {
				t.Errorf("New(%d) of 256-byte slots: panic = %v", huge, r)
			}
		}()
		New[[200]byte](huge)
	}()
	// A nil option is named, not a nil dereference.
	func() {
		defer func() {
			r := recover()
			s, _ := r.(string)
			if !strings.HasPrefix(s, "lfqueue: New: option 1 is nil") {
				t.Errorf("New with a nil option: panic = %v", r)
			}
		}()
		New[int](8, Padded(), nil)
	}()
}

// TestZeroValuePanics: every method of a Queue not made by New panics with a
// message saying so, not with a nil dereference.
func TestZeroValuePanics(t *testing.T) {
	var q Queue[int]
	checkZeroValuePanics(t, &q, "Queue", notNewMsg, map[string]func(){
		"ForcePush":       func() { _, _, _ = q.ForcePush(1) },
		"TryPushBatch":    func() { q.TryPushBatch([]int{1}) },
		"TryPopBatch":     func() { q.TryPopBatch(make([]int, 1)) },
		"Layout":          func() { q.Layout() },
		"All, not ranged": func() { q.All(context.Background()) },
	})
}

// TestLenAcrossWrap starts a queue one lap before positions wrap past 2^64
// and checks Len (and its observers) while tail has wrapped and head has
// not. The old Len divided before subtracting and reported a full queue.
func TestLenAcrossWrap(t *testing.T) {
	const capacity = 4
	oneLap := uint64(2 * 8) // mark = 8 for capacity 4
	q := newAt[int](capacity, -oneLap+capacity-1, Compact())
	for i := range 2 { // tail: index 3 of the last lap, then lap 0
		if !q.TryPush(i) {
			t.Fatal("push failed")
		}
	}
	if q.tail.Load() >= q.head.Load() {
		t.Fatalf("tail %#x did not wrap past head %#x", q.tail.Load(), q.head.Load())
	}
	if q.Len() != 2 || q.IsFull() || q.IsEmpty() || q.FillRatio() != 0.5 {
		t.Fatalf("Len %d IsFull %v IsEmpty %v FillRatio %v; want 2 of 4", q.Len(), q.IsFull(), q.IsEmpty(), q.FillRatio())
	}
	for i := range 2 {
		if v, ok := q.TryPop(); !ok || v != i {
			t.Fatalf("TryPop = %d, %v; want %d", v, ok, i)
		}
	}
	if q.Len() != 0 || !q.IsEmpty() {
		t.Fatalf("Len %d after draining", q.Len())
	}
}
