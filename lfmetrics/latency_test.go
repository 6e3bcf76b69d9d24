package lfmetrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/lfkit/lfkit/internal/pad"
)

// wantLatency builds, the slow way, the snapshot a Latency that recorded
// ds must report.
func wantLatency(ds []time.Duration) LatencySnapshot {
	var s LatencySnapshot
	counts := map[int]uint64{}
	var sumHi, sumLo uint64
	for i, d := range ds {
		d = max(d, 0)
		if i == 0 || d < s.Min {
			s.Min = d
		}
		s.Max = max(s.Max, d)
		s.Count++
		lo := sumLo + uint64(d)
		if lo < sumLo {
			sumHi++
		}
		sumLo = lo
		counts[bucketOf(uint64(d))]++
	}
	if s.Count == 0 {
		return s
	}
	s.Sum = time.Duration(sumLo)
	if sumHi != 0 || sumLo > math.MaxInt64 {
		s.Sum = math.MaxInt64
	}
	for i := 0; i < numBuckets; i++ {
		if c := counts[i]; c != 0 {
			s.Buckets = append(s.Buckets, Bucket{time.Duration(bucketLow(i)), lows[i+1] - 1, c})
		}
	}
	return s
}

// checkConsistent fails unless s is internally consistent: Count = Σ
// buckets, buckets ascending and nonempty, Min and Max inside the first
// and last buckets, Min ≤ Mean ≤ Max, quantiles monotone within [Min, Max].
func checkConsistent(t tb, s LatencySnapshot) {
	t.Helper()
	if s.Count == 0 {
		if !cmp.Equal(s, LatencySnapshot{}) {
			t.Fatalf("empty snapshot with content: %+v", s)
		}
		return
	}
	var n uint64
	for i, b := range s.Buckets {
		if b.Count == 0 || b.Low > b.High || (i > 0 && b.Low <= s.Buckets[i-1].High) {
			t.Fatalf("bucket %d malformed: %+v", i, s.Buckets)
		}
		n += b.Count
	}
	if n != s.Count {
		t.Fatalf("Count = %d but buckets add up to %d", s.Count, n)
	}
	first, last := s.Buckets[0], s.Buckets[len(s.Buckets)-1]
	if s.Min < first.Low || s.Min > first.High || s.Max < last.Low || s.Max > last.High {
		t.Fatalf("Min %v / Max %v outside their buckets %+v / %+v", s.Min, s.Max, first, last)
	}
	if m := s.Mean(); !(s.Min <= m && m <= s.Max) {
		t.Fatalf("Min %v ≤ Mean %v ≤ Max %v does not hold", s.Min, m, s.Max)
	}
	if s.Sum != math.MaxInt64 {
		if lo, hi := float64(s.Min)*float64(s.Count), float64(s.Max)*float64(s.Count); float64(s.Sum) < lo*(1-1e-9) || float64(s.Sum) > hi*(1+1e-9) {
			t.Fatalf("Sum %v not within Count·Min .. Count·Max", s.Sum)
		}
	}
	prev := s.Min
	for _, q := range []float64{0, 0.1, 0.5, 0.9, 0.99, 1} {
		v := s.Quantile(q)
		if v < prev || v > s.Max {
			t.Fatalf("Quantile(%v) = %v: not monotone within [Min, Max]", q, v)
		}
		prev = v
	}
}

func TestLatencyZeroValue(t *testing.T) {
	var l Latency
	if diff := cmp.Diff(LatencySnapshot{}, l.Snapshot()); diff != "" {
		t.Fatalf("empty Latency snapshot (-want +got):\n%s", diff)
	}
	if q := l.Snapshot().Quantile(0.5); q != 0 {
		t.Fatalf("Quantile of empty = %v", q)
	}
	if s := l.Snapshot().String(); s != "count=0" {
		t.Fatalf("String of empty = %q", s)
	}
}

func TestLatencyExact(t *testing.T) {
	ds := []time.Duration{5 * time.Millisecond, -3, 0, 1, 63, 64, 65, 1234567, time.Hour,
		MaxTrackable, MaxTrackable + 1, 2 * time.Hour, 5 * time.Millisecond}
	var l Latency
	for _, d := range ds {
		l.Record(d)
	}
	got := l.Snapshot()
	if diff := cmp.Diff(wantLatency(ds), got); diff != "" {
		t.Fatalf("snapshot (-want +got):\n%s", diff)
	}
	checkConsistent(t, got)
	if got.Min != 0 || got.Max != 2*time.Hour {
		t.Fatalf("Min, Max = %v, %v; want 0 (negative counts as 0), 2h (exact above range)", got.Min, got.Max)
	}
	// Snapshot does not disturb: again, the same.
	if diff := cmp.Diff(got, l.Snapshot()); diff != "" {
		t.Fatalf("second snapshot differs (-first +second):\n%s", diff)
	}
}

