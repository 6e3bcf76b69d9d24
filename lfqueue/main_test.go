package lfqueue

import (
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func itoa(i int) string { return strconv.Itoa(i) }
