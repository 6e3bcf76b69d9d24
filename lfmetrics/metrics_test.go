package lfmetrics

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// metricsModel is the plain sequential model of a Metrics: the recorded
// counts and durations of the current interval and of all of them.
type metricsModel struct {
	start, created                      time.Time
	ingested, batches, rejected, errors uint64
	queries                             []time.Duration
	closed                              Snapshot // Σ closed intervals, Query and Elapsed unused
	allQueries                          []time.Duration
}

// snapshot is the model's Snapshot at time now.
func (mm *metricsModel) snapshot(now time.Time) Snapshot {
	return Snapshot{
		Ingested: mm.ingested, Batches: mm.batches, Rejected: mm.rejected, Errors: mm.errors,
		Query:   wantLatency(mm.queries),
		Elapsed: now.Sub(mm.start),
	}
}

// total is the model's Total at time now.
func (mm *metricsModel) total(now time.Time) Snapshot {
	return Snapshot{
		Ingested: mm.closed.Ingested + mm.ingested,
		Batches:  mm.closed.Batches + mm.batches,
		Rejected: mm.closed.Rejected + mm.rejected,
		Errors:   mm.closed.Errors + mm.errors,
		Query:    wantLatency(mm.allQueries),
		Elapsed:  now.Sub(mm.created),
	}
}

// metricsMachine runs a Metrics (and a Latency fed the same durations)
// beside the model, and checks each reading against it. Both the rapid
// state machine and the native fuzz target FuzzMetrics drive it.
type metricsMachine struct {
	clock fakeClock
	m     *Metrics
	mm    metricsModel

	lat            Latency // alone, fed the RecordQuery durations
	latCur, latAll []time.Duration

	resets    []Snapshot // what m.Reset returned
	prev      *Snapshot  // an earlier Snapshot of the current interval
	prevModel metricsModel
}

