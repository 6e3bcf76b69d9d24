package fuzz

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lfkit/lfkit/lfmetrics"
)

// maxMetricsOps bounds the operations of one FuzzMetrics input.
const maxMetricsOps = 600

// FuzzMetrics decodes the input into a sequence of lfmetrics operations —
// durations (negative, zero, tiny, around MaxTrackable, huge, math.MaxInt64,
// raw), RecordIngest, RecordIngestBatch (negative n included), RecordError,
// clock steps, Snapshot, Reset, Total, Sub and the query accessors — on a
// Metrics with a fake clock, and checks every reported interval against a
// plain model that keeps each recorded duration:
//
//   - Count, Sum (saturating at math.MaxInt64), Min and Max exact; negative
//     durations count as 0; Elapsed and the rates exact;
//   - the buckets: ascending, disjoint, counts adding up to Count, each
//     holding exactly the recorded values in [Low, High], each at most
//     RelativeError·Low wide below the top bucket;
//   - Quantile(q) for edge and fuzzed q: Min at q ≤ 0, Max at q ≥ 1, 0 for
//     NaN, otherwise within [Min, Max] and within RelativeError/2 of the
//     exact value of rank ⌈q·Count⌉ (exact below 64 ns), as the doc states;
//   - Reset loses nothing: the intervals Reset returned plus the current one
//     add up to Total; Snapshot.Sub of two snapshots of one interval is the
//     model's difference.
//
// Layout: one op byte per operation, followed by its operand bytes.
func FuzzMetrics(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 7, 5, 9, 6, 10})
	f.Add([]byte{0, 4, 0, 4, 1, 5, 2, 6, 8, 0, 5, 9, 9, 11, 3, 12})
	f.Add([]byte{0, 0, 0, 5, 0, 6, 0, 7, 4, 200, 10, 3, 250, 9, 11})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &input{b: data}
		runMetrics(t, r)
	})
}

// fuzzDuration draws a duration from the edges or raw bytes.
func fuzzDuration(r *input) time.Duration {
	switch r.intn(12) {
	case 0:
		return 0
	case 1:
		return -time.Duration(1 + r.intn(100))
	case 2:
		return math.MinInt64
	case 3:
		return math.MaxInt64
	case 4:
		return lfmetrics.MaxTrackable + time.Duration(r.intn(5)) - 2
	case 5:
		return time.Duration(r.intn(128)) // the exact one-value buckets
	case 6:
		return time.Duration(r.byte())<<8 | time.Duration(r.byte())
	case 7:
		return time.Duration(r.uint64() >> (r.intn(64))) // any magnitude
	case 8:
		return time.Hour + time.Duration(r.intn(256))*time.Minute
	}
	return time.Duration(r.uint64() % uint64(10*time.Second))
}

// latModel is one interval of recorded durations, as recorded (after the
// negative-to-zero rule).
type latModel []int64

func (m latModel) add(d time.Duration) latModel { return append(m, max(int64(d), 0)) }

// summary returns the exact Count, Sum (saturated), Min and Max.
func (m latModel) summary() (count uint64, sum, mn, mx time.Duration) {
	if len(m) == 0 {
		return 0, 0, 0, 0
	}
	var lo, hi uint64
	mn, mx = math.MaxInt64, 0
	for _, v := range m {
		var c uint64
		lo, c = bits.Add64(lo, uint64(v), 0)
		hi += c
		mn, mx = min(mn, time.Duration(v)), max(mx, time.Duration(v))
	}
	sum = time.Duration(lo)
	if hi != 0 || lo > math.MaxInt64 {
		sum = math.MaxInt64
	}
	return uint64(len(m)), sum, mn, mx
}

