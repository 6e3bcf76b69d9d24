//go:build lfkit_stall

package lfqueue

import "sync/atomic"

// stallHook, when set, is called at every stall point. It is set only by the
// stall-injection tests (build tag lfkit_stall); the hook decides which
// goroutine to stop (for example the first to reach a point) and for how long.
var stallHook atomic.Pointer[func(stallPoint)]

func stall(p stallPoint) {
	if f := stallHook.Load(); f != nil {
		(*f)(p)
	}
}

// setStallHook installs f (nil removes the hook) and returns the previous one.
func setStallHook(f func(stallPoint)) (prev func(stallPoint)) {
	var old *func(stallPoint)
	if f == nil {
		old = stallHook.Swap(nil)
	} else {
		old = stallHook.Swap(&f)
	}
	if old == nil {
		return nil
	}
	return *old
}
