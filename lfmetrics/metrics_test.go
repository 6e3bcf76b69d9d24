package lfmetrics

import (
	"encoding/json"
	"expvar"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// metricsModel is the plain sequential model of a Metrics.
type metricsModel struct {
	clock                     *fakeClock
	start, created            time.Time
	ingested, batches, errors uint64
	queries                   []time.Duration
	total                     Snapshot // closed intervals, Elapsed unused
	allQueries                []time.Duration
}

func (mm *metricsModel) snapshot() Snapshot {
	return Snapshot{
		Ingested: mm.ingested, Batches: mm.batches, Errors: mm.errors,
		Query:   wantLatency(mm.queries),
		Elapsed: mm.clock.t.Sub(mm.start),
	}
}

// TestMetricsStateMachine checks every Metrics operation against the model,
// in random sequences, with a clock the test moves.
func TestMetricsStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		var m *Metrics
		if rapid.Bool().Draw(t, "zero value") {
			// The zero value starts its clock at first use; give it ours.
			m = &Metrics{now: clock.now}
		} else {
			m = New(WithClock(clock.now))
		}
		mm := &metricsModel{clock: clock, start: clock.t, created: clock.t}
		m.state()
		query := rapid.OneOf(durationGen(),
			rapid.Map(rapid.Int64Range(math.MinInt64, 0), func(v int64) time.Duration { return time.Duration(v) }),
			rapid.Just(time.Duration(math.MaxInt64)))
		t.Repeat(map[string]func(*rapid.T){
			"RecordIngest": func(t *rapid.T) {
				m.RecordIngest()
				mm.ingested++
			},
			"RecordIngestBatch": func(t *rapid.T) {
				n := rapid.IntRange(-3, 1000).Draw(t, "n")
				m.RecordIngestBatch(n)
				if n < 0 {
					mm.errors++
				} else {
					mm.ingested += uint64(n)
					mm.batches++
				}
			},
			"RecordError": func(t *rapid.T) {
				m.RecordError()
				mm.errors++
			},
			"RecordQuery": func(t *rapid.T) {
				d := query.Draw(t, "d")
				m.RecordQuery(d)
				mm.queries = append(mm.queries, max(d, 0))
				mm.allQueries = append(mm.allQueries, max(d, 0))
			},
			"Tick": func(t *rapid.T) {
				clock.t = clock.t.Add(time.Duration(rapid.Int64Range(0, int64(time.Hour)).Draw(t, "dt")))
			},
			"Snapshot": func(t *rapid.T) {
				if diff := cmp.Diff(mm.snapshot(), m.Snapshot()); diff != "" {
					t.Fatalf("Snapshot (-model +got):\n%s", diff)
				}
			},
			"Reset": func(t *rapid.T) {
				want := mm.snapshot()
				if diff := cmp.Diff(want, m.Reset()); diff != "" {
					t.Fatalf("Reset (-model +got):\n%s", diff)
				}
				mm.total.Ingested += mm.ingested
				mm.total.Batches += mm.batches
				mm.total.Errors += mm.errors
				mm.ingested, mm.batches, mm.errors, mm.queries = 0, 0, 0, nil
				mm.start = clock.t
			},
			"Total": func(t *rapid.T) {
				want := Snapshot{
					Ingested: mm.total.Ingested + mm.ingested,
					Batches:  mm.total.Batches + mm.batches,
					Errors:   mm.total.Errors + mm.errors,
					Query:    wantLatency(mm.allQueries),
					Elapsed:  clock.t.Sub(mm.created),
				}
				if diff := cmp.Diff(want, m.Total()); diff != "" {
					t.Fatalf("Total (-model +got):\n%s", diff)
				}
			},
			"Accessors": func(t *rapid.T) {
				want := mm.snapshot()
				q := want.Query
				has := q.Count > 0
				type pair struct {
					D  time.Duration
					OK bool
				}
				p := func(d time.Duration, ok bool) pair { return pair{d, ok} }
				qq := rapid.Float64Range(0, 1).Draw(t, "q")
				for name, c := range map[string][2]pair{
					"Avg":      {p(q.Mean(), has), p(m.AvgQueryLatency())},
					"Min":      {p(q.Min, has), p(m.MinQueryLatency())},
					"Max":      {p(q.Max, has), p(m.MaxQueryLatency())},
					"Quantile": {p(q.Quantile(qq), has), p(m.QueryLatencyQuantile(qq))},
				} {
					if c[0] != c[1] {
						t.Fatalf("%sQueryLatency = %v, model %v", name, c[1], c[0])
					}
				}
				if got := m.Throughput(); got != want.Throughput() {
					t.Fatalf("Throughput = %v, model %v", got, want.Throughput())
				}
				if _, ok := m.QueryLatencyQuantile(math.NaN()); ok {
					t.Fatal("QueryLatencyQuantile(NaN) reported ok")
				}
			},
			"": func(t *rapid.T) {
				// expvar.Var: String is always valid JSON.
				if s := m.String(); !json.Valid([]byte(s)) {
					t.Fatalf("String() is not JSON: %s", s)
				}
			},
		})
	})
}

