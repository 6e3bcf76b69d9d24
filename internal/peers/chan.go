package peers

import "context"

// Chan is a buffered channel with MutexRing's method set (without the
// batches): select with a default case for the try forms, a plain send
// and receive for the ones that wait, a select on ctx.Done for PopCtx.
// Every method is small enough to be inlined, so a caller of Chan
// measures the channel operations themselves.
//
// A Chan is a value that refers to its channel, as a channel does:
// copies share it.
type Chan[T any] struct {
	// C is the channel, for a caller that uses it directly.
	C chan T
}

// NewChan returns a Chan with room for capacity elements. It panics if
// capacity < 1.
func NewChan[T any](capacity int) Chan[T] {
	checkCapacity("NewChan", capacity)
	return Chan[T]{make(chan T, capacity)}
}

// TryPush sends v if there is room now and reports whether it did.
func (c Chan[T]) TryPush(v T) bool {
	select {
	case c.C <- v:
		return true
	default:
		return false
	}
}

// TryPop receives an element if there is one now; ok is false if the
// channel is empty (or closed and empty).
func (c Chan[T]) TryPop() (v T, ok bool) {
	select {
	case v, ok = <-c.C:
		return v, ok
	default:
		return v, false
	}
}

// Push sends v, waiting while the channel is full.
func (c Chan[T]) Push(v T) { c.C <- v }

// PushWaited is Push that reports whether the channel was full when it
// was called, so that the send had to wait.
func (c Chan[T]) PushWaited(v T) (waited bool) {
	select {
	case c.C <- v:
		return false
	default:
		c.C <- v
		return true
	}
}

// Pop receives an element, waiting while the channel is empty; it
// returns the zero value once the channel is closed and empty.
func (c Chan[T]) Pop() T { return <-c.C }

// PopOK is Pop with a receive's second result: ok is false once the
// channel is closed and empty.
func (c Chan[T]) PopOK() (v T, ok bool) {
	v, ok = <-c.C
	return v, ok
}

// PopCtx receives an element, or returns ctx.Err() once ctx is done or
// ErrClosed once the channel is closed and empty: the select a channel's
// consumer with a context writes. When an element is there and ctx is
// done, either may be chosen.
func (c Chan[T]) PopCtx(ctx context.Context) (T, error) {
	select {
	case v, ok := <-c.C:
		if !ok {
			return v, ErrClosed
		}
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Close closes the channel: the elements in it can still be received.
func (c Chan[T]) Close() { close(c.C) }
