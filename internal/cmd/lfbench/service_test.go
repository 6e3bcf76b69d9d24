package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestServiceEveryImpl runs the service phase tiny for every implementation
// it takes: each run must conserve events (checked by lfbench itself, which
// sets OK) and report its figures; the table must have the columns.
func TestServiceEveryImpl(t *testing.T) {
	args := []string{"-service-only", "-service-rounds=2", "-service-duration=150ms", "-clients=3", "-workers=2",
		"-capacity=4", "-work=cpu", "-progress=false"}
	rep, _ := runJSON(t, args...)
	if !rep.OK || len(rep.Saturation) != 0 || len(rep.Rate) != 0 || rep.Verdict != "" {
		t.Fatalf("report: OK %v, %d saturation and %d rate results, verdict %q", rep.OK, len(rep.Saturation), len(rep.Rate), rep.Verdict)
	}
	var want []string
	for _, im := range impls {
		if !im.polls {
			want = append(want, im.name)
		}
	}
	var got []string
	for _, r := range rep.Service {
		got = append(got, r.Impl)
	}
	if !slices.Equal(got, want) || !slices.Contains(got, "lfqueue-block") || !slices.Contains(got, "lockfree") {
		t.Fatalf("service ran %q, want %q", got, want)
	}
	if c := rep.Config.Service; c == nil || c.Clients != 3 || c.Workers != 2 || c.Work != "cpu" || c.MultiplyAdds != 4096 || c.Rounds != 2 {
		t.Errorf("service config %+v", rep.Config.Service)
	}
	for _, r := range rep.Service {
		if !r.OK || len(r.Problems) > 0 {
			t.Errorf("%s: problems %q", r.Impl, r.Problems)
		}
		if len(r.Rounds) != 2 {
			t.Fatalf("%s: %d rounds, want 2", r.Impl, len(r.Rounds))
		}
		var accepted uint64
		for _, rd := range r.Rounds {
			accepted += rd.Accepted
			if rd.Accepted == 0 || rd.AcceptedPerSec <= 0 || rd.Seconds <= 0 {
				t.Errorf("%s round %d: %+v", r.Impl, rd.Round, rd)
			}
			if !(0 < rd.P50NS && rd.P50NS <= rd.P99NS && rd.P99NS <= rd.P999NS && rd.P999NS <= rd.MaxNS) {
				t.Errorf("%s round %d: push→pop p50 %d, p99 %d, p99.9 %d, max %d", r.Impl, rd.Round, rd.P50NS, rd.P99NS, rd.P999NS, rd.MaxNS)
			}
			if rd.CPUPerRequestNS < 0 {
				t.Errorf("%s round %d: CPU per request %v", r.Impl, rd.Round, rd.CPUPerRequestNS)
			}
		}
		if accepted != r.Accepted {
			t.Errorf("%s: accepted %d in all, %d summed over the rounds", r.Impl, r.Accepted, accepted)
		}
		if r.AcceptedToChannel == nil || r.P99ToChannel == nil || r.CPUToChannel == nil {
			t.Errorf("%s: no ratios to the channel", r.Impl)
		}
	}
	if !strings.HasPrefix(rep.ServiceVerdict, "Service (3 clients, 2 workers, cpu work, GOMAXPROCS ") ||
		!strings.Contains(rep.ServiceVerdict, "lfqueue-block accepted ") || !strings.Contains(rep.ServiceVerdict, "p99 push→pop") {
		t.Errorf("service verdict %q", rep.ServiceVerdict)
	}

	var out, errb bytes.Buffer
	if code := run(append(args, "-impl=chan,lfqueue-block", "-service-rounds=1"), &out, &errb); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errb.String())
	}
	for _, want := range []string{"accepted/s (min–max)", "req/s x chan (min–max)", "p99 x chan (min–max)", "CPU x chan (min–max)", "p50", "p99", "p99.9", "CPU/req", "503s", "paired",
		"Each service run's regime", "Service (3 clients, 2 workers, cpu work"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Saturation:") || strings.Contains(out.String(), "Handoff latency") {
		t.Errorf("-service-only ran other phases:\n%s", out.String())
	}
}

// TestServiceConservationFails: a queue that loses accepted events makes
// lfbench exit with status 1 and say what was lost.
func TestServiceConservationFails(t *testing.T) {
	addLossy(t)
	var out, errb bytes.Buffer
	code := run([]string{"-json", "-service-only", "-impl=chan,lossy", "-service-rounds=1", "-service-duration=150ms",
		"-clients=2", "-workers=1", "-progress=false"}, &out, &errb)
	if code != exitCheck {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitCheck, errb.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.OK || !rep.Service[0].OK || rep.Service[1].OK {
		t.Errorf("ok flags: report %v, chan %v, lossy %v", rep.OK, rep.Service[0].OK, rep.Service[1].OK)
	}
	if !strings.Contains(errb.String(), "lfbench: self-check failed: service lossy: round 1: conservation: ") ||
		!strings.Contains(errb.String(), " accepted events were never processed (the first: client ") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

// TestConservation: every way the processed events can differ from the
// accepted ones is named.
func TestConservation(t *testing.T) {
	id := eventID
	logs := []clientLog{{accepted: []uint32{0, 1, 2}, rejected: 1}, {accepted: []uint32{0, 5}, rejected: 2}}
	ok := [][]uint64{{id(0, 0), id(1, 5)}, {id(0, 2), id(1, 0), id(0, 1)}}
	if p := conservation(logs, ok, 5, 3); len(p) != 0 {
		t.Errorf("conserved run: problems %q", p)
	}
	for _, tc := range []struct {
		name               string
		processed          [][]uint64
		accepted, rejected uint64
		want               []string
	}{
		{"lost", [][]uint64{{id(0, 0), id(1, 5)}, {id(1, 0), id(0, 1)}}, 5, 3,
			[]string{"conservation: 1 accepted events were never processed (the first: client 0, event 2)"}},
		{"twice", [][]uint64{{id(0, 0), id(1, 5), id(1, 5)}, {id(0, 2), id(1, 0), id(0, 1), id(0, 0)}}, 5, 3,
			[]string{"conservation: 2 events were processed more than once (the first: client 0, event 0)"}},
		{"unknown", [][]uint64{{id(0, 0), id(1, 5), id(1, 4)}, {id(0, 2), id(1, 0), id(0, 1)}}, 5, 3,
			[]string{"conservation: 1 events were processed but never accepted (the first: client 1, event 4)"}},
		{"counts", ok, 6, 2,
			[]string{"handlers accepted 6 events, clients got 5 answers 202", "handlers answered 503 2 times, clients got 3"}},
	} {
		if got := conservation(logs, tc.processed, tc.accepted, tc.rejected); !slices.Equal(got, tc.want) {
			t.Errorf("%s: problems %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseWork(t *testing.T) {
	for in, want := range map[string]int{"light": 256, "cpu": 4096, "0": 0, "100": 100} {
		if got, err := parseWork(in); err != nil || got != want {
			t.Errorf("parseWork(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "heavy", "1.5"} {
		if _, err := parseWork(in); err == nil {
			t.Errorf("parseWork(%q): no error", in)
		}
	}
}
