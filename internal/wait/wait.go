// Package wait parks goroutines that wait for a condition another goroutine
// will make true, and paces retry loops that wait for a peer's short step.
//
// A List parks goroutines: a parked goroutine sleeps in a channel receive
// and burns no CPU. A Backoff spins, then yields the processor, then sleeps
// briefly, while a peer is expected to finish within moments.
//
// The protocol that rules out lost wakeups is Dekker-style and relies on the
// sequential consistency of sync/atomic:
//
//	waiter                       waker
//	l.Register()                 make the condition true (atomic write)
//	if condition() { l.Cancel() } if l.Waiting.Load() != 0 { l.WakeOne() }
//	else l.Park(ctx)
//
// Either the waiter's recheck sees the waker's write, or the waker's load
// of Waiting sees the waiter's registration and wakes a registered waiter.
//
// # How a List works
//
// A List is a count and a channel of wakeup tokens, an event count in the
// manner of Vyukov's. Waiting is the number of registered waiters that no
// waker has claimed yet. A waker claims one by decrementing Waiting with a
// compare-and-swap while it is positive, and then sends one token; a parked
// waiter receives one. Tokens are anonymous: any waiter may take any token,
// and the channel hands them to parked receivers in the order they parked.
// The invariant is
//
//	registered waiters = Waiting + tokens claimed but not yet received
//
// so every registered waiter either still counts in Waiting, where the next
// waker finds it, or has a token on its way. Counts and tokens are both
// anonymous: a waiter that registers after a claim may receive the token
// claimed then, and its own count stays in Waiting for the waiter the claim
// was made for.
//
// A waiter that leaves without parking (Cancel, or Park whose context
// ended) must take out one count or one token, whichever it can get first:
// it takes a count from Waiting if Waiting is positive, and otherwise takes
// a token, which the invariant says is in the channel or about to be sent
// by a waker between its claim and its send. Until it has one it polls for
// both, because a later registrant may take that token and leave a count
// in its place (waiting for the token alone would then wait for good). If
// spinning and yielding have not been enough, the waker is stopped, and a
// new goroutine takes over the poll so that the leaving waiter returns. A
// waiter that took a token passes the wakeup on to the next waiter, so that
// no wakeup is absorbed by a goroutine that no longer waits.
//
// No waker or waiter holds a lock that another goroutine of the program can
// be made to wait for: claiming is a compare-and-swap loop that fails only
// when another goroutine's claim or registration succeeded, and the token
// channel's capacity exceeds any number of goroutines, so a send never
// blocks. The channel's own lock is internal to the Go runtime and is held
// only inside runtime code that the scheduler does not preempt. No call
// waits for another goroutine's step beyond a bounded spin and a few
// yields: a parked waiter waits for a wakeup by design, and a leaving
// waiter hands a longer wait to a new goroutine.
package wait

import (
	"context"
	"math"
	"runtime"
	"sync/atomic"
	"time"
)

// List is a set of parked goroutines, woken in the order they parked. The
// zero value is an empty list ready to use. A List must not be copied after
// first use.
type List struct {
	// Waiting counts registered waiters that no waker has claimed. It is
	// the "anyone waiting?" word, and the one way to read the count:
	// wakers load it once and do nothing more while it is zero. Callers
	// only load it; the List alone writes it. It is a field rather than a
	// method because Go does not inline a method call into a generic
	// function instantiated in another package, where a load of the field
	// is inlined.
	Waiting atomic.Int64
	tokens  atomic.Pointer[chan struct{}] // made on first use
}

// maxTokens is the token channel's capacity. Tokens in the channel never
// outnumber registered waiters, so a send never blocks; the elements take
// no memory.
const maxTokens = math.MaxInt32

// channel returns the token channel, making it on first use.
func (l *List) channel() chan struct{} {
	if p := l.tokens.Load(); p != nil {
		return *p
	}
	c := make(chan struct{}, maxTokens)
	if l.tokens.CompareAndSwap(nil, &c) {
		return c
	}
	return *l.tokens.Load()
}

// Register counts the calling goroutine as a waiter. The caller must then
// recheck its condition and either Cancel (condition true) or Park.
func (l *List) Register() {
	l.channel() // before counting: a waker that claims us finds the channel
	l.Waiting.Add(1)
}

// unregister takes one waiter out of Waiting if any remains unclaimed, and
// reports whether it did.
func (l *List) unregister() bool {
	for {
		n := l.Waiting.Load()
		if n <= 0 {
			return false
		}
		if l.Waiting.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Cancel ends a registration without parking. It takes one count out of
// Waiting, or, when wakers have claimed every registered waiter, one of the
// claimed tokens, and then passes that wakeup on to the next registered
// waiter. While Waiting is zero and no token has arrived yet, a waker is
// between its claim and its send: Cancel polls for either, spinning and
// then yielding, and if neither has come by then (the waker is stopped),
// it hands the rest of the wait to a new goroutine and returns. So Cancel
// waits for another goroutine's step no longer than that bounded spin and
// those few yields; it allocates only when it hands the wait off.
func (l *List) Cancel() {
	if l.unregister() {
		return
	}
	// Every registered waiter, this one included, has a token claimed for
	// it. Take one, or a count that a later registrant left in Waiting
	// when it took the token itself.
	stall(CancelClaimed)
	l.takeClaimed(true)
}

// takeClaimed is the rest of a leaving waiter's Cancel once it found
// Waiting zero: it takes a token (and passes the wakeup on) or a count,
// whichever it can get first. With handOff set, once the backoff has spun
// and yielded without getting either, it starts a goroutine that goes on
// waiting, and returns; the waiter's registration then ends when that
// goroutine's does.
func (l *List) takeClaimed(handOff bool) {
	c := l.channel()
	var b Backoff
	for {
		select {
		case <-c:
			l.WakeOne()
			return
		default:
		}
		if l.unregister() {
			return
		}
		if handOff && b.step > yieldLimit {
			handedOff.Add(1)
			go func() {
				defer handedOff.Add(-1)
				l.takeClaimed(false)
			}()
			return
		}
		b.Snooze()
	}
}

// handedOff counts the goroutines takeClaimed started that have not
// finished, for tests that check a List's accounting once it is quiet.
var handedOff atomic.Int64

// Park blocks until a wakeup token arrives or ctx is done. It returns nil
// when woken and ctx.Err() when ctx ended first; in the latter case it ends
// the registration as Cancel does. A nil error is a wakeup, not a promise
// that the condition holds: the caller rechecks it.
func (l *List) Park(ctx context.Context) error {
	c := l.channel()
	done := ctx.Done()
	if done == nil { // a context that is never done: a plain receive is cheaper than select
		<-c
		return nil
	}
	select {
	case <-c:
		return nil
	case <-done:
		l.Cancel()
		return ctx.Err()
	}
}

// WakeOne wakes one registered waiter, if any remains unclaimed.
func (l *List) WakeOne() { l.WakeN(1) }

// WakeN wakes up to n registered waiters.
func (l *List) WakeN(n int) {
	for ; n > 0; n-- {
		if !l.unregister() {
			return
		}
		stall(WakeClaimed)
		l.channel() <- struct{}{}
	}
}

// WakeAll wakes every registered waiter.
func (l *List) WakeAll() {
	for l.unregister() {
		stall(WakeClaimed)
		l.channel() <- struct{}{}
	}
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
