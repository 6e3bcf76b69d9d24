//go:build lfkit_stall

package wait

import "sync/atomic"

// StallHook, when set, is called at every stall point of the wake path. It
// exists only in the stall-injection build (build tag lfkit_stall), where
// tests stop a goroutine in the middle of a step to show that the others
// do not wait for it.
var StallHook atomic.Pointer[func(Point)]

func stall(p Point) {
	if f := StallHook.Load(); f != nil {
		(*f)(p)
	}
}
