package pad_test

import (
	"fmt"

	"github.com/lfkit/lfkit/internal/pad"
)

func ExampleStride() {
	// A 24-byte element padded so no two elements share a false-sharing range.
	s, ok := pad.Stride(24)
	fmt.Println(s == pad.Size, ok)
	// Output: true true
}
