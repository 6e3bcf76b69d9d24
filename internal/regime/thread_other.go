//go:build !linux

package regime

import "time"

// threadCPU is not available on this platform: the probe's CPU share is
// not measured and the round trip alone classifies a sample.
func threadCPU() (time.Duration, bool) { return 0, false }