func TestLatencyResetAndTotal(t *testing.T) {
	var l Latency
	var all []time.Duration
	for round := range 4 {
		var ds []time.Duration
		for i := range 50 * round {
			ds = append(ds, time.Duration(i*i*1000+round))
		}
		for _, d := range ds {
			l.Record(d)
		}
		all = append(all, ds...)
		if diff := cmp.Diff(wantLatency(ds), l.Reset()); diff != "" {
			t.Fatalf("round %d: Reset (-want +got):\n%s", round, diff)
		}
		if diff := cmp.Diff(LatencySnapshot{}, l.Snapshot()); diff != "" {
			t.Fatalf("round %d: Snapshot after Reset not empty:\n%s", round, diff)
		}
		l.Record(7)
		all = append(all, 7)
		if diff := cmp.Diff(wantLatency(all), l.Total()); diff != "" {
			t.Fatalf("round %d: Total (-want +got):\n%s", round, diff)
		}
		if diff := cmp.Diff(wantLatency([]time.Duration{7}), l.Reset()); diff != "" {
			t.Fatalf("round %d: second Reset (-want +got):\n%s", round, diff)
		}
	}
}

// writerLog is what one writer goroutine recorded.
type writerLog struct {
	ingested, batches, rejected, errors uint64
	queries                             []time.Duration
}

// TestResetLosslessConcurrent runs writers against Reset, Snapshot and
// Total, and checks that the intervals Reset returned, plus the final one,
// add up to exactly what was recorded — per counter, for the latency
// count, sum, extremes and every bucket — and that each interval is
// consistent.
func TestResetLosslessConcurrent(t *testing.T) {
	const writers = 6
	ops := 30000
	if testing.Short() {
		ops = 3000
	}
	m := New()
	logs := make([]writerLog, writers)
	var wg, readers sync.WaitGroup
	done := make(chan struct{})
	var intervals []Snapshot
	readers.Add(2)
	go func() { // resets
		defer readers.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			intervals = append(intervals, m.Reset())
		}
	}()
	var snapErr error
	go func() { // non-resetting readers, racing with Reset
		defer readers.Done()
		var prevTotal Snapshot
		for {
			select {
			case <-done:
				return
			default:
			}
			s := m.Snapshot()
			tot := m.Total()
			if tot.Ingested < prevTotal.Ingested || tot.Query.Count < prevTotal.Query.Count ||
				s.Ingested > tot.Ingested || s.Query.Count > tot.Query.Count {
				snapErr = fmt.Errorf("Total went back or below a Snapshot: %v then %v (snapshot %v)", prevTotal, tot, s)
			}
			prevTotal = tot
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			lg := &logs[w]
			for range ops {
				switch r.IntN(5) {
				case 0:
					m.RecordIngest()
					lg.ingested++
				case 1:
					n := r.IntN(7) - 1
					m.RecordIngestBatch(n)
					if n < 0 {
						lg.errors++
					} else {
						lg.ingested += uint64(n)
						lg.batches++
					}
				case 2:
					if r.IntN(2) == 0 {
						m.RecordError()
						lg.errors++
					} else {
						m.RecordReject()
						lg.rejected++
					}
				default:
					// Spread over the whole range: negatives, exact small
					// buckets, up to past MaxTrackable.
					d := time.Duration(r.Int64N(1<<r.IntN(44))) - 10
					m.RecordQuery(d)
					lg.queries = append(lg.queries, d)
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	if snapErr != nil {
		t.Fatal(snapErr)
	}
	intervals = append(intervals, m.Reset())
	t.Logf("%d intervals", len(intervals))

	var want writerLog
	for _, lg := range logs {
		want.ingested += lg.ingested
		want.batches += lg.batches
		want.rejected += lg.rejected
		want.errors += lg.errors
		want.queries = append(want.queries, lg.queries...)
	}
	var sum Snapshot
	var count, bucketSum uint64
	buckets := map[time.Duration]uint64{}
	var qsum time.Duration
	for i, s := range intervals {
		checkConsistent(t, s.Query)
		if s.Elapsed < 0 {
			t.Fatalf("interval %d: Elapsed %v", i, s.Elapsed)
		}
		count += s.Query.Count
		qsum += s.Query.Sum
		for _, b := range s.Query.Buckets {
			buckets[b.Low] += b.Count
			bucketSum += b.Count
		}
		sum = sum.Add(s)
	}
	if sum.Ingested != want.ingested || sum.Batches != want.batches ||
		sum.Rejected != want.rejected || sum.Errors != want.errors {
		t.Fatalf("intervals add up to ingested/batches/rejected/errors %d/%d/%d/%d, recorded %d/%d/%d/%d",
			sum.Ingested, sum.Batches, sum.Rejected, sum.Errors,
			want.ingested, want.batches, want.rejected, want.errors)
	}
	wq := wantLatency(want.queries)
	if count != wq.Count || qsum != wq.Sum || bucketSum != wq.Count {
		t.Fatalf("intervals add up to %d queries (%d in buckets) summing %v, recorded %d summing %v",
			count, bucketSum, qsum, wq.Count, wq.Sum)
	}
	for _, b := range wq.Buckets {
		if buckets[b.Low] != b.Count {
			t.Fatalf("bucket %v: intervals add up to %d, recorded %d", b.Low, buckets[b.Low], b.Count)
		}
	}
	// Add does the same sum, and Total agrees with it (Elapsed aside).
	if diff := cmp.Diff(wq, sum.Query); diff != "" {
		t.Fatalf("Σ intervals (-recorded +Σ):\n%s", diff)
	}
	tot := m.Total()
	tot.Elapsed = sum.Elapsed
	if diff := cmp.Diff(sum, tot); diff != "" {
		t.Fatalf("Total (-Σ intervals +Total):\n%s", diff)
	}
}

// TestLatencyManyGoroutines has more writers than stripes, so goroutines
// share stripes and take the random-stripe path, with Reset running.
func TestLatencyManyGoroutines(t *testing.T) {
	var l Latency
	const goroutines, per = 64, 500
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var parts []LatencySnapshot
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				parts = append(parts, l.Reset())
			}
		}
	}()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				l.Record(time.Duration(g*per + i))
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	parts = append(parts, l.Reset())
	var total LatencySnapshot
	for _, p := range parts {
		checkConsistent(t, p)
		total = total.Add(p)
	}
	var all []time.Duration
	for i := range goroutines * per {
		all = append(all, time.Duration(i))
	}
	if diff := cmp.Diff(wantLatency(all), total); diff != "" {
		t.Fatalf("Σ intervals (-recorded +got):\n%s", diff)
	}
	if !slices.IsSortedFunc(total.Buckets, func(a, b Bucket) int { return int(a.Low - b.Low) }) {
		t.Fatal("buckets not sorted")
	}
}