func TestSnapshotSubAndRates(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	m := New(WithClock(clock.now))
	for range 10 {
		m.RecordIngest()
	}
	m.RecordQuery(time.Millisecond)
	clock.t = clock.t.Add(time.Second)
	s1 := m.Snapshot()
	m.RecordIngestBatch(40)
	m.RecordError()
	m.RecordQuery(3 * time.Millisecond)
	clock.t = clock.t.Add(4 * time.Second)
	s2 := m.Snapshot()
	d := s2.Sub(s1)
	// The difference's Min is a bound (its bucket's low end), Max exact here.
	if lo := d.Query.Min; lo > 3*time.Millisecond || float64(lo) < float64(3*time.Millisecond)*(1-RelativeError) {
		t.Fatalf("Sub Query.Min = %v, want a bound within RelativeError below 3ms", lo)
	}
	d.Query.Min = 3 * time.Millisecond
	want := Snapshot{Ingested: 40, Batches: 1, Errors: 1, Elapsed: 4 * time.Second,
		Query: wantLatency([]time.Duration{3 * time.Millisecond})}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Fatalf("Sub (-want +got):\n%s", diff)
	}
	if d.Throughput() != 10 || d.ErrorRate() != 0.25 || d.BatchRate() != 0.25 || d.QueryRate() != 0.25 {
		t.Fatalf("rates %v %v %v %v, want 10 0.25 0.25 0.25", d.Throughput(), d.ErrorRate(), d.BatchRate(), d.QueryRate())
	}
	if s2.Throughput() != 10 || m.Throughput() != 10 {
		t.Fatalf("Throughput %v / %v, want 50 events / 5 s = 10", s2.Throughput(), m.Throughput())
	}
	// After a Reset, an earlier snapshot is not "earlier": Sub returns s.
	m.Reset()
	m.RecordIngest()
	s3 := m.Snapshot()
	if diff := cmp.Diff(s3, s3.Sub(s2)); diff != "" {
		t.Fatalf("Sub across a Reset (-want +got):\n%s", diff)
	}
	if (Snapshot{Ingested: 5}).Throughput() != 0 {
		t.Fatal("Throughput with no Elapsed must be 0")
	}
	for _, want := range []string{"ingested=50", "batches=1", "errors=1", "elapsed=5s", "throughput=10/s", "query={count=2"} {
		if !strings.Contains(s2.String(), want) {
			t.Errorf("String() = %q lacks %q", s2.String(), want)
		}
	}
}

func TestMetricsZeroValueAndExpvar(t *testing.T) {
	var m Metrics
	if _, ok := m.AvgQueryLatency(); ok {
		t.Fatal("AvgQueryLatency ok with no query")
	}
	if _, ok := m.QueryLatencyQuantile(0.5); ok {
		t.Fatal("QueryLatencyQuantile ok with no query")
	}
	m.RecordIngestBatch(-1)
	m.RecordQuery(2 * time.Millisecond)
	var v expvar.Var = &m
	var got struct {
		Ingested, Errors uint64
		Query            struct {
			Count uint64
			Max   float64 `json:"max_seconds"`
		}
	}
	if err := json.Unmarshal([]byte(v.String()), &got); err != nil {
		t.Fatalf("String() is not JSON: %v: %s", err, v.String())
	}
	if got.Ingested != 0 || got.Errors != 1 || got.Query.Count != 1 || got.Query.Max != 0.002 {
		t.Fatalf("expvar JSON %s: want ingested 0, errors 1, one query of 2ms", v.String())
	}
}
