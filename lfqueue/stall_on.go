//go:build lfkit_stall

package lfqueue

import (
	"sync/atomic"

	"github.com/lfkit/lfkit/internal/wait"
)

// stallHook, when set, is called at every stall point. It is set only by the
// stall-injection tests (build tag lfkit_stall); the hook decides which
// goroutine to stop (for example the first to reach a point) and for how long.
var stallHook atomic.Pointer[func(stallPoint)]

func stall(p stallPoint) {
	if f := stallHook.Load(); f != nil {
		(*f)(p)
	}
}

// Points of the wake path (internal/wait), shared by both queue types; the
// stall hook receives them as these values. They exist only in this build.
const (
	// stallWakeClaimed: a successful push or pop has claimed a parked
	// waiter and has not sent its wakeup yet.
	stallWakeClaimed stallPoint = 64 + iota
	// stallCancelClaimed: a waiter leaving without parking found its
	// wakeup claimed and has not taken it yet.
	stallCancelClaimed
)

// waitPoints maps the wake path's points to the queue's.
var waitPoints = map[wait.Point]stallPoint{
	wait.WakeClaimed:   stallWakeClaimed,
	wait.CancelClaimed: stallCancelClaimed,
}

// setStallHook installs f (nil removes the hook) at the queue's stall points
// and at the wake path's, and returns the previous one.
func setStallHook(f func(stallPoint)) (prev func(stallPoint)) {
	var old *func(stallPoint)
	if f == nil {
		old = stallHook.Swap(nil)
		wait.StallHook.Store(nil)
	} else {
		old = stallHook.Swap(&f)
		w := func(p wait.Point) { f(waitPoints[p]) }
		wait.StallHook.Store(&w)
	}
	if old == nil {
		return nil
	}
	return *old
}

// spinTest, when nonzero, replaces the spin budget of every blocked Push and
// Pop (negative: park at once, without spinning), regardless of the waiting
// policy.
var spinTest atomic.Int32

func spinOverride() int32 { return spinTest.Load() }
