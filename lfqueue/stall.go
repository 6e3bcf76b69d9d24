package lfqueue

// stallPoint names one step inside a queue operation where the stall-injection
// tests (build tag lfkit_stall) may stop the calling goroutine. In normal builds
// stall is an empty function the compiler removes, so the points cost nothing.
//
// Each queue type declares its own points; the values only need to be distinct
// within the package.
type stallPoint uint8

// Points inside Queue[T] (the stamp ring).
const (
	// stallQueuePushClaimed: a producer has claimed a position and has not
	// yet published its value.
	stallQueuePushClaimed stallPoint = iota + 1
	// stallQueuePopClaimed: a consumer has claimed a position and has not
	// yet released the slot for the next lap.
	stallQueuePopClaimed
)

// stallPointsFirstFree is the first value other queue types may use for
// their own points.
const stallPointsFirstFree stallPoint = 16
