// Package lfqueue provides two bounded multi-producer multi-consumer FIFO
// queues of any element type: Queue, the fastest, built on per-slot sequence
// stamps and CAS; and LockFree, which is lock-free in the strict sense (a
// goroutine stopped in the middle of an operation never stops the others),
// built on Nikolaev's SCQ. Both have the same methods with the same meanings
// (LockFree lacks ForcePush and the batches), so switching between them is
// a one-line change of constructor.
//
//	q := lfqueue.New[Job](1024)
//	err := q.Offer(j)            // nil, ErrFull (backpressure) or ErrClosed
//	j, ok := q.TryPop()          // false only if empty
//	err = q.Push(ctx, j)         // waits for room; ErrClosed or ctx.Err()
//	j, err = q.Pop(ctx)          // waits for an element; ErrClosed when drained
//	for j := range q.All(ctx) {} // like ranging over a channel
//	q.Close()
//
// # Guarantees
//
// Capacity is exact for any capacity >= 1. The single-element operations
// and Len are linearizable: each call takes effect at one instant between
// its start and its return, in a single FIFO order. A batch (TryPushBatch,
// TryPopBatch) moves runs of consecutive slots, each run atomic; other
// goroutines' operations may fall between runs, and a batch's own elements
// stay in order.
//
// Queue's TryPush, Offer and TryPop never fail spuriously: full (empty) is
// reported only if the queue was full (empty) at some instant during the
// call. One exception to linearizability, of Queue only: a blocking Pop
// (Push) that waits for a push (pop) stopped between its two steps on the
// slot it needs, and whose ctx ends meanwhile, returns ctx.Err() although
// the queue was not empty (full) then (see Progress). A popped slot is
// zeroed, so the queue keeps no popped value alive.
// Operations that do not park allocate nothing.
//
// After Close, no push succeeds, every element pushed before stays
// poppable, and Pop reports ErrClosed only once the queue is drained.
//
// # Progress
//
// Queue takes no lock, but it is NOT lock-free in the strict sense. A
// producer claims a position (CAS on tail) and then publishes its value; a
// consumer claims a position and then releases the slot. A goroutine
// descheduled between its two steps makes the partners of that one slot
// wait: the consumer of its position (and those behind it), or the producer
// that reuses the slot one lap later. Operations on other slots go on.
// LockFree has no such window: see its documentation.
//
// Push and Pop block by design while the queue is full (empty). A waiting
// goroutine is always either spinning on the slot it needs or parked where
// the next pop (push) wakes it, as a channel's receiver is; a Pop never
// yields its processor in between (a Push on a full queue yields a few
// times to running consumers before it parks, so that a busy pipeline does
// not park and wake a producer per element). It spins only while spinning can pay without
// taking CPU from the rest of the program: never at GOMAXPROCS 1, never
// while other goroutines wait for a processor, at most half the processors
// per side, and for an adaptive budget that falls to a minimum when
// spinning stops paying (the idea of folly's TurnSequencer). A parked
// goroutine uses no CPU. Every successful operation checks one atomic word
// ("is anyone waiting?"), so when nobody waits it pays one load; waking
// takes no lock. Cancelling ctx neither pushes nor loses an element.
//
// # Layout
//
// By default a Queue packs its slots back to back (Compact) when two fit in
// a false-sharing range (T up to 56 bytes on amd64), and pads each slot to
// its own range (Padded) otherwise. Compact takes the least memory and
// moves items fastest through a busy queue: a side that trails the other
// takes several slots per cache-line transfer. Padded removes contention
// between slots, which pays when several consumers wait on neighbouring
// slots of a queue that is usually empty. Remap packs slots as Compact does
// but spreads consecutive positions over different ranges. Layout reports
// the layout a queue got. Measured comparisons are in BENCHMARKS.md, and
// BenchmarkLayout measures your shape.
//
// A slot takes hot = 8 + sizeof(T) rounded up to 8 bytes (16 for zero-size
// T) when Compact, hot rounded up to the range size when Padded (128 bytes
// on amd64), and hot rounded up to a power of two when remapped (at most
// twice that per slot for capacities that are not a power of two). The
// slot array is a real Go array built with reflect, so the garbage
// collector sees every pointer inside T. TestCapacityGuide checks these
// formulas against the real array and logs a table for 1e3 to 1e6 slots.
//
// # Which to use
//
// Prefer Queue to a buffered channel for non-blocking operations that fail
// only when truly full or empty (Offer tells full from closed), ForcePush,
// batches, Len and IsFull, or a cheaper uncontended path; keep a channel
// when you need select over several sources. A mutex-guarded slice ring is
// competitive when few goroutines on few cores touch the queue, but a
// descheduled lock holder stalls every caller.
//
// Choose LockFree when no goroutine may wait for another: with one goroutine
// stopped for good in the middle of any operation, the others keep
// completing theirs. Each LockFree operation goes through two rings of
// indices, so it costs more than Queue's; choose Queue otherwise.
// BENCHMARKS.md has the measured costs, with the commands that produce them.
package lfqueue
