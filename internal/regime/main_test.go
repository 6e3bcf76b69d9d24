package regime

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a probe's peer goroutine outlives
// its probe.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
