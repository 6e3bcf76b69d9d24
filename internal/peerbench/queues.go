package peerbench

import (
	"context"
	"runtime"
	"sync"

	"github.com/lfkit/lfkit/lfqueue"
	"github.com/puzpuzpuz/xsync/v4"
)

// Big is the 64-byte element of the benchmarks: a struct of eight words,
// the size of a small event record.
type Big struct{ A [8]int64 }

// Queue is what the queue benchmarks drive. Every implementation is an
// adapter struct around a pointer, so all of them pay the same call
// overhead in the generic harness.
type Queue[T any] interface {
	// TryPush and TryPop never wait. For peers whose try operations fail
	// spuriously (xsync's MPMCQueue fails on a lost CAS), false does not
	// mean full or empty; the harness retries where it must.
	TryPush(v T) bool
	TryPop() (T, bool)
	// Push and Pop wait: with the implementation's blocking form where it
	// has one, otherwise by retrying with runtime.Gosched, the loop a user
	// of a try-only queue writes.
	Push(v T)
	Pop() T
}

// CtxQueue is a Queue whose consumers can wait with a context, as the
// workers of a service do: PopCtx waits while the queue is empty and
// returns ctx.Err() once ctx is done (an element that is already there
// may still be returned after that). Only the implementations that can
// wait without polling have it.
type CtxQueue[T any] interface {
	Queue[T]
	PopCtx(ctx context.Context) (T, error)
}

// BatchQueue is a Queue with batch operations.
type BatchQueue[T any] interface {
	Queue[T]
	TryPushBatch(vs []T) int
	TryPopBatch(dst []T) int
}

// LFQueue adapts lfqueue.Queue: the try forms and the blocking forms
// (Push/Pop with a context that is never done).
type LFQueue[T any] struct{ Q *lfqueue.Queue[T] }

// NewLFQueue returns an lfqueue of the capacity built with opts: with none,
// New's default layout (Compact for int: slots packed in position order, 16
// bytes per slot on amd64; Padded for Big, whose slot does not fit twice in
// a 128-byte range); lfqueue.Remap() or lfqueue.Padded() select the others.
func NewLFQueue[T any](capacity int, opts ...lfqueue.Option) LFQueue[T] {
	return LFQueue[T]{lfqueue.New[T](capacity, opts...)}
}

func (a LFQueue[T]) TryPush(v T) bool        { return a.Q.TryPush(v) }
func (a LFQueue[T]) TryPop() (T, bool)       { return a.Q.TryPop() }
func (a LFQueue[T]) TryPushBatch(vs []T) int { return a.Q.TryPushBatch(vs) }
func (a LFQueue[T]) TryPopBatch(dst []T) int { return a.Q.TryPopBatch(dst) }
func (a LFQueue[T]) Push(v T) {
	if err := a.Q.Push(context.Background(), v); err != nil {
		panic(err) // never closed
	}
}
func (a LFQueue[T]) Pop() T {
	v, err := a.Q.Pop(context.Background())
	if err != nil {
		panic(err) // never closed
	}
	return v
}
func (a LFQueue[T]) PopCtx(ctx context.Context) (T, error) { return a.Q.Pop(ctx) }

// XsyncMPMC adapts xsync.MPMCQueue (capacity rounded up to a power of two;
// try operations only).
type XsyncMPMC[T any] struct{ Q *xsync.MPMCQueue[T] }

func NewXsyncMPMC[T any](capacity int) XsyncMPMC[T] {
	return XsyncMPMC[T]{xsync.NewMPMCQueue[T](capacity)}
}

func (a XsyncMPMC[T]) TryPush(v T) bool  { return a.Q.TryEnqueue(v) }
func (a XsyncMPMC[T]) TryPop() (T, bool) { return a.Q.TryDequeue() }
func (a XsyncMPMC[T]) Push(v T) {
	for !a.Q.TryEnqueue(v) {
		runtime.Gosched()
	}
}
func (a XsyncMPMC[T]) Pop() T {
	for {
		if v, ok := a.Q.TryDequeue(); ok {
			return v
		}
		runtime.Gosched()
	}
}

// XsyncSPSC adapts xsync.SPSCQueue: one producer goroutine and one consumer
// goroutine at most.
type XsyncSPSC[T any] struct{ Q *xsync.SPSCQueue[T] }

func NewXsyncSPSC[T any](capacity int) XsyncSPSC[T] {
	return XsyncSPSC[T]{xsync.NewSPSCQueue[T](capacity)}
}

func (a XsyncSPSC[T]) TryPush(v T) bool  { return a.Q.TryEnqueue(v) }
func (a XsyncSPSC[T]) TryPop() (T, bool) { return a.Q.TryDequeue() }
func (a XsyncSPSC[T]) Push(v T) {
	for !a.Q.TryEnqueue(v) {
		runtime.Gosched()
	}
}
func (a XsyncSPSC[T]) Pop() T {
	for {
		if v, ok := a.Q.TryDequeue(); ok {
			return v
		}
		runtime.Gosched()
	}
}

