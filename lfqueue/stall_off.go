//go:build !lfkit_stall

package lfqueue

// stall is a no-op outside the stall-injection tests.
func stall(stallPoint) {}

// spinOverride is 0 outside the stall-injection build: the waiting policy
// decides how long to spin.
func spinOverride() int32 { return 0 }
