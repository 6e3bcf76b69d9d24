package regime_test

import (
	"fmt"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

// Classify names the placement a contended sample ran in, from the round
// trip probed before it and the process CPU time per wall time of its run.
func ExampleClassify() {
	fmt.Println(regime.Classify(2, 2, 95*time.Nanosecond, 1.97))
	fmt.Println(regime.Classify(2, 2, 480*time.Nanosecond, 1.95))
	fmt.Println(regime.Classify(2, 2, 480*time.Nanosecond, 1.02))
	fmt.Println(regime.Classify(1, 2, 300*time.Nanosecond, 1.00))
	// Output:
	// near
	// far
	// turns
	// 1p
}
