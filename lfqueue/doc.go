// Package lfqueue provides Queue, a bounded multi-producer multi-consumer
// FIFO queue of any element type, built on per-slot sequence stamps and CAS.
//
//	q := lfqueue.New[Job](1024)
//	q.TryPush(j)                 // false only if full (or closed)
//	j, ok := q.TryPop()          // false only if empty
//	err := q.Push(ctx, j)        // waits for room; ErrClosed or ctx.Err()
//	j, err = q.Pop(ctx)          // waits for an element; ErrClosed when drained
//	for j := range q.All(ctx) {} // like ranging over a channel
//	q.Close()
//
// # Guarantees
//
// Capacity is exact for any capacity >= 1. The single-element operations
// and Len are linearizable: the queue behaves as if each call took effect at
// one instant between its start and its return, in a single FIFO order.
// A batch (TryPushBatch, TryPopBatch) moves runs of consecutive slots, each
// run claimed by one CAS and atomic; a batch that reaches the end of the ring
// or a slot still in use by a peer is split into runs, and other goroutines'
// operations may fall between them. A batch's own elements stay in order.
//
// TryPush and TryPop never fail spuriously. TryPush returns false only if
// the queue was full (or closed) at some instant during the call, TryPop only
// if it was empty. A CAS lost to a peer is retried, and a peer caught in the
// middle of writing or reading the slot that is needed is waited for.
//
// Progress: this queue is NOT lock-free in the strict sense. A producer
// claims a slot (CAS on tail) and then publishes its value (a store to the
// slot's stamp); a producer that is descheduled between the two delays the
// consumer of that slot, which waits for it (spinning, then yielding the
// processor), and consumers behind that one wait in turn; a TryPop that
// finds such a slot at the head waits too, since the queue is not empty.
// Likewise a consumer descheduled between claiming a slot and releasing it
// delays the producer that reuses the slot one lap later. Other slots are
// unaffected, and no operation takes a lock. The window is a few
// instructions long, but if the thread is preempted inside it, the partner
// waits until it runs again; a strictly lock-free algorithm would not have
// that dependency.
//
// Blocking: Push and Pop retry briefly and then park on a waiter list; a
// parked goroutine uses no CPU. Waking is wired to the fast paths by one
// atomic load ("is anyone waiting?") per successful operation, so TryPush and
// TryPop pay nothing else for it. Cancelling ctx removes the waiter and
// neither pushes nor loses an element.
//
// Close sets a mark bit in tail: after it, no push succeeds, and pops drain
// what was pushed before and then report ErrClosed.
//
// A popped slot is zeroed, so the queue never keeps a popped value alive.
//
// # Memory layout and padding
//
// By default every slot (its stamp and value) starts on its own
// false-sharing range (internal/pad.Size: 128 bytes on amd64, arm64 and
// ppc64, 256 on s390x, 64 elsewhere) and no two slots share one, for any T,
// including zero-size T and T larger than a range; head and tail sit on
// ranges of their own. The slot array is allocated as a real Go array of a
// struct type built with reflect, so the garbage collector sees every pointer
// inside T. The Compact option packs slots instead.
//
// # Capacity guide
//
// With hot = 8 + sizeof(T) rounded up to 8 (16 for zero-size T), a slot
// takes
//
//	padded:  hot rounded up to pad.Size   (128 on amd64 for T up to 120 bytes)
//	compact: hot
//
// bytes. (Exception: a pointer-holding T whose hot size is an exact multiple
// of pad.Size, in a queue whose slot array is between 512 bytes and 32 KiB,
// takes one more pad.Size per slot, so that slots stay apart despite the
// 8-byte header the allocator puts in front of such objects.) The Queue
// itself adds at most 6*pad.Size bytes (760 on amd64). On amd64, padded /
// compact:
//
//	T                   per slot    1e3 slots       1e4          1e5          1e6
//	int, *X, zero-size  128 / 16    125 / 15.6 KiB  1.22 / 0.15  12.2 / 1.53  122 / 15.3 MiB
//	string              128 / 24    125 / 23.4 KiB  1.22 / 0.23  12.2 / 2.29  122 / 22.9 MiB
//	[64]byte            128 / 72    125 / 70.3 KiB  1.22 / 0.69  12.2 / 6.87  122 / 68.7 MiB
//	[200]byte           256 / 208   250 / 203  KiB  2.44 / 1.98  24.4 / 19.8  244 / 198  MiB
//
// (1e4 and up in MiB.) TestCapacityGuide checks the stated
// formula against the real stride and logs this table.
//
// # When to use it
//
// Figures below are medians of 6 interleaved rounds of internal/peerbench
// (the README's Performance section has the whole table and the command) on
// a shared 2-vCPU AMD EPYC, Go 1.26.8, linux/amd64, ns per element; samples
// on this host spread by 10-80%, so read them as ratios within one run, not
// as constants.
//
//	                          lfqueue  compact  chan   mutex ring  xsync MPMC
//	pair, int                   13.8     13.5   44.4     13.2        11.2
//	pair, 64-byte T             24.7     23.3   48.1     29.2        24.7
//	parallel pairs, int (2)    100       99.4   51.8     19.2       101
//	1P/1C handoff, int (2)      48.0     36.1   45.6     22.7        42.5
//	2P/2C handoff, int (2)      61.8     27.6   46.2     27.4        40.3
//	2P/2C handoff, 64-B (2)     79.5    107     58.7     38.1        51.3
//	burst of 64, int, batch      6.90     5.90  51.1      2.38        -
//
// ((2) = -cpu=2; "batch" uses TryPushBatch/TryPopBatch and the mutex ring's
// batch methods.)
//
// Prefer Queue to a buffered channel when you want non-blocking TryPush and
// TryPop that fail only when truly full or empty, ForcePush, batches, Len
// and IsFull, or the fastest uncontended path (about a third of a channel's
// cost per element). Keep a channel when you need select over several
// sources, or when two cores hammer the same queue: under that contention
// the channel did better here.
//
// Prefer a mutex-guarded slice ring when, as on this 2-core machine, only a
// few goroutines touch the queue and critical sections are tiny: it was
// faster here under contention, because one lock word bounces between cores
// where Queue bounces head, tail and slot lines. Queue's case is that no
// operation holds a lock (a descheduled mutex holder stalls every caller;
// here only the partner of one slot waits), blocking with context and Close
// built in, and per-slot padding that keeps producers and consumers on
// different slots from contending as cores are added; two cores cannot show
// that scaling.
//
// Compact slots use a fraction of the memory. Here they did better for int
// in the contended handoffs (streaming reads several elements per cache
// line), worse for 64-byte elements, and the same uncontended; padded slots
// are the default because they keep independent slots independent on
// machines with more cores.
package lfqueue
