package lfmetrics

import (
	"testing"

	"go.uber.org/goleak"
)

// The concurrent tests start goroutines; every one must have ended.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