// Chan adapts a buffered channel: select with default for the try forms,
// plain send and receive for the blocking ones.
type Chan[T any] struct{ C chan T }

func NewChan[T any](capacity int) Chan[T] { return Chan[T]{make(chan T, capacity)} }

func (a Chan[T]) TryPush(v T) bool {
	select {
	case a.C <- v:
		return true
	default:
		return false
	}
}
func (a Chan[T]) TryPop() (T, bool) {
	select {
	case v := <-a.C:
		return v, true
	default:
		var zero T
		return zero, false
	}
}
func (a Chan[T]) Push(v T) { a.C <- v }
func (a Chan[T]) Pop() T   { return <-a.C }

// PopCtx receives, or returns when ctx is done, with a select: what a
// channel's consumer with a context writes.
func (a Chan[T]) PopCtx(ctx context.Context) (T, error) {
	select {
	case v := <-a.C:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// MutexRing is the queue many programs write by hand: a slice used as a
// ring under a sync.Mutex, with two sync.Conds for the blocking forms,
// signalled only when someone waits, and batch forms that move a batch
// under one lock.
type MutexRing[T any] struct{ r *mutexRing[T] }

type mutexRing[T any] struct {
	mu                sync.Mutex
	notEmpty, notFull sync.Cond
	buf               []T
	head, n           int
	pushWait, popWait int
}

func NewMutexRing[T any](capacity int) MutexRing[T] {
	r := &mutexRing[T]{buf: make([]T, capacity)}
	r.notEmpty.L = &r.mu
	r.notFull.L = &r.mu
	return MutexRing[T]{r}
}

// put appends v; r.mu is held and r.n < len(r.buf).
func (r *mutexRing[T]) put(v T) {
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = v
	r.n++
}

// take removes the oldest element; r.mu is held and r.n > 0.
func (r *mutexRing[T]) take() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v
}

func (a MutexRing[T]) TryPush(v T) bool {
	r := a.r
	r.mu.Lock()
	if r.n == len(r.buf) {
		r.mu.Unlock()
		return false
	}
	r.put(v)
	if r.popWait > 0 {
		r.notEmpty.Signal()
	}
	r.mu.Unlock()
	return true
}

func (a MutexRing[T]) TryPop() (T, bool) {
	r := a.r
	r.mu.Lock()
	if r.n == 0 {
		r.mu.Unlock()
		var zero T
		return zero, false
	}
	v := r.take()
	if r.pushWait > 0 {
		r.notFull.Signal()
	}
	r.mu.Unlock()
	return v, true
}

func (a MutexRing[T]) Push(v T) {
	r := a.r
	r.mu.Lock()
	for r.n == len(r.buf) {
		r.pushWait++
		r.notFull.Wait()
		r.pushWait--
	}
	r.put(v)
	if r.popWait > 0 {
		r.notEmpty.Signal()
	}
	r.mu.Unlock()
}

func (a MutexRing[T]) Pop() T {
	r := a.r
	r.mu.Lock()
	for r.n == 0 {
		r.popWait++
		r.notEmpty.Wait()
		r.popWait--
	}
	v := r.take()
	if r.pushWait > 0 {
		r.notFull.Signal()
	}
	r.mu.Unlock()
	return v
}

// PopCtx is Pop that gives up when ctx is done. A sync.Cond cannot wait
// on a context, so a PopCtx that has to wait first registers, with
// context.AfterFunc, a broadcast on notEmpty for when ctx ends (the way a
// Go programmer makes a Cond wait cancellable); it unregisters it once it
// returns.
func (a MutexRing[T]) PopCtx(ctx context.Context) (T, error) {
	r := a.r
	var stop func() bool
	r.mu.Lock()
	for r.n == 0 {
		if err := ctx.Err(); err != nil {
			r.mu.Unlock()
			var zero T
			return zero, err // ctx is done: stop has nothing left to undo
		}
		if stop == nil && ctx.Done() != nil {
			// It runs after Wait has released r.mu at the earliest,
			// since it takes r.mu: the broadcast cannot be lost.
			stop = context.AfterFunc(ctx, func() {
				r.mu.Lock()
				r.notEmpty.Broadcast()
				r.mu.Unlock()
			})
		}
		r.popWait++
		r.notEmpty.Wait()
		r.popWait--
	}
	v := r.take()
	if r.pushWait > 0 {
		r.notFull.Signal()
	}
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	return v, nil
}

func (a MutexRing[T]) TryPushBatch(vs []T) int {
	r := a.r
	r.mu.Lock()
	k := min(len(vs), len(r.buf)-r.n)
	for _, v := range vs[:k] {
		r.put(v)
	}
	if k > 0 && r.popWait > 0 {
		r.notEmpty.Broadcast()
	}
	r.mu.Unlock()
	return k
}

func (a MutexRing[T]) TryPopBatch(dst []T) int {
	r := a.r
	r.mu.Lock()
	k := min(len(dst), r.n)
	for i := range k {
		dst[i] = r.take()
	}
	if k > 0 && r.pushWait > 0 {
		r.notFull.Broadcast()
	}
	r.mu.Unlock()
	return k
}