// checkLatency returns what is wrong with s as the snapshot of m.
func checkLatency(m latModel, s lfmetrics.LatencySnapshot, qs []float64) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	count, sum, mn, mx := m.summary()
	type summary struct {
		Count         uint64
		Sum, Min, Max time.Duration
	}
	if d := cmp.Diff(summary{count, sum, mn, mx}, summary{s.Count, s.Sum, s.Min, s.Max}); d != "" {
		bad("summary (-model +snapshot):\n%s", d)
	}
	// Buckets.
	var total uint64
	prevHigh := time.Duration(-1)
	for i, b := range s.Buckets {
		total += b.Count
		if b.Count == 0 || b.Low > b.High || b.Low <= prevHigh {
			bad("bucket %d %+v: empty, inverted or overlapping (previous High %d)", i, b, prevHigh)
		}
		prevHigh = b.High
		if b.High != math.MaxInt64 && float64(b.High-b.Low) > lfmetrics.RelativeError*float64(b.Low) && b.Low >= 64 {
			bad("bucket %d [%d, %d] wider than RelativeError·Low", i, b.Low, b.High)
		}
		if b.Low < 64 && b.High != b.Low {
			bad("bucket %d [%d, %d] below 64 ns holds more than one value", i, b.Low, b.High)
		}
		var in uint64
		for _, v := range m {
			if time.Duration(v) >= b.Low && time.Duration(v) <= b.High {
				in++
			}
		}
		if in != b.Count {
			bad("bucket %d [%d, %d] counts %d, model has %d values in it", i, b.Low, b.High, b.Count, in)
		}
	}
	if total != s.Count {
		bad("buckets add up to %d, Count is %d", total, s.Count)
	}
	if count > 0 && (s.Mean() < s.Min || s.Mean() > s.Max) {
		bad("Mean %d outside [Min %d, Max %d]", s.Mean(), s.Min, s.Max)
	}
	// Quantiles.
	sorted := slices.Clone(m)
	slices.Sort(sorted)
	for _, q := range qs {
		got := s.Quantile(q)
		var want int64
		switch {
		case count == 0 || math.IsNaN(q):
			want = 0
		case q <= 0:
			want = int64(mn)
		case q >= 1:
			want = int64(mx)
		default:
			rank := uint64(math.Ceil(q * float64(count)))
			rank = min(max(rank, 1), count)
			want = sorted[rank-1]
			if got < mn || got > mx {
				bad("Quantile(%v) = %d outside [Min %d, Max %d]", q, got, mn, mx)
			}
			switch {
			case want < 64:
			case want > int64(lfmetrics.MaxTrackable):
				continue // the top bucket: only the [Min, Max] bound holds
			default:
				if diff := math.Abs(float64(int64(got) - want)); diff > float64(want)*lfmetrics.RelativeError/2 {
					bad("Quantile(%v) = %d, exact value of rank %d is %d: off by %.4g%%, more than RelativeError/2",
						q, got, rank, want, 100*diff/float64(want))
				}
				continue
			}
		}
		if int64(got) != want {
			bad("Quantile(%v) = %d, want exactly %d", q, got, want)
		}
	}
	return errs
}

// metricsModel is one interval of a Metrics.
type metricsModel struct {
	ingested, batches, errors uint64
	query                     latModel
	start                     time.Time
}

