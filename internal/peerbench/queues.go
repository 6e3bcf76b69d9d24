package peerbench

import (
	"context"
	"runtime"

	"github.com/lfkit/lfkit/internal/peers"
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
// plain send and receive for the blocking ones, a select on ctx.Done for
// PopCtx (what a channel's consumer with a context writes). It is
// peers.Chan, which lfbench measures too.
type Chan[T any] = peers.Chan[T]

// NewChan returns a buffered channel of the capacity.
func NewChan[T any](capacity int) Chan[T] { return peers.NewChan[T](capacity) }

// MutexRing is the queue many programs write by hand: a slice used as a
// ring under a sync.Mutex, with two sync.Conds for the blocking forms,
// signalled only when someone waits, and batch forms that move a batch
// under one lock. Its PopCtx makes the Cond wait cancellable with
// context.AfterFunc. It is peers.MutexRing, which lfkit's other
// benchmarks and lfbench measure too.
type MutexRing[T any] = peers.MutexRing[T]

// NewMutexRing returns an empty ring of the capacity.
func NewMutexRing[T any](capacity int) MutexRing[T] { return peers.NewMutexRing[T](capacity) }
