// Package fuzz is lfkit's cross-package verification suite. It has no
// non-test code; everything lives in its _test.go files:
//
//   - FuzzQueueSequential, FuzzQueueConcurrent, FuzzAtomicx and FuzzMetrics:
//     native fuzz targets that decode their input into operations and check
//     lfqueue, atomicx and lfmetrics against plain models (seed corpora,
//     crashers included, in testdata/fuzz/<Target>/);
//   - TestConcurrentLinearizable: recorded concurrent lfqueue histories
//     checked with github.com/anishathalye/porcupine against a bounded-FIFO
//     model, and TestLinearizabilityChecker* showing that the checker accepts
//     a correct reference queue and rejects broken ones;
//   - TestConcurrentQueue and TestConcurrentLenDuringForcePush: concurrent
//     invariants (conservation, per-producer FIFO, Len ≤ Cap);
//   - TestSoak: an opt-in long run of queues and metrics (LFKIT_SOAK).
//
// Run the concurrent tests at several GOMAXPROCS values, and the targets and
// the soak for longer:
//
//	go test -race -cpu=1,2,4 -run '^TestConcurrent' ./fuzz
//	go test -run '^$' -fuzz '^FuzzQueueConcurrent$' -fuzztime 10m ./fuzz
//	LFKIT_SOAK=10m go test -race -v -run '^TestSoak$' -timeout 0 ./fuzz
package fuzz
