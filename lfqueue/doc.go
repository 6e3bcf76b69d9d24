// Package lfqueue provides two bounded multi-producer multi-consumer FIFO
// queues of any element type: Queue, the fastest, built on per-slot sequence
// stamps and CAS; and LockFree, which is lock-free in the strict sense (a
// goroutine stopped in the middle of an operation never stops the others),
// built on Nikolaev's SCQ. Both have the same method names and meanings
// where the algorithms allow (LockFree has no ForcePush or batches); see
// "Queue or LockFree?" below.
//
//	q := lfqueue.New[Job](1024)
//	q.TryPush(j)                 // false only if full (or closed)
//	j, ok := q.TryPop()          // false only if empty
//	err := q.Push(ctx, j)        // waits for room; ErrClosed or ctx.Err()
//	j, err = q.Pop(ctx)          // waits for an element; ErrClosed when drained
//	for j := range q.All(ctx) {} // like ranging over a channel
//	q.Close()
//
// # Queue: guarantees
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
// A popped slot is zeroed, so the queue never keeps a popped value alive.
// The operations that do not park allocate nothing (except that the first
// time a goroutine sleeps while waiting for a descheduled peer, see below,
// the runtime allocates that goroutine's sleep timer, once).
//
// # Queue: progress
//
// This queue is NOT lock-free in the strict sense; no operation takes a
// lock, but some wait for a peer that is between two steps. A producer
// claims a position (CAS on tail) and then publishes its value (a store to
// the slot's stamp); a consumer claims a position (CAS on head) and then
// releases the slot (another stamp store). The window between the two steps
// is a few instructions, but a goroutine preempted inside it makes others
// wait until it runs again:
//
//   - a producer stalled between claim and publish delays the consumer of
//     that position (TryPop, Pop or a batch waits for it rather than report
//     an empty queue, since the element is on its way), and so every
//     consumer behind that one;
//   - a consumer stalled between claim and release delays the producer that
//     reuses the slot one lap later;
//   - TryPop on an empty queue can wait for a consumer stalled one lap
//     earlier (the slot it looks at is still being released), and TryPush on
//     a full queue for a producer stalled one lap earlier.
//
// Operations on other slots are unaffected. A strictly lock-free algorithm
// would have no such dependency.
//
// Waiting for a peer in the middle of a step is spinning, then yielding the
// processor, then sleeping 20µs at a time (so that the operating system can
// run a peer whose thread it descheduled); only Push and Pop park.
// A Push on a full queue or a Pop on an empty one may first watch the slot
// it needs (with the Compact layout, a Push watches the last slot of the run
// that shares its cache-line range, so that it refills the range after the
// consumers have left it). It spins only while spinning can pay without
// taking CPU from the rest of the program: never at GOMAXPROCS 1, never
// while goroutines are waiting for a processor, at most half the processors
// per side, and for an adaptive budget that falls to a minimum when
// spinning does not pay. Then it registers and parks, and uses no CPU until
// a pop makes room (or a push arrives), or Close or ctx ends the wait. A
// waiting goroutine is always either spinning or parked where the next push
// (pop) wakes it, as a channel receiver is: it never yields its processor
// in between. Parking and waking go through an event count per side (see
// internal/wait); the claim step of every operation checks one atomic word
// ("is anyone waiting?") after its CAS, so when nobody waits the fast paths
// pay one load. Cancelling ctx neither pushes nor loses an element, and a
// wakeup meant for a cancelled waiter is passed on.
//
// Close sets a mark bit in tail: after it, no push succeeds, and pops drain
// what was pushed before and then report ErrClosed.
//
// # Memory layout and padding
//
// By default, when two slots fit in a false-sharing range (the stamp and T
// take at most half of it: T up to 56 bytes on amd64), slots are packed
// back to back in position order (the Compact layout), each taking its
// stamp and T rounded up to 8 bytes (16 bytes for int on amd64); larger
// slots are padded (see "Why the default"). A consumer that trails the producers reads several
// published slots per cache-line transfer, and producers that trail the
// consumers refill several freed slots per transfer, as the plain slice of a
// mutex-guarded ring does; the price is that operations on neighbouring
// positions running at the same moment contend for one line. The Remap
// option packs slots too, each taking its stamp and T rounded up to a power
// of two g, in an order that puts consecutive positions in different
// false-sharing ranges (128 bytes on amd64, arm64 and ppc64, 256 on s390x,
// 64 elsewhere): with S = range/g slots per range and R ranges (R a power of
// two), position index i lives in range i mod R at offset i div R, as in the
// SCQ queue. For T whose stamp and value exceed half a range (T over 56
// bytes on amd64) Remap is the padded layout. The Padded option gives every
// slot its own range for any T, including zero-size T and T larger than a
// range. head and tail always sit on ranges of their own. The slot array is
// allocated as a real Go array of a struct type built with reflect, so the
// garbage collector sees every pointer inside T.
//
// Why the default: the handoff a queue exists for, producers and consumers
// moving items as fast as they can, is where a queue's own speed decides
// throughput, and there packing in order wins by about 2x. In one
// interleaved run on a shared 2-vCPU host (BenchmarkLayout: capacity 1024,
// int, -cpu 2, 6 rounds; ratios taken within a round and a placement
// regime, most samples in the "near" regime), Compact's time per item was
// 0.42x to 0.52x the padded layout's free-running at 1x1, 2x2 and 8x8
// producers x consumers, where Remap's was 0.66x to 1.17x. With the queue
// kept nearly full (60 ns of work per item on the consumers' side) Compact
// took 1.05x to 1.17x the padded time and Remap 0.96x to 1.15x. Kept nearly
// empty (the work on the producers' side), where every consumer watches its
// own slot and neighbouring slots share a line, Compact took 1.11x to 1.21x
// the padded time at 1x1 and 1.20x to 1.72x at 2x2 (8x8: 157 to 185 ns
// against 117 to 128, no round paired), while Remap took 0.92x to 1.25x. So
// the default is the layout that wins the saturated handoff, at an eighth
// of the padded memory; Remap is the choice for several producers and
// consumers on a queue that is usually nearly empty, at the same memory;
// Padded removes all contention between different slots.
// Single samples move with the host's placement of the two vCPUs; measure
// your shape with BenchmarkLayout.
//
// Packing pays only while a range holds at least two slots. A larger
// Compact slot still shares a range, and a cache line, with a neighbour,
// but a side that trails the other no longer takes a second slot along
// with each transfer; so New pads such slots. In the saturated 2x2
// handoff at -cpu 2, 64-byte T took 69-80 ns per item packed and 49-57
// padded; 48-byte T (two slots per range) 48-56 and 47-48, a tie; 32-byte
// T 38-39 and 46-47 (3 interleaved rounds).
//
// # Capacity guide
//
// With hot = 8 + sizeof(T) rounded up to 8 (16 for zero-size T), a slot
// takes, for every capacity,
//
//	Compact():           hot                                 (the default while hot <= range/2: 64 bytes on amd64)
//	Padded():            hot rounded up to the range size    (the default above; 128 on amd64 for T up to 120 bytes)
//	Remap():             hot rounded up to a power of two g  (16 for int, 32 for string on amd64)
//
// bytes. A remapped array holds S = range/g slots per range in
// ceil(capacity/S) ranges rounded up to a power of two, so it takes between
// g and 2g bytes per slot (exactly g when capacity is a power of two at least
// S); where g would reach the range size, Remap is the padded layout.
//
// The slot array of a padded queue of pointer-holding T that would be
// smaller than 32 KiB may be allocated as 32 KiB, to keep that stride despite
// the header Go's allocator puts in front of such objects. The Queue itself
// adds at most 8 ranges and 64 bytes (952 bytes on amd64). On amd64, padded / compact / remap (the
// default is compact for int and string, padded for [64]byte and [200]byte):
//
//	T                   per slot        1e3 slots            1e4                1e5                1e6
//	int, *X, zero-size  128 / 16 / 16   125 / 15.6 / 16 KiB  1.22 / 0.15 / 0.25  12.2 / 1.53 / 2   122 / 15.3 / 16 MiB
//	string              128 / 24 / 32   125 / 23.4 / 32 KiB  1.22 / 0.23 / 0.5   12.2 / 2.29 / 4   122 / 22.9 / 32 MiB
//	[64]byte            128 / 72 / 128  125 / 70.3 / 125 KiB 1.22 / 0.69 / 1.22  12.2 / 6.87 / 12.2 122 / 68.7 / 122 MiB
//	[200]byte           256 / 208 / 256 250 / 203 / 250 KiB  2.44 / 1.98 / 2.44  24.4 / 19.8 / 24.4 244 / 198 / 244 MiB
//
// (1e4 and up in MiB.) TestCapacityGuide checks the formulas against the
// real stride and array and logs this table; TestPaddedStrideExact,
// TestCompactPlacement and TestRemapPlacement check each layout's placement
// by address; TestMemoryPerSlot measures New[int](1<<16) with
// runtime.MemStats.
//
// # When to use it
//
// The README's Performance section has the measured comparison with a
// buffered channel, a mutex-guarded ring and other queues, with the command
// that regenerates it; on a shared 2-vCPU host those figures move with where
// the host places the two vCPUs, so read them as ratios within one run.
//
// Prefer Queue to a buffered channel when you want non-blocking TryPush and
// TryPop that fail only when truly full or empty, ForcePush, batches, Len
// and IsFull, or a cheaper uncontended path. Keep a channel when you need
// select over several sources.
//
// Prefer a mutex-guarded slice ring when only a few goroutines on few cores
// touch the queue and its critical sections are tiny: one lock word moves
// between cores where Queue moves head, tail and slot lines. Queue's case is
// that no operation holds a lock (a descheduled mutex holder stalls every
// caller; here only the partners of one slot wait), blocking with context
// and Close built in, and a choice of slot layouts.
//
// The Compact slots (the default for small T) and Remap slots use an eighth
// of the padded memory for 8-byte T. Choose Remap or Padded when several producers and several
// consumers share a queue that usually stays nearly empty (each consumer
// waiting on its own slot, neighbouring slots on one line); keep the default
// for pipelines that run saturated or nearly full. Measure your shape with the Layout
// benchmark before choosing another layout.
//
// # Queue or LockFree?
//
// Choose LockFree when no goroutine may wait for another. With one
// goroutine stopped for 100 ms in the middle of a push (BenchmarkLFStall,
// build tag lfkit_stall), the other goroutines kept 97–99% of their
// unstopped throughput with LockFree (three rounds) and dropped to 0.05% with
// Queue, which waits for the stopped slot once the ring laps onto it. Under
// oversubscription (32 goroutines at GOMAXPROCS 2,
// BenchmarkOversubscribedLatency in internal/peerbench) its per-call tail
// stayed within a small factor of Queue's and beat a channel's from p99 up
// (medians of three rounds, p99 / p99.9: LockFree 0.9 / 4.1 µs, Queue
// 0.4 / 2.8 µs, channel 1.8 / 31 µs, mutex ring 330 / 520 µs; an empty call
// measured the same way, the caller's own preemption, 0.04 / 0.2 µs). Its
// slots are packed: sizeof(T) plus 32 to 64 bytes each.
//
// Choose Queue otherwise. Each LockFree operation goes through two rings
// (free indices and element indices) plus an element count, more than twice
// the locked instructions and shared cache lines of Queue's, so it costs
// about four to sixteen times as much. In the README's benchmark run (shared
// 2-vCPU x86-64 host, Go 1.26, most samples in the "near" regime): an
// uncontended push+pop took 69 ns against Queue's 19, parallel pairs 428
// against 30 ns, and the blocking handoff 191 against 20 ns (1 producer, 1
// consumer) and 297 against 20 ns (2×2), where a channel took 49 and 68. Queue also has
// ForcePush, batches and TryPush/TryPop that fail only when the queue is
// truly full or empty; LockFree's TryPush can also fail while pops in
// progress still hold free indices (see LockFree's documentation). Rerun the
// figures with the commands in internal/peerbench/README.md.
package lfqueue
