package main

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

func runJSON(t *testing.T, args ...string) (report, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"-json"}, args...), &out, &errb)
	if code != exitOK {
		t.Fatalf("run(%q) = %d, want 0; stderr:\n%s", args, code, errb.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	return rep, errb.String()
}

func TestRunDurationJSON(t *testing.T) {
	rep, stderr := runJSON(t, "-duration=50ms", "-rounds=2", "-capacity=7", "-producers=3", "-consumers=2", "-rate=20000", "-service=false")
	if !rep.OK {
		t.Fatalf("report not OK: %+v", rep)
	}
	if rep.Config.Capacity != 7 || rep.Config.Rounds != 2 || rep.Config.Duration != "50ms" || rep.Config.Rate != 20000 || rep.Config.Sample != 16 || rep.Config.Layout != "compact" {
		t.Errorf("config = %+v", rep.Config)
	}
	for _, phase := range []struct {
		name    string
		results []*result
	}{{"saturation", rep.Saturation}, {"rate", rep.Rate}} {
		if len(phase.results) != len(impls) {
			t.Fatalf("%s: %d results, want %d", phase.name, len(phase.results), len(impls))
		}
		for i, r := range phase.results {
			if r.Impl != impls[i].name || r.Phase != phase.name {
				t.Errorf("%s result %d is %q in phase %q, want %q", phase.name, i, r.Impl, r.Phase, impls[i].name)
			}
			if !r.OK || len(r.Problems) != 0 {
				t.Errorf("%s %s: problems %q", phase.name, r.Impl, r.Problems)
			}
			if r.Pushed == 0 || r.Pushed != r.Popped {
				t.Errorf("%s %s: pushed %d, popped %d", phase.name, r.Impl, r.Pushed, r.Popped)
			}
			if len(r.Rounds) != 2 {
				t.Fatalf("%s %s: %d rounds, want 2", phase.name, r.Impl, len(r.Rounds))
			}
			if s := r.ItemsPerSec; !(s.Min > 0 && s.Min <= s.Median && s.Median <= s.Max) {
				t.Errorf("%s %s: items/s %+v", phase.name, r.Impl, s)
			}
			for _, rd := range r.Rounds {
				if !slices.Contains(regime.Regimes, rd.Regime) || rd.Regime == regime.Uncontended {
					t.Errorf("%s %s round %d: regime %q", phase.name, r.Impl, rd.Round, rd.Regime)
				}
				if rd.RoundTripNS <= 0 {
					t.Errorf("%s %s round %d: round trip %v", phase.name, r.Impl, rd.Round, rd.RoundTripNS)
				}
			}
		}
	}
	for _, r := range rep.Saturation {
		s := r.RatioToChannel
		if s == nil {
			t.Fatalf("%s: no ratio to channel", r.Impl)
		}
		if s.Paired+s.Unpaired != 2 {
			t.Errorf("%s: %d paired + %d unpaired rounds, want 2", r.Impl, s.Paired, s.Unpaired)
		}
		ch := rep.Saturation[slices.IndexFunc(rep.Saturation, func(r *result) bool { return r.Impl == "chan" })]
		for i, rd := range r.Rounds {
			// A ratio exactly when both runs of the round ran in one regime.
			same := rd.Regime == ch.Rounds[i].Regime
			if (rd.RatioToChannel != nil) != same {
				t.Errorf("%s round %d (%s vs chan %s): ratio %v", r.Impl, rd.Round, rd.Regime, ch.Rounds[i].Regime, rd.RatioToChannel)
			}
			if rd.RatioToChannel != nil && math.Abs(*rd.RatioToChannel-rd.ItemsPerSec/ch.Rounds[i].ItemsPerSec) > 1e-9 {
				t.Errorf("%s round %d: ratio %v, items/s %v and %v", r.Impl, rd.Round, *rd.RatioToChannel, rd.ItemsPerSec, ch.Rounds[i].ItemsPerSec)
			}
		}
		if r.Impl == "chan" && s.Paired > 0 && (s.Median != 1 || s.Min != 1 || s.Max != 1) {
			t.Errorf("chan: ratio to itself = %+v", s)
		}
	}
	for _, r := range rep.Rate {
		if r.Samples == 0 || !(r.HandoffP50 <= r.HandoffP99 && r.HandoffP99 <= r.HandoffMax && r.HandoffMax > 0) {
			t.Errorf("%s: %d samples, handoff p50 %d, p99 %d, max %d", r.Impl, r.Samples, r.HandoffP50, r.HandoffP99, r.HandoffMax)
		}
		if r.OfferedPerSec == nil || r.OfferedPerSec.Median <= 0 {
			t.Errorf("%s: offered/s %v", r.Impl, r.OfferedPerSec)
		}
	}
	if !strings.Contains(rep.Verdict, "Runs by regime: ") {
		t.Errorf("verdict %q", rep.Verdict)
	}
	// stderr is not a terminal here: plain progress lines, one per run at least.
	if n := strings.Count(stderr, ": done, "); n != 2*2*len(impls) {
		t.Errorf("stderr has %d end-of-run lines, want %d:\n%s", n, 2*2*len(impls), stderr)
	}
	if strings.Contains(stderr, "\r") {
		t.Errorf("stderr is not a terminal but got a carriage return:\n%q", stderr)
	}
}

// TestRateHeld: the rate phase offers the rate asked for, within 5%, on a
// short run (one second, a rate far below saturation).
func TestRateHeld(t *testing.T) {
	const rate = 20000
	rep, _ := runJSON(t, "-saturation=false", "-rate=20000", "-duration=1s", "-rounds=1",
		"-impl=lfqueue-block", "-producers=3", "-consumers=2", "-progress=false", "-service=false")
	if len(rep.Saturation) != 0 || len(rep.Rate) != 1 {
		t.Fatalf("report: %+v", rep)
	}
	r := rep.Rate[0]
	got := r.Rounds[0].OfferedPerSec
	if math.Abs(got-rate)/rate > 0.05 {
		t.Errorf("offered %.0f events/s, want %d ± 5%%", got, rate)
	}
	// Every 16th event of each producer is timestamped, and the first.
	perProducer := rate / 3
	if want := uint64(3 * (perProducer/16 + 1)); r.Samples < want*9/10 || r.Samples > want*11/10 {
		t.Errorf("%d timestamped events, want about %d", r.Samples, want)
	}
}

func TestRunItemsExact(t *testing.T) {
	// A capacity of 1 under 3 producers forces backpressure.
	rep, _ := runJSON(t, "-items=5000", "-rounds=3", "-capacity=1", "-producers=3", "-consumers=3",
		"-impl=lfqueue-block,lfqueue-try,mutex-ring", "-layout=remap", "-progress=false", "-rate=0", "-service=false")
	if !rep.OK || len(rep.Saturation) != 3 || len(rep.Rate) != 0 || rep.Config.Layout != "remap" {
		t.Fatalf("report: %+v", rep)
	}
	for _, r := range rep.Saturation {
		if r.Pushed != 15000 || r.Popped != 15000 {
			t.Errorf("%s: pushed %d, popped %d, want 15000 each", r.Impl, r.Pushed, r.Popped)
		}
		if r.RatioToChannel != nil {
			t.Errorf("%s: ratio to channel without a channel run", r.Impl)
		}
	}
	if rep.Saturation[0].Impl != "lfqueue-block" {
		t.Errorf("first result %q, want the -impl order", rep.Saturation[0].Impl)
	}
}

func TestRunTable(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-items=2000", "-rounds=1", "-progress=false", "-duration=50ms",
		"-service-rounds=1", "-service-duration=100ms", "-clients=2", "-workers=1"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errb.String())
	}
	for _, want := range []string{"items/s", "p99", "backpressure", "allocs/item", "x chan", "lfqueue-try", "mutex-ring",
		"Each run's regime", "offered/s", "timestamped: the 1st and every 16th event", "Runs by regime: ",
		"accepted/s", "CPU/req", "503s", "Service (2 clients, 1 workers, light work"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if errb.Len() != 0 {
		t.Errorf("stderr with -progress=false: %q", errb.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-producers=0"}, "-producers must be at least 1"},
		{[]string{"-consumers=-1"}, "-consumers must be at least 1"},
		{[]string{"-capacity=0"}, "-capacity must be at least 1"},
		{[]string{"-rounds=0"}, "-rounds must be at least 1"},
		{[]string{"-items=-5"}, "-items must not be negative"},
		{[]string{"-duration=0"}, "-duration must be positive"},
		{[]string{"-items=10", "-duration=1s", "-rate=0"}, "not both"},
		{[]string{"-rate=-1"}, "-rate must be between"},
		{[]string{"-sample=0"}, "-sample must be at least 1"},
		{[]string{"-rate=0", "-saturation=false", "-service=false"}, "nothing to run"},
		{[]string{"-service-only", "-impl=lfqueue-try"}, "nothing to run: the service phase leaves out lfqueue-try"},
		{[]string{"-service-only", "-rate=10"}, "give -service-only or -rate, not both"},
		{[]string{"-clients=0"}, "-clients must be at least 1"},
		{[]string{"-workers=0"}, "-workers must be at least 1"},
		{[]string{"-service-rounds=0"}, "-service-rounds must be at least 1"},
		{[]string{"-service-duration=0s"}, "-service-duration must be positive"},
		{[]string{"-work=heavy"}, `-work: want light, cpu or a count of multiply-adds ≥ 0, got "heavy"`},
		{[]string{"-layout=bogus"}, `-layout: unknown layout "bogus" (valid: compact, remap, padded)`},
		{[]string{"-impl=chan,nope"}, `unknown implementation "nope"`},
		{[]string{"-impl=chan,chan"}, "given twice"},
		{[]string{"-impl="}, "empty name"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
		{[]string{"-producers=x"}, "invalid value"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != exitUsage {
			t.Errorf("run(%q) = %d, want %d", tc.args, code, exitUsage)
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("run(%q) stderr lacks %q:\n%s", tc.args, tc.want, errb.String())
		}
		if out.Len() != 0 {
			t.Errorf("run(%q) wrote to stdout: %q", tc.args, out.String())
		}
	}
}

func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-h"}, &out, &errb); code != exitOK {
		t.Errorf("-h: exit %d", code)
	}
	if !strings.Contains(errb.String(), "-producers") {
		t.Errorf("-h: no usage:\n%s", errb.String())
	}
}

// lossy drops every 100th event: the self-check must catch it.
type lossy struct {
	transport
	n atomic.Int64
}

func (l *lossy) push(e Event) bool {
	if l.n.Add(1)%100 == 0 {
		return false
	}
	return l.transport.push(e)
}

// tryPush drops every 100th event, saying it took it.
func (l *lossy) tryPush(e Event) bool {
	if l.n.Add(1)%100 == 0 {
		return true
	}
	return l.transport.tryPush(e)
}

// addLossy adds the lossy implementation to impls for the test.
func addLossy(t *testing.T) {
	saved := impls
	t.Cleanup(func() { impls = saved })
	impls = append(impls[:len(impls):len(impls)], impl{name: "lossy", desc: "drops events", make: func(c int, layout string) transport {
		return &lossy{transport: newChan(c, layout)}
	}})
}

func TestSelfCheckFails(t *testing.T) {
	addLossy(t)
	var out, errb bytes.Buffer
	code := run([]string{"-json", "-impl=chan,lossy", "-items=1000", "-rounds=1", "-producers=1", "-progress=false", "-rate=0", "-service=false"}, &out, &errb)
	if code != exitCheck {
		t.Fatalf("exit %d, want %d", code, exitCheck)
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.Saturation[1].OK || !rep.Saturation[0].OK {
		t.Errorf("ok flags: report %v, chan %v, lossy %v", rep.OK, rep.Saturation[0].OK, rep.Saturation[1].OK)
	}
	if !strings.Contains(errb.String(), "self-check failed: lossy: round 1: pushed 1000, popped 990") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

// fakeRuns builds a saturation result from per-round (items/s, regime).
func fakeRuns(name string, runs ...any) *result {
	r := &result{Impl: name, Phase: "saturation"}
	for i := 0; i < len(runs); i += 2 {
		r.Rounds = append(r.Rounds, runRecord{Round: i/2 + 1, ItemsPerSec: runs[i].(float64), Regime: runs[i+1].(regime.Regime)})
	}
	return r
}

// TestPairWithChannel: a run is divided only by the channel's run of the
// same round, and only when both ran in one regime.
func TestPairWithChannel(t *testing.T) {
	ch := fakeRuns("chan", 100.0, regime.Near, 200.0, regime.Far, 100.0, regime.Turns, 50.0, regime.Near)
	lf := fakeRuns("lfqueue-block", 150.0, regime.Near, 300.0, regime.Near, 90.0, regime.Turns, 100.0, regime.Near)
	s := pairWith(lf, ch)
	lf.RatioToChannel = s
	want := []*float64{ptr(1.5), nil, ptr(0.9), ptr(2.0)}
	for i, rd := range lf.Rounds {
		switch {
		case (rd.RatioToChannel == nil) != (want[i] == nil):
			t.Errorf("round %d: ratio %v, want %v", rd.Round, rd.RatioToChannel, want[i])
		case rd.RatioToChannel != nil && math.Abs(*rd.RatioToChannel-*want[i]) > 1e-12:
			t.Errorf("round %d: ratio %v, want %v", rd.Round, *rd.RatioToChannel, *want[i])
		}
	}
	if s.Paired != 3 || s.Unpaired != 1 || s.Above != 2 || s.Median != 1.5 || s.Min != 0.9 || s.Max != 2.0 {
		t.Errorf("summary %+v", *s)
	}
	cfg := &config{rounds: 4, rate: 0}
	v := verdict([]*result{lf, ch}, nil, cfg)
	if !strings.Contains(v, "lfqueue-block moved 1.50× (0.90–2.00×) the channel's items/s, more in 2 and less in 1 of the 3 rounds where both ran in the same regime: no clear difference") {
		t.Errorf("verdict %q", v)
	}
	if !strings.Contains(v, "Runs by regime: 5 near, 1 far, 2 turns.") {
		t.Errorf("verdict %q", v)
	}
	lf2 := fakeRuns("lfqueue-try", 150.0, regime.Near, 300.0, regime.Far, 190.0, regime.Turns, 100.0, regime.Near)
	lf2.RatioToChannel = pairWith(lf2, ch)
	if v := verdict([]*result{lf2, ch}, nil, cfg); !strings.Contains(v, "lfqueue-try moved 1.70× (1.50–2.00×) the channel's items/s, more in all 4 rounds.") {
		t.Errorf("verdict %q", v)
	}
}

func ptr(x float64) *float64 { return &x }

// TestDefaultsQuick: the default run (the README's first screen) runs all
// three phases, within 20 s of measured saturation and rate runs and 6 s
// of service runs.
func TestDefaultsQuick(t *testing.T) {
	cfg, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	phases := 0
	if cfg.saturation {
		phases++
	}
	if cfg.rate > 0 {
		phases++
	}
	if d := time.Duration(cfg.rounds*len(cfg.impls)*phases) * cfg.duration; d > 20*time.Second || phases != 2 {
		t.Errorf("defaults: %d rounds × %d impls × %d phases × %v = %v, want both phases within 20s", cfg.rounds, len(cfg.impls), phases, cfg.duration, d)
	}
	sims := serviceImpls(cfg)
	if d := time.Duration(cfg.serviceRounds*len(sims)) * cfg.serviceDuration; d > 6*time.Second || len(sims) < 4 || cfg.serviceRounds < 3 {
		t.Errorf("defaults: service %d rounds × %d impls × %v = %v, want at least 3 rounds of 4 impls within 6s", cfg.serviceRounds, len(sims), cfg.serviceDuration, d)
	}
}
