package peerbench

import (
	"context"

	"github.com/lfkit/lfkit/lfqueue"
)

// LFLockFree adapts lfqueue.LockFree: the try forms and the blocking forms
// (Push/Pop with a context that is never done).
type LFLockFree[T any] struct{ Q *lfqueue.LockFree[T] }

// NewLFLockFree returns an lfqueue.LockFree of the capacity behind the
// benchmarks' Queue interface (a CtxQueue).
func NewLFLockFree[T any](capacity int) Queue[T] {
	return LFLockFree[T]{lfqueue.NewLockFree[T](capacity)}
}

func (a LFLockFree[T]) TryPush(v T) bool  { return a.Q.TryPush(v) }
func (a LFLockFree[T]) TryPop() (T, bool) { return a.Q.TryPop() }
func (a LFLockFree[T]) Push(v T) {
	if err := a.Q.Push(context.Background(), v); err != nil {
		panic(err) // never closed
	}
}
func (a LFLockFree[T]) Pop() T {
	v, err := a.Q.Pop(context.Background())
	if err != nil {
		panic(err) // never closed
	}
	return v
}
func (a LFLockFree[T]) PopCtx(ctx context.Context) (T, error) { return a.Q.Pop(ctx) }
