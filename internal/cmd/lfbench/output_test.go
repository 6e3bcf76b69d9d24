package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

// fakeReport builds the report of saturation results whose every run
// popped something.
func fakeReport(rounds int, sat ...*result) *report {
	for _, r := range sat {
		r.Popped = 1
	}
	return newReport(&config{rounds: rounds, capacity: 8, duration: time.Second}, sat, nil, nil)
}

// TestTablesExplainRegimes: a line under the tables says what a regime is
// and why ratios are paired.
func TestTablesExplainRegimes(t *testing.T) {
	rep := fakeReport(2,
		fakeRuns("lfqueue-block", 150.0, regime.Near, 300.0, regime.Far),
		fakeRuns("chan", 100.0, regime.Near, 200.0, regime.Turns))
	var out bytes.Buffer
	rep.writeTables(&out)
	s := out.String()
	note := strings.Index(s, "Regimes (probed before each run)")
	if note < 0 || note < strings.Index(s, "Each run's regime") || note > strings.Index(s, rep.Verdict) {
		t.Fatalf("no regime note between the tables and the verdict:\n%s", s)
	}
	for _, want := range []string{"near/far", "turns", "1p, GOMAXPROCS=1", "same round", "same regime (paired)", "ratio of medians, marked unpaired"} {
		if !strings.Contains(s[note:], want) {
			t.Errorf("regime note lacks %q:\n%s", want, s[note:])
		}
	}
}

// TestUnpairedRatioOfMedians: when no round paired, the table and the
// verdict still give a ratio, of the medians, marked unpaired.
func TestUnpairedRatioOfMedians(t *testing.T) {
	rep := fakeReport(3,
		fakeRuns("lfqueue-block", 12.1e6, regime.Near, 11e6, regime.Near, 13e6, regime.Far),
		fakeRuns("chan", 4.8e6, regime.Far, 4e6, regime.Turns, 5e6, regime.Near))
	s := rep.Saturation[0].RatioToChannel
	if s.Paired != 0 || s.OfMedians == nil || *s.OfMedians != 12.1e6/4.8e6 {
		t.Fatalf("summary %+v, want no pairs and the ratio of medians %v", s, 12.1e6/4.8e6)
	}
	if want := "lfqueue-block moved 2.52× the channel's items/s, comparing medians (unpaired: in no round did both run in the same regime)"; !strings.Contains(rep.Verdict, want) {
		t.Errorf("verdict %q lacks %q", rep.Verdict, want)
	}
	var out bytes.Buffer
	rep.writeTables(&out)
	if !strings.Contains(out.String(), "2.52× unpaired") || strings.Contains(out.String(), "no ratio") {
		t.Errorf("table:\n%s", out.String())
	}
}

// TestVerdictWording: the summary reads as a person would write it.
func TestVerdictWording(t *testing.T) {
	for _, tc := range []struct {
		paired, above, rounds int
		want                  string
	}{
		{1, 1, 4, "more in the only round of 4 where both ran in the same regime"},
		{1, 0, 1, "less in the one round"},
		{2, 2, 2, "more in both rounds"},
		{4, 4, 4, "more in all 4 rounds"},
		{3, 0, 4, "less in all 3 rounds where both ran in the same regime (of 4)"},
		{2, 2, 3, "more in the 2 rounds where both ran in the same regime (of 3)"},
		{4, 3, 4, "more in 3 and less in 1 of 4 rounds: no clear difference"},
		{3, 1, 5, "more in 1 and less in 2 of the 3 rounds where both ran in the same regime: no clear difference"},
	} {
		s := &ratioSummary{spread: spread{1.5, 1.2, 1.8}, Paired: tc.paired, Unpaired: tc.rounds - tc.paired, Above: tc.above}
		ratio, how := compared(s, tc.rounds, "more", "less")
		if how != tc.want {
			t.Errorf("%d of %d paired, %d above: %q, want %q", tc.paired, tc.rounds, tc.above, how, tc.want)
		}
		if want := "1.50× (1.20–1.80×)"; tc.paired == 1 {
			if ratio != "1.50×" {
				t.Errorf("one paired round: ratio %q, want no range", ratio)
			}
		} else if ratio != want {
			t.Errorf("ratio %q, want %q", ratio, want)
		}
	}
}

// TestPollingExplained: -h and the tables say what lfqueue-try is and why
// its latency is high.
func TestPollingExplained(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-h"}, &out, &errb); code != exitOK {
		t.Fatalf("-h: exit %d", code)
	}
	var line string
	for l := range strings.SplitSeq(errb.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "lfqueue-try ") {
			line = l
		}
	}
	for _, want := range []string{"consumers poll", "sleeping up to 100µs at a time while the queue is empty", "latency includes those sleeps"} {
		if !strings.Contains(line, want) {
			t.Errorf("-h: the lfqueue-try line %q lacks %q:\n%s", line, want, errb.String())
		}
	}

	rep := &report{Rate: []*result{{Impl: "lfqueue-try", OfferedPerSec: &spread{}}, {Impl: "chan", OfferedPerSec: &spread{}}}}
	out.Reset()
	rep.writeTables(&out)
	if !strings.Contains(out.String(), "lfqueue-try*") || !strings.Contains(out.String(), "* lfqueue-try: its consumers poll, sleeping up to 100µs") ||
		!strings.Contains(out.String(), "hence its high p99") {
		t.Errorf("the table does not explain lfqueue-try:\n%s", out.String())
	}
}
