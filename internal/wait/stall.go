package wait

// Point names a step of the wake path where the stall-injection tests
// (build tag lfkit_stall) may stop the calling goroutine. In other builds
// the points compile to nothing.
type Point uint8

const (
	// WakeClaimed: a waker has claimed a waiter (decremented Waiting) and
	// has not sent its token yet.
	WakeClaimed Point = iota + 1
	// CancelClaimed: a waiter leaving without parking found its wakeup
	// claimed and has not taken the token yet.
	CancelClaimed
)
