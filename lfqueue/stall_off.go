//go:build !lfkit_stall

package lfqueue

// stall is a no-op outside the stall-injection tests.
func stall(stallPoint) {}