func runMetrics(t *testing.T, r *input) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	m := lfmetrics.New(lfmetrics.WithClock(clock))
	var lat lfmetrics.Latency // the Latency alone, fed the same durations
	created := now
	cur := metricsModel{start: now}
	var closed []lfmetrics.Snapshot // what Reset returned
	var all metricsModel            // every interval together
	var latAll, latCur latModel
	var prev *lfmetrics.Snapshot // an earlier Snapshot of the current interval
	var prevModel metricsModel
	var trace []string
	fail := func(what string, errs []string) {
		t.Helper()
		if len(errs) > 0 {
			t.Fatalf("after %v:\n%s: %s", trace, what, strings.Join(errs, "\n"))
		}
	}
	qs := []float64{math.NaN(), -1, 0, 0.5, 0.9, 0.99, 0.999, 1, 2}
	checkSnapshot := func(what string, mm metricsModel, s lfmetrics.Snapshot, elapsed time.Duration) {
		t.Helper()
		type counts struct {
			Ingested, Batches, Errors uint64
			Elapsed                   time.Duration
		}
		if d := cmp.Diff(counts{mm.ingested, mm.batches, mm.errors, elapsed},
			counts{s.Ingested, s.Batches, s.Errors, s.Elapsed}); d != "" {
			fail(what, []string{"(-model +got):\n" + d})
		}
		if elapsed > 0 {
			if want := float64(mm.ingested) / elapsed.Seconds(); s.Throughput() != want {
				fail(what, []string{fmt.Sprintf("Throughput %v, want %v", s.Throughput(), want)})
			}
		}
		fail(what+".Query", checkLatency(mm.query, s.Query, qs))
	}
	for i := 0; r.more() && i < maxMetricsOps; i++ {
		switch op := r.intn(13); op {
		case 0, 1, 2:
			d := fuzzDuration(r)
			trace = append(trace, fmt.Sprintf("RecordQuery(%d)", d))
			m.RecordQuery(d)
			lat.Record(d)
			cur.query = cur.query.add(d)
			all.query = all.query.add(d)
			latCur, latAll = latCur.add(d), latAll.add(d)
		case 3:
			trace = append(trace, "RecordIngest")
			m.RecordIngest()
			cur.ingested++
			all.ingested++
		case 4:
			n := int(int8(r.byte()))
			if r.byte()&7 == 0 {
				n = int(int64(r.uint64()) >> 1) // huge, either sign
			}
			trace = append(trace, fmt.Sprintf("RecordIngestBatch(%d)", n))
			m.RecordIngestBatch(n)
			if n < 0 {
				cur.errors++
				all.errors++
			} else {
				cur.ingested += uint64(n)
				all.ingested += uint64(n)
				cur.batches++
				all.batches++
			}
		case 5:
			trace = append(trace, "RecordError")
			m.RecordError()
			cur.errors++
			all.errors++
		case 6:
			step := time.Duration(r.byte()) * time.Millisecond
			trace = append(trace, fmt.Sprintf("clock+%v", step))
			now = now.Add(step)
		case 7:
			trace = append(trace, "Snapshot")
			s := m.Snapshot()
			checkSnapshot("Snapshot", cur, s, now.Sub(cur.start))
			if prev != nil {
				// Sub of two snapshots of one interval is the model's difference.
				d := s.Sub(*prev)
				diff := metricsModel{
					ingested: cur.ingested - prevModel.ingested,
					batches:  cur.batches - prevModel.batches,
					errors:   cur.errors - prevModel.errors,
				}
				type counts struct{ Ingested, Batches, Errors, QueryCount uint64 }
				if dd := cmp.Diff(counts{diff.ingested, diff.batches, diff.errors, uint64(len(cur.query) - len(prevModel.query))},
					counts{d.Ingested, d.Batches, d.Errors, d.Query.Count}); dd != "" && prevModel.ingested <= cur.ingested /* no wraparound */ {
					fail("Snapshot.Sub", []string{"(-model +got):\n" + dd})
				}
				if want := s.Elapsed - prev.Elapsed; d.Elapsed != want {
					fail("Snapshot.Sub", []string{fmt.Sprintf("Elapsed %v, want %v", d.Elapsed, want)})
				}
			}
			prev, prevModel = &s, cur
			prevModel.query = slices.Clone(cur.query)
		case 8:
			trace = append(trace, "Reset")
			s := m.Reset()
			checkSnapshot("Reset", cur, s, now.Sub(cur.start))
			closed = append(closed, s)
			cur = metricsModel{start: now}
			prev = nil
		case 9:
			trace = append(trace, "Total")
			checkSnapshot("Total", all, m.Total(), now.Sub(created))
			// Σ closed intervals + the current one = Total.
			var sum lfmetrics.Snapshot
			for _, s := range closed {
				sum = sum.Add(s)
			}
			sum = sum.Add(m.Snapshot())
			tot := m.Total()
			if d := cmp.Diff(tot, sum); d != "" {
				fail("Σ Reset intervals + Snapshot vs Total", []string{"(-Total +sum):\n" + d})
			}
		case 10:
			q := float64(r.byte()) / 255
			trace = append(trace, fmt.Sprintf("accessors(q=%v)", q))
			count, _, mn, mx := cur.query.summary()
			type acc struct {
				Avg, Min, Max time.Duration
				OK            [3]bool
			}
			avg, aok := m.AvgQueryLatency()
			gmn, nok := m.MinQueryLatency()
			gmx, xok := m.MaxQueryLatency()
			if count > 0 {
				if avg < mn || avg > mx {
					fail("AvgQueryLatency", []string{fmt.Sprintf("%v outside [%v, %v]", avg, mn, mx)})
				}
			}
			if d := cmp.Diff(acc{avg, mn, mx, [3]bool{count > 0, count > 0, count > 0}}, acc{avg, gmn, gmx, [3]bool{aok, nok, xok}}); d != "" {
				fail("query accessors", []string{"(-model +got):\n" + d})
			}
			qv, qok := m.QueryLatencyQuantile(q)
			snap := m.Snapshot().Query
			if qok != (count > 0) || qv != snap.Quantile(q) {
				fail("QueryLatencyQuantile", []string{fmt.Sprintf("(%v, %v), snapshot says %v", qv, qok, snap.Quantile(q))})
			}
			fail("Snapshot.Query at fuzzed q", checkLatency(cur.query, snap, []float64{q}))
		case 11:
			trace = append(trace, "Latency.Reset")
			fail("Latency.Reset", checkLatency(latCur, lat.Reset(), qs))
			latCur = nil
		case 12:
			trace = append(trace, "Latency.Snapshot/Total")
			fail("Latency.Snapshot", checkLatency(latCur, lat.Snapshot(), qs))
			fail("Latency.Total", checkLatency(latAll, lat.Total(), qs))
		}
	}
	checkSnapshot("final Snapshot", cur, m.Snapshot(), now.Sub(cur.start))
	checkSnapshot("final Total", all, m.Total(), now.Sub(created))
}
