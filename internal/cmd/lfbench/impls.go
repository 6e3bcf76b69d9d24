package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/lfkit/lfkit/internal/peers"
	"github.com/lfkit/lfkit/lfqueue"
)

// Event is what the producers ingest: an ID unique within a run, the
// moment the producer offered it (nanoseconds on the process's monotonic
// clock, see now; 0 for the events that carry no timestamp) and an opaque
// payload. It is 48 bytes.
type Event struct {
	ID      uint64
	Stamp   int64
	Payload [32]byte
}

// transport is one bounded queue under test, seen by the pipeline. Every
// method is called concurrently by many goroutines, except close, which
// is called once, after every push has returned.
type transport interface {
	// push delivers e, waiting (blocking or retrying, as the
	// implementation does) while the queue is full. It reports whether
	// the queue was full at the first attempt: one backpressure event.
	// It never drops e.
	push(e Event) (full bool)
	// tryPush delivers e if there is room now and reports whether it
	// did; it never waits. The service phase's handlers use it.
	tryPush(e Event) bool
	// pop returns the next event, waiting while the queue is empty; ok
	// is false once the queue is closed and drained.
	pop() (e Event, ok bool)
	// close marks the end of the input.
	close()
}

// impl names a transport and builds one for a round.
type impl struct {
	name string
	desc string
	make func(capacity int, layout string) transport
	// polls is true for an implementation whose consumers poll (sleep
	// and retry) instead of blocking: the service phase leaves it out,
	// since a service's workers would block.
	polls bool
}

// impls are the implementations lfbench knows, in the order it runs them
// within a round: the registry. A queue lfkit adds is one entry here.
//
// (lfTry and lfBlock take any queue with lfqueue's methods: see lfQueue
// and lfBlocking).
// The verdict line speaks of every entry whose name starts with "lfqueue"
// or is listed in lfkitImpls.
var impls = []impl{
	{name: "lfqueue-try", desc: "lfqueue Queue with TryPush/TryPop and a backoff (retries, runtime.Gosched, then sleeps): " +
		pollNote, make: newLFTry, polls: true},
	{name: "lfqueue-block", desc: "lfqueue Queue (lfqueue.New) with Push(ctx)/Pop(ctx): spin briefly, then park", make: newLFBlock},
	{name: "lockfree", desc: "lfqueue LockFree (lfqueue.NewLockFree) with Push(ctx)/Pop(ctx): strictly lock-free SCQ, parks when full/empty", make: newLockFree},
	{name: "chan", desc: "buffered channel: send/receive", make: newChan},
	{name: "mutex-ring", desc: "sync.Mutex-guarded ring with two sync.Conds", make: newMutexRing},
}

// pollNote says why a polling implementation's latency is high.
const pollNote = "its consumers poll, sleeping up to 100µs at a time while the queue is empty, so its latency includes those sleeps"

// lfkitImpls names the registry entries that are lfkit's own besides the
// "lfqueue…" ones.
var lfkitImpls = map[string]bool{"lockfree": true}

// isLFKit reports whether the implementation is one of lfkit's queues.
func isLFKit(name string) bool { return strings.HasPrefix(name, "lfqueue") || lfkitImpls[name] }

// lfQueue is the method set lfTry uses of lfkit's queues (Queue and the
// queues with the same API); lfBlock needs only lfBlocking.
type lfQueue interface {
	TryPush(v Event) bool
	TryPop() (Event, bool)
	Close()
	Closed() bool
}

// lfBlocking is the method set lfBlock uses.
type lfBlocking interface {
	TryPush(v Event) bool
	Push(ctx context.Context, v Event) error
	Pop(ctx context.Context) (Event, error)
	Close()
}

// layouts are the values of the -layout flag, each with the lfqueue option
// it selects; the first is the default, the layout lfqueue.New gives an
// Event (48 bytes: two slots fit in a 128-byte range) without options.
var layouts = []struct {
	name string
	opt  func() lfqueue.Option
}{
	{"compact", lfqueue.Compact},
	{"remap", lfqueue.Remap},
	{"padded", lfqueue.Padded},
}

// layoutNames lists the valid -layout values, comma-separated.
func layoutNames() string {
	names := make([]string, len(layouts))
	for i, l := range layouts {
		names[i] = l.name
	}
	return strings.Join(names, ", ")
}

// layoutOption returns the lfqueue option of the named layout, or nil if
// name is not in layouts.
func layoutOption(name string) lfqueue.Option {
	for _, l := range layouts {
		if l.name == name {
			return l.opt()
		}
	}
	return nil
}