func newMetricsMachine(zeroValue bool) *metricsMachine {
	mc := &metricsMachine{clock: fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
	if zeroValue {
		mc.m = &Metrics{now: mc.clock.now} // the zero value, with our clock
	} else {
		mc.m = New(WithClock(mc.clock.now))
	}
	mc.m.state() // the first use: the interval starts now
	mc.mm = metricsModel{start: mc.clock.t, created: mc.clock.t}
	return mc
}

func (mc *metricsMachine) recordIngest() {
	mc.m.RecordIngest()
	mc.mm.ingested++
}

func (mc *metricsMachine) recordBatch(n int) {
	mc.m.RecordIngestBatch(n)
	if n < 0 {
		mc.mm.errors++
		return
	}
	mc.mm.ingested += uint64(n)
	mc.mm.batches++
}

func (mc *metricsMachine) recordReject() {
	mc.m.RecordReject()
	mc.mm.rejected++
}

func (mc *metricsMachine) recordError() {
	mc.m.RecordError()
	mc.mm.errors++
}

func (mc *metricsMachine) recordQuery(d time.Duration) {
	mc.m.RecordQuery(d)
	mc.lat.Record(d)
	mc.mm.queries = append(mc.mm.queries, d)
	mc.mm.allQueries = append(mc.mm.allQueries, d)
	mc.latCur = append(mc.latCur, d)
	mc.latAll = append(mc.latAll, d)
}

func (mc *metricsMachine) tick(dt time.Duration) { mc.clock.t = mc.clock.t.Add(dt) }

// snapshot checks Snapshot, and Sub against the previous Snapshot of the
// same interval.
func (mc *metricsMachine) snapshot(t tb) {
	t.Helper()
	s := mc.m.Snapshot()
	if diff := cmp.Diff(mc.mm.snapshot(mc.clock.t), s); diff != "" {
		t.Fatalf("Snapshot (-model +got):\n%s", diff)
	}
	checkQuantiles(t, s.Query, mc.mm.queries, edgeQuantiles)
	if p := mc.prev; p != nil {
		type delta struct {
			Ingested, Batches, Rejected, Errors, QueryCount uint64
			Elapsed                                         time.Duration
		}
		want := delta{
			mc.mm.ingested - mc.prevModel.ingested, mc.mm.batches - mc.prevModel.batches,
			mc.mm.rejected - mc.prevModel.rejected, mc.mm.errors - mc.prevModel.errors,
			uint64(len(mc.mm.queries) - len(mc.prevModel.queries)), s.Elapsed - p.Elapsed,
		}
		if p.Ingested > s.Ingested { // the counter wrapped: Sub treats it as a reset
			want = delta{s.Ingested, s.Batches, s.Rejected, s.Errors, s.Query.Count, s.Elapsed}
		}
		d := s.Sub(*p)
		if diff := cmp.Diff(want, delta{d.Ingested, d.Batches, d.Rejected, d.Errors, d.Query.Count, d.Elapsed}); diff != "" {
			t.Fatalf("Snapshot.Sub of two snapshots of one interval (-model +got):\n%s", diff)
		}
	}
	mc.prev, mc.prevModel = &s, mc.mm
}

func (mc *metricsMachine) reset(t tb) {
	t.Helper()
	s := mc.m.Reset()
	if diff := cmp.Diff(mc.mm.snapshot(mc.clock.t), s); diff != "" {
		t.Fatalf("Reset (-model +got):\n%s", diff)
	}
	mc.resets = append(mc.resets, s)
	mc.mm.closed.Ingested += mc.mm.ingested
	mc.mm.closed.Batches += mc.mm.batches
	mc.mm.closed.Rejected += mc.mm.rejected
	mc.mm.closed.Errors += mc.mm.errors
	mc.mm.ingested, mc.mm.batches, mc.mm.rejected, mc.mm.errors, mc.mm.queries = 0, 0, 0, 0, nil
	mc.mm.start = mc.clock.t
	mc.prev = nil
}

// total checks Total, and that the intervals Reset returned plus the
// current one add up to it.
func (mc *metricsMachine) total(t tb) {
	t.Helper()
	tot := mc.m.Total()
	if diff := cmp.Diff(mc.mm.total(mc.clock.t), tot); diff != "" {
		t.Fatalf("Total (-model +got):\n%s", diff)
	}
	var sum Snapshot
	for _, s := range mc.resets {
		sum = sum.Add(s)
	}
	sum = sum.Add(mc.m.Snapshot())
	sum.Elapsed = tot.Elapsed // Σ of intervals ≠ time since the first use when Reset came late
	if diff := cmp.Diff(tot, sum); diff != "" {
		t.Fatalf("Σ Reset intervals + Snapshot (-Total +Σ):\n%s", diff)
	}
}

// accessors checks the query latency accessors and Throughput at q.
func (mc *metricsMachine) accessors(t tb, q float64) {
	t.Helper()
	want := mc.mm.snapshot(mc.clock.t)
	lat := want.Query
	has := lat.Count > 0
	type pair struct {
		D  time.Duration
		OK bool
	}
	p := func(d time.Duration, ok bool) pair { return pair{d, ok} }
	for _, c := range []struct {
		name      string
		want, got pair
	}{
		{"Avg", p(lat.Mean(), has), p(mc.m.AvgQueryLatency())},
		{"Min", p(lat.Min, has), p(mc.m.MinQueryLatency())},
		{"Max", p(lat.Max, has), p(mc.m.MaxQueryLatency())},
		{"Quantile", p(lat.Quantile(q), has && q == q), p(mc.m.QueryLatencyQuantile(q))},
		{"Snapshot.QuantileOK", p(lat.Quantile(q), has && q == q), p(mc.m.Snapshot().Query.QuantileOK(q))},
	} {
		if c.want != c.got {
			t.Fatalf("%sQueryLatency = %v, model %v", c.name, c.got, c.want)
		}
	}
	if got := mc.m.Throughput(); got != want.Throughput() {
		t.Fatalf("Throughput = %v, model %v", got, want.Throughput())
	}
	// expvar.Var: String is always valid JSON.
	if s := mc.m.String(); !json.Valid([]byte(s)) {
		t.Fatalf("String() is not JSON: %s", s)
	}
}

// latencyReset, latencySnapshot: the Latency alone.
func (mc *metricsMachine) latencyReset(t tb) {
	t.Helper()
	checkLatency(t, "Latency.Reset", mc.lat.Reset(), mc.latCur)
	mc.latCur = nil
}

func (mc *metricsMachine) latencySnapshot(t tb) {
	t.Helper()
	checkLatency(t, "Latency.Snapshot", mc.lat.Snapshot(), mc.latCur)
	checkLatency(t, "Latency.Total", mc.lat.Total(), mc.latAll)
}

// finish checks the final Snapshot and Total.
func (mc *metricsMachine) finish(t tb) {
	t.Helper()
	mc.snapshot(t)
	mc.total(t)
	mc.latencySnapshot(t)
}

// TestMetricsStateMachine checks every Metrics operation against the model,
// in random sequences, with a clock the test moves.
func TestMetricsStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mc := newMetricsMachine(rapid.Bool().Draw(t, "zero value"))
		query := rapid.OneOf(durationGen(),
			rapid.Map(rapid.Int64Range(math.MinInt64, 0), func(v int64) time.Duration { return time.Duration(v) }),
			rapid.Just(time.Duration(math.MaxInt64)))
		t.Repeat(map[string]func(*rapid.T){
			"RecordIngest": func(t *rapid.T) { mc.recordIngest() },
			"RecordIngestBatch": func(t *rapid.T) {
				mc.recordBatch(rapid.IntRange(-3, 1000).Draw(t, "n"))
			},
			"RecordReject": func(t *rapid.T) { mc.recordReject() },
			"RecordError":  func(t *rapid.T) { mc.recordError() },
			"RecordQuery":  func(t *rapid.T) { mc.recordQuery(query.Draw(t, "d")) },
			"Tick": func(t *rapid.T) {
				mc.tick(time.Duration(rapid.Int64Range(0, int64(time.Hour)).Draw(t, "dt")))
			},
			"Snapshot":        func(t *rapid.T) { mc.snapshot(t) },
			"Reset":           func(t *rapid.T) { mc.reset(t) },
			"Total":           func(t *rapid.T) { mc.total(t) },
			"Accessors":       func(t *rapid.T) { mc.accessors(t, rapid.Float64Range(-0.5, 1.5).Draw(t, "q")) },
			"AccessorsNaN":    func(t *rapid.T) { mc.accessors(t, math.NaN()) },
			"LatencyReset":    func(t *rapid.T) { mc.latencyReset(t) },
			"LatencySnapshot": func(t *rapid.T) { mc.latencySnapshot(t) },
		})
	})
}

// TestRecordNoAllocs: after the first use, no Record method allocates.
func TestRecordNoAllocs(t *testing.T) {
	var m Metrics
	var l Latency
	m.RecordIngest()
	m.RecordIngestBatch(1)
	m.RecordError()
	m.RecordReject()
	m.RecordQuery(1)
	l.Record(1)
	for name, f := range map[string]func(){
		"RecordIngest":      m.RecordIngest,
		"RecordIngestBatch": func() { m.RecordIngestBatch(16) },
		"RecordError":       m.RecordError,
		"RecordReject":      m.RecordReject,
		"RecordQuery":       func() { m.RecordQuery(3 * time.Millisecond) },
		"Latency.Record":    func() { l.Record(time.Hour) },
	} {
		if a := testing.AllocsPerRun(1000, f); a != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, a)
		}
	}
}
