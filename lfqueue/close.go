package lfqueue

// Close closes the queue. After Close returns, no push succeeds (TryPush,
// TryPushBatch and ForcePush store nothing; Push returns ErrClosed), while
// every element pushed before stays poppable: TryPop, TryPopBatch, Pop and All
// drain them, and only then does Pop report ErrClosed. Goroutines blocked in
// Push or Pop wake up. Close is idempotent and safe to call concurrently with
// every other method.
func (q *Queue[T]) Close() {
	if q.oneLap == 0 {
		panic(notNewMsg)
	}
	// A mark bit in tail (as crossbeam-channel's array flavor does): a push
	// that claimed its slot before Close completes and its element is
	// delivered, and no push can claim a slot after it. Waiters recheck
	// tail after registering, so none can miss the mark.
	if q.tail.Or(q.mark)&q.mark == 0 {
		q.pushers.WakeAll()
		q.poppers.WakeAll()
	}
}

// Closed reports whether Close has been called.
func (q *Queue[T]) Closed() bool {
	if q.oneLap == 0 {
		panic(notNewMsg)
	}
	return q.tail.Load()&q.mark != 0
}