// queueOpts returns lfqueue's options for the -layout value (one of
// layouts; parseFlags rejects the others).
func queueOpts(layout string) []lfqueue.Option {
	opt := layoutOption(layout)
	if opt == nil {
		panic(fmt.Sprintf("lfbench: unknown layout %q", layout))
	}
	return []lfqueue.Option{opt}
}

// backoff is the waiting policy of the try-based consumer and producer:
// a few busy retries, then yielding the processor, then sleeping for
// doubling intervals up to 100µs. A program polling TryPush/TryPop needs
// something like it; a plain busy loop starves the peer on 2 cores.
type backoff struct{ n int }

func (b *backoff) wait() {
	switch {
	case b.n < 4:
		// retry at once
	case b.n < 20:
		runtime.Gosched()
	default:
		d := time.Microsecond << min(b.n-20, 7) // 1µs … 128µs
		time.Sleep(min(d, 100*time.Microsecond))
	}
	b.n++
}

// lfTry is an lfkit queue with the non-blocking operations and backoff.
type lfTry[Q lfQueue] struct{ q Q }

func newLFTry(capacity int, layout string) transport {
	return lfTry[*lfqueue.Queue[Event]]{lfqueue.New[Event](capacity, queueOpts(layout)...)}
}

func (t lfTry[Q]) push(e Event) bool {
	if t.q.TryPush(e) {
		return false
	}
	var b backoff
	for !t.q.TryPush(e) {
		if t.q.Closed() {
			panic("lfbench: push after close") // close follows every push
		}
		b.wait()
	}
	return true
}

func (t lfTry[Q]) tryPush(e Event) bool { return t.q.TryPush(e) }

func (t lfTry[Q]) pop() (Event, bool) {
	var b backoff
	for {
		if e, ok := t.q.TryPop(); ok {
			return e, true
		}
		// Closed is checked before the last TryPop: every push happened
		// before Close, so an empty queue seen after it stays empty.
		if t.q.Closed() {
			return t.q.TryPop()
		}
		b.wait()
	}
}

func (t lfTry[Q]) close() { t.q.Close() }

// lfBlock is an lfkit queue with the blocking operations. TryPush comes
// first only to count backpressure; Push itself starts with the same
// attempt.
type lfBlock[Q lfBlocking] struct{ q Q }

func newLFBlock(capacity int, layout string) transport {
	return lfBlock[*lfqueue.Queue[Event]]{lfqueue.New[Event](capacity, queueOpts(layout)...)}
}

func newLockFree(capacity int, _ string) transport {
	return lfBlock[*lfqueue.LockFree[Event]]{lfqueue.NewLockFree[Event](capacity)}
}

func (t lfBlock[Q]) push(e Event) bool {
	if t.q.TryPush(e) {
		return false
	}
	if err := t.q.Push(context.Background(), e); err != nil {
		panic("lfbench: " + err.Error()) // close follows every push
	}
	return true
}

func (t lfBlock[Q]) tryPush(e Event) bool { return t.q.TryPush(e) }

func (t lfBlock[Q]) pop() (Event, bool) {
	e, err := t.q.Pop(context.Background())
	return e, err == nil
}

func (t lfBlock[Q]) close() { t.q.Close() }

// chanT is a buffered channel (peers.Chan). Its methods are inlined, so
// chanT's are the channel operations themselves.
type chanT struct{ c peers.Chan[Event] }

func newChan(capacity int, _ string) transport { return chanT{peers.NewChan[Event](capacity)} }

func (t chanT) push(e Event) bool    { return t.c.PushWaited(e) }
func (t chanT) tryPush(e Event) bool { return t.c.TryPush(e) }
func (t chanT) pop() (Event, bool)   { return t.c.PopOK() }
func (t chanT) close()               { t.c.Close() }

// mutexRing is the queue most programs would write by hand
// (peers.MutexRing): a slice used as a ring under a sync.Mutex, with
// condition variables that are signalled only when someone waits. push
// counts backpressure under the lock it pushes with.
type mutexRing struct{ r peers.MutexRing[Event] }

func newMutexRing(capacity int, _ string) transport {
	return mutexRing{peers.NewMutexRing[Event](capacity)}
}

func (t mutexRing) push(e Event) bool    { return t.r.PushWaited(e) }
func (t mutexRing) tryPush(e Event) bool { return t.r.TryPush(e) }
func (t mutexRing) pop() (Event, bool)   { return t.r.PopOK() }
func (t mutexRing) close()               { t.r.Close() }
