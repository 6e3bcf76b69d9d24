// Package peerbench benchmarks lfkit against the implementations a Go
// programmer would otherwise use: buffered channels, a mutex-guarded ring,
// github.com/puzpuzpuz/xsync/v4 (MPMCQueue, SPSCQueue, Counter) and
// github.com/prometheus/client_golang (Counter, Histogram). It is a nested
// module, so those dependencies stay out of lfkit's go.mod.
//
// How the figures are taken and compared (regimes, interleaved rounds,
// paired ratios, the scaling sweep) is in README.md beside this file.
//
// The queue benchmarks run five workloads, each with an int and a 64-byte
// struct element (Big):
//
//	BenchmarkPair           one goroutine: push one item, pop it (ns per pair)
//	BenchmarkParallelPairs  b.RunParallel, every goroutine push then pop
//	BenchmarkSPSC           1 producer + 1 consumer goroutine, blocking forms,
//	                        capacity 1024 (ns per item)
//	BenchmarkMPMC           2 producers + 2 consumers, blocking forms,
//	                        capacity 1024 (ns per item); BenchmarkMPMC8x8:
//	                        8 + 8, int only (the original system's 8 threads)
//	BenchmarkBurst          fill a capacity-1024 queue, then drain it
//	                        (ns per item); "-batch" impls move 64 at a time
//
// Two load benchmarks measure a queue inside a process that is busy with
// other goroutines, where a waiting consumer must stay reachable and must
// not take the CPU the rest of the program needs. They report accepted
// items per second, push→pop p50 and p99, CPU time per accepted item and
// rejections, for the channel, the mutex ring, lfqueue's Queue and
// LockFree (not xsync's MPMCQueue: its only waiting form polls with
// runtime.Gosched, and its TryEnqueue fails on a lost CAS):
//
//	BenchmarkMixed          4 producers do 3,000 multiply-adds per event,
//	                        TryPush a timestamp (a full queue rejects it)
//	                        and yield; 4 workers Pop (no network stack)
//	BenchmarkService        a net/http server on loopback: 16 keep-alive
//	                        clients POST a JSON event, the handler
//	                        TryPushes it or answers 503, 4 workers PopCtx
//
// Counters and latency (all under b.RunParallel):
//
//	BenchmarkCounter        atomic.Int64, atomicx.Counter, a per-goroutine
//	                        atomicx.CounterHandle, lfmetrics RecordIngest,
//	                        a mutex-guarded int64, xsync.Counter,
//	                        client_golang Counter
//	BenchmarkLatency        lfmetrics Latency.Record and Metrics.RecordQuery
//	                        vs client_golang Histogram.Observe
//
// And BenchmarkRoundTrip, the placement probe: one cache-line round trip
// between two goroutines at -cpu=2. Every contended benchmark above also
// takes that probe itself, just before its measured loop, and reports
// "rt-ns", "probe-cpu/wall" and "cpu/wall" (internal/regime), from which
// cmd/benchtable classifies each sample's regime.
//
// BenchmarkScaleHandoff is the handoff workload of the scaling sweep
// (scaling.sh, charted by cmd/scaleplot): n producers and n consumers at
// GOMAXPROCS n.
//
// Names follow BenchmarkX/elem=E/impl=I so benchstat can put the
// implementations side by side (-col /impl). Every operation is a method
// call on a small adapter struct through the same generic harness, so every
// implementation pays the same call overhead; xsync's queues have no
// blocking forms, and their adapters retry with runtime.Gosched.
//
// run.sh runs the suite in interleaved rounds and writes the README's
// Performance tables, one row per regime (see cmd/benchtable).
package peerbench
