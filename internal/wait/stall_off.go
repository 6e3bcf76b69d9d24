//go:build !lfkit_stall

package wait

// stall is a no-op outside the stall-injection build.
func stall(Point) {}
