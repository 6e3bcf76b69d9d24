// Package fuzz is lfkit's cross-package verification suite: the checks that
// drive several goroutines at once or several packages together. The
// sequential models of each type live beside the type (lfqueue's
// FuzzQueueOps and FuzzLockFreeOps, atomicx's FuzzIntOps, FuzzFloatOps,
// FuzzMaxMin and FuzzCounterOps, lfmetrics' FuzzMetrics and
// FuzzLatencyRecord). This package has no non-test code; everything lives in
// its _test.go files:
//
//   - FuzzQueueConcurrent, FuzzLockFreeConcurrent and FuzzAtomicxConcurrent:
//     native fuzz targets that decode their input into 2–4 goroutines'
//     operations, run them at once, and check conservation, per-producer FIFO
//     order, Len ≤ Cap, and no lost atomic update (seed corpora, crashers
//     included, in testdata/fuzz/<Target>/);
//   - TestConcurrentLinearizable: recorded concurrent histories of Queue and
//     LockFree checked with github.com/anishathalye/porcupine against a
//     bounded-FIFO model (for LockFree, one whose "full" and Len allow for
//     operations in progress), and TestLinearizabilityChecker* showing that
//     the checker accepts a correct reference queue and rejects broken ones;
//   - TestConcurrentQueue and TestConcurrentLenDuringForcePush: concurrent
//     invariants (conservation, per-producer FIFO, Len ≤ Cap);
//   - TestSoak: an opt-in long run of both queue types and the metrics
//     (LFKIT_SOAK).
//
// Run the concurrent tests at several GOMAXPROCS values, and the targets and
// the soak for longer:
//
//	go test -race -cpu=1,2,4 -run '^TestConcurrent' ./fuzz
//	go test -run '^$' -fuzz '^FuzzQueueConcurrent$' -fuzztime 10m -fuzzminimizetime 100x ./fuzz
//	LFKIT_SOAK=10m go test -race -v -run '^TestSoak$' -timeout 0 ./fuzz
package fuzz
