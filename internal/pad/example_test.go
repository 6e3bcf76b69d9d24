package pad_test

import (
	"fmt"

	"github.com/lfkit/lfkit/internal/pad"
)

func ExampleRoundUp() {
	// A 24-byte element padded so no two elements share a false-sharing range.
	s, ok := pad.RoundUp(24, pad.Size)
	fmt.Println(s == pad.Size, ok)
	// Output: true true
}
