package peerbench

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

// The mixed-load benchmark (issue 17): a queue inside a process that is busy
// with other goroutines, without a network stack. mixedProducers producer
// goroutines each do mixedWork multiply-adds per event (the CPU a request
// handler spends), TryPush the event's timestamp and call runtime.Gosched,
// as a handler that blocks on I/O between requests gives up its P; a full
// queue rejects the event (counted, never retried). mixedWorkers workers
// wait in the blocking Pop and record each event's push→pop latency.
//
// Reported beside ns/op (wall time per attempted event): "events/s"
// (accepted events per wall second), "p50-ns" and "p99-ns" (push→pop),
// "cpu-ns/event" (process CPU time per accepted event, from the same
// clocks as "cpu/wall"), "rejected/op" (rejections per attempted event),
// and the regime probe's metrics.
//
//	go test -run '^$' -bench '^BenchmarkMixed$' -cpu 1,2 -benchtime 1s .
const (
	mixedProducers = 4
	mixedWorkers   = 4
	mixedWork      = 3000 // multiply-adds per event, in the producer
)

// mixedStop is the element that tells a worker of the mixed-load benchmark
// to return: no timestamp is negative.
const mixedStop = -1

// loadImpls are the implementations of the mixed-load and service
// benchmarks, picked from mpmcImpls: the channel, the cond-mutex ring,
// lfqueue's Queue and LockFree. xsync's MPMCQueue is left out: it has
// only try forms, whose TryEnqueue also fails when it loses a CAS (a
// rejection the queue was not full for), and its waiting Pop can only poll
// with runtime.Gosched, which takes the CPU the producers need — the
// effect these benchmarks measure — where the others park.
func loadImpls[T any]() []impl[T] {
	var out []impl[T]
	for _, im := range mpmcImpls[T]() {
		if slices.Contains([]string{"chan", "mutexring", "lfqueue", "lfqueue-lockfree"}, im.name) {
			out = append(out, im)
		}
	}
	return out
}

// epoch is the origin of the benchmarks' timestamps.
var epoch = time.Now()

// nanotime reads the monotonic clock: nanoseconds since epoch.
func nanotime() int64 { return int64(time.Since(epoch)) }

// spinWork does n dependent multiply-adds on x and returns the result, so
// that the compiler cannot drop the loop.
func spinWork(x uint64, n int) uint64 {
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// workSink receives every spinWork result, so that none is dead code.
var workSink atomic.Uint64

// partOf is the count of b.N items that goroutine i of n handles.
func partOf(total, i, n int) int {
	k := total / n
	if i < total%n {
		k++
	}
	return k
}

// loadReport reports what the mixed-load and service benchmarks have in
// common: accepted per wall second under rateUnit, push→pop p50 and p99 from
// hists, process CPU time per accepted item under cpuUnit (the sample's
// cpu/wall times wall), rejections per attempt under rejUnit, and the
// regime metrics. wall is measured from just after regime.Begin.
func loadReport(b *testing.B, s *regime.Sample, wall time.Duration, hists []latHist, accepted, rejected int, rateUnit, cpuUnit, rejUnit string) {
	var all latHist
	for g := range hists {
		for i, c := range hists[g] {
			all[i] += c
		}
	}
	cpu := s.CPUPerWall() * float64(wall.Nanoseconds())
	b.ReportMetric(float64(accepted)/wall.Seconds(), rateUnit)
	b.ReportMetric(float64(all.quantile(0.5)), "p50-ns")
	b.ReportMetric(float64(all.quantile(0.99)), "p99-ns")
	if accepted > 0 {
		b.ReportMetric(cpu/float64(accepted), cpuUnit)
	}
	b.ReportMetric(float64(rejected)/float64(b.N), rejUnit)
	s.Report(b)
}

func BenchmarkMixed(b *testing.B) {
	for _, im := range loadImpls[int64]() {
		b.Run("impl="+im.name, func(b *testing.B) { mixed(b, im.make()) })
	}
}

// mixed runs the mixed-load benchmark on q: b.N attempted events, split
// among the producers in shares fixed in advance; each producer and worker
// keeps its own counts and histogram (no bookkeeping shared on the hot
// path). Once every producer is done, one mixedStop per worker follows
// through the blocking Push: FIFO puts it after every accepted event.
func mixed(b *testing.B, q Queue[int64]) {
	hists := make([]latHist, mixedWorkers)
	popped := make([]int, mixedWorkers)
	accepted := make([]int, mixedProducers)
	var workers, producers sync.WaitGroup
	b.ReportAllocs()
	s := regime.Begin()
	start := time.Now()
	b.ResetTimer()
	for w := range mixedWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			h := &hists[w]
			for {
				ts := q.Pop()
				if ts == mixedStop {
					return
				}
				h.add(time.Duration(nanotime() - ts))
				popped[w]++
			}
		}()
	}
	for p := range mixedProducers {
		producers.Add(1)
		go func() {
			defer producers.Done()
			x := uint64(p)
			n := 0
			for range partOf(b.N, p, mixedProducers) {
				x = spinWork(x, mixedWork)
				if q.TryPush(nanotime()) {
					n++
				}
				runtime.Gosched()
			}
			accepted[p] = n
			workSink.Add(x)
		}()
	}
	producers.Wait()
	for range mixedWorkers {
		q.Push(mixedStop)
	}
	workers.Wait()
	b.StopTimer()
	wall := time.Since(start)
	acc, pop := 0, 0
	for _, n := range accepted {
		acc += n
	}
	for _, n := range popped {
		pop += n
	}
	if pop != acc {
		b.Fatalf("%d events accepted, %d popped", acc, pop)
	}
	loadReport(b, s, wall, hists, acc, b.N-acc, "events/s", "cpu-ns/event", "rejected/op")
}