// tb is what the checks need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkStripePadded fails unless a stripe of size bytes, whose written
// words span [first, last), keeps them at least pad.Size away from any
// other stripe's, and unless, where pad.Size is 128, its size is docSize,
// the one the package doc's memory figures are computed from.
func checkStripePadded(t *testing.T, name string, first, last, size, docSize uintptr) {
	t.Helper()
	if first < pad.Size || size-last < pad.Size {
		t.Fatalf("%s words span [%d, %d) of %d bytes: want pad.Size = %d on both sides",
			name, first, last, size, pad.Size)
	}
	if pad.Size == 128 && size != docSize {
		t.Fatalf("%s is %d bytes; update the package doc's memory figures", name, size)
	}
}

// TestLatencyStripeLayout: the words a latency stripe's writers touch are
// at least pad.Size away from any other stripe's, and the sizes the
// package doc states are the real ones.
func TestLatencyStripeLayout(t *testing.T) {
	var s latencyStripe
	checkStripePadded(t, "latencyStripe", unsafe.Offsetof(s.ph),
		unsafe.Offsetof(s.buckets)+unsafe.Sizeof(s.buckets), unsafe.Sizeof(s), 19784)
	if maxStripeBits != 5 {
		t.Fatalf("maxStripeBits = %d; update the package doc's memory figures", maxStripeBits)
	}
}

// checkLatency checks a LatencySnapshot against the durations it must hold.
func checkLatency(t tb, what string, s LatencySnapshot, ds []time.Duration) {
	t.Helper()
	if diff := cmp.Diff(wantLatency(ds), s); diff != "" {
		t.Fatalf("%s (-model +got):\n%s", what, diff)
	}
	checkConsistent(t, s)
	checkQuantiles(t, s, ds, edgeQuantiles)
}
