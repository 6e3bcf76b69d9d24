package fuzz

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test here starts goroutines (producers, consumers, parked Pops);
// each one must have ended when the tests do.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
