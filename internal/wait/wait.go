// Package wait parks goroutines that wait for a condition another goroutine
// will make true, in three stages: spin, yield, park.
//
// A Backoff spins, then yields the processor, then sleeps briefly, while a
// peer is expected to finish within a few hundred nanoseconds. A List parks goroutines that wait
// longer: a parked goroutine sleeps on a channel and burns no CPU.
//
// The protocol that rules out lost wakeups is Dekker-style and relies on the
// sequential consistency of sync/atomic:
//
//	waiter                          waker
//	w := l.Register()               make the condition true (atomic write)
//	if condition() { l.Cancel(w) }  if l.Any() { l.WakeOne() }
//	else l.Park(ctx, w)
//
// Either the waiter's recheck sees the waker's write, or the waker's Any sees
// the waiter's registration and wakes a registered waiter. A waiter that
// leaves without consuming a wakeup it was given (its context ended, or its
// recheck succeeded) passes the wakeup on to the next waiter, so a wakeup is
// never absorbed by a goroutine that no longer waits.
package wait

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// List is a FIFO list of parked goroutines. The zero value is an empty list
// ready to use. A List must not be copied after first use.
type List struct {
	// Waiting counts registered waiters. It is the "anyone waiting?" word:
	// Any reads it with one atomic load, so wakers pay nothing while nobody
	// waits. It is written only by the List, under mu; callers only Load it.
	// It is exported for generic code: Go does not inline Any into a generic
	// function instantiated in another package (lfqueue's Queue[T] in a
	// user's program), where a Load of the field is inlined, saving about
	// 0.5 ns per operation.
	Waiting atomic.Int64
	mu      sync.Mutex
	first   *Waiter
	last    *Waiter
}

// A Waiter is one registration on a List, from Register until Park returns
// or Cancel is called. It is owned by the goroutine that registered it.
type Waiter struct {
	ch         chan struct{} // capacity 1: a wakeup token
	next, prev *Waiter
	listed     bool // on the list; guarded by the List's mu
}

var waiterPool = sync.Pool{New: func() any { return &Waiter{ch: make(chan struct{}, 1)} }}

// Any reports whether any goroutine is registered. It is a single atomic load.
func (l *List) Any() bool { return l.Waiting.Load() != 0 }

// Len returns the number of registered waiters: a snapshot, for tests that
// wait until goroutines have parked.
func (l *List) Len() int { return int(l.Waiting.Load()) }

// Register adds the calling goroutine to the end of the list. The caller must
// then recheck its condition and either Cancel the registration (condition
// true) or Park.
func (l *List) Register() *Waiter {
	w := waiterPool.Get().(*Waiter)
	l.mu.Lock()
	w.listed = true
	w.prev = l.last
	if l.last == nil {
		l.first = w
	} else {
		l.last.next = w
	}
	l.last = w
	l.Waiting.Add(1)
	l.mu.Unlock()
	return w
}

// unlink removes w from the list; l.mu must be held and w listed.
func (l *List) unlink(w *Waiter) {
	if w.prev == nil {
		l.first = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.last = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.next, w.prev, w.listed = nil, nil, false
	l.Waiting.Add(-1)
}

// Cancel ends a registration without parking. If a waker had already chosen
// w, its wakeup is passed on to the next registered waiter. w must not be used
// after Cancel.
func (l *List) Cancel(w *Waiter) {
	l.mu.Lock()
	if w.listed {
		l.unlink(w)
		l.mu.Unlock()
	} else {
		l.mu.Unlock()
		<-w.ch // the token was sent under mu before listed was cleared
		l.WakeOne()
	}
	waiterPool.Put(w)
}

// Park blocks until w is woken or ctx is done. It returns nil when woken and
// ctx.Err() when ctx ended first; in the latter case a wakeup that raced with
// the cancellation is passed on. w must not be used after Park.
func (l *List) Park(ctx context.Context, w *Waiter) error {
	done := ctx.Done()
	if done == nil { // a context that is never done: a plain receive is cheaper than select
		<-w.ch
		waiterPool.Put(w)
		return nil
	}
	select {
	case <-w.ch:
		waiterPool.Put(w)
		return nil
	case <-done:
		l.Cancel(w)
		return ctx.Err()
	}
}

// WakeOne wakes the longest-registered waiter, if any.
func (l *List) WakeOne() { l.WakeN(1) }

// WakeN wakes up to n waiters, oldest first.
func (l *List) WakeN(n int) {
	l.mu.Lock()
	for ; n > 0 && l.first != nil; n-- {
		w := l.first
		l.unlink(w)
		w.ch <- struct{}{} // never blocks: one token per registration
	}
	l.mu.Unlock()
}

// WakeAll wakes every registered waiter.
func (l *List) WakeAll() {
	l.mu.Lock()
	for l.first != nil {
		w := l.first
		l.unlink(w)
		w.ch <- struct{}{}
	}
	l.mu.Unlock()
}

// Backoff paces a retry loop that waits for a peer to finish a short step:
// the first attempts spin on the CPU for exponentially growing stretches, the
// later ones yield the processor with runtime.Gosched. The zero value is
// ready to use.
type Backoff struct{ step uint32 }

const (
	spinLimit  = 6  // spins up to 2^6 iterations
	yieldLimit = 10 // then yields; after that, sleeps
)

// spinSink keeps the spin loop from being optimized away.
var spinSink atomic.Uint32

func spin(n uint32) {
	for i := uint32(0); i < n; i++ {
		spinSink.Load()
	}
}

// Spin waits a short, growing time without yielding. Use it after a lost
// race (a failed CAS), where retrying soon is likely to succeed.
func (b *Backoff) Spin() {
	s := b.step
	if s > spinLimit {
		s = spinLimit
	}
	spin(1 << s)
	if b.step <= spinLimit {
		b.step++
	}
}

// Snooze waits for a peer that is in the middle of a step: it spins at first,
// then yields the processor so that a peer descheduled on this P can run,
// and after that sleeps for snoozeSleep at a time, which blocks the thread
// so that the operating system can run a peer whose thread it descheduled
// (on an oversubscribed host yielding alone can spin for a whole time
// slice). The sleep does not allocate after a goroutine's first.
func (b *Backoff) Snooze() {
	switch {
	case b.step <= spinLimit:
		spin(1 << b.step)
	case b.step <= yieldLimit:
		runtime.Gosched()
	default:
		time.Sleep(snoozeSleep)
	}
	if b.step <= yieldLimit {
		b.step++
	}
}

// snoozeSleep is how long Snooze sleeps once spinning and yielding have not
// been enough.
const snoozeSleep = 20 * time.Microsecond
