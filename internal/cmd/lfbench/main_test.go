package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
	rep, stderr := runJSON(t, "-duration=50ms", "-rounds=2", "-capacity=7", "-producers=3", "-consumers=2")
	if !rep.OK {
		t.Fatalf("report not OK: %+v", rep)
	}
	if rep.Config.Capacity != 7 || rep.Config.Rounds != 2 || rep.Config.Duration != "50ms" {
		t.Errorf("config = %+v", rep.Config)
	}
	if len(rep.Results) != len(impls) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(impls))
	}
	for i, r := range rep.Results {
		if r.Impl != impls[i].name {
			t.Errorf("result %d is %q, want %q", i, r.Impl, impls[i].name)
		}
		if !r.OK || len(r.Problems) != 0 {
			t.Errorf("%s: problems %q", r.Impl, r.Problems)
		}
		if r.Pushed == 0 || r.Pushed != r.Popped {
			t.Errorf("%s: pushed %d, popped %d", r.Impl, r.Pushed, r.Popped)
		}
		if len(r.Rounds) != 2 {
			t.Errorf("%s: %d rounds, want 2", r.Impl, len(r.Rounds))
		}
		if r.ItemsPerSec <= 0 {
			t.Errorf("%s: items/s = %v", r.Impl, r.ItemsPerSec)
		}
		if !(r.HandoffP50 <= r.HandoffP99 && r.HandoffP99 <= r.HandoffMax && r.HandoffMax > 0) {
			t.Errorf("%s: handoff p50 %d, p99 %d, max %d", r.Impl, r.HandoffP50, r.HandoffP99, r.HandoffMax)
		}
		if r.RatioToChannel == nil {
			t.Errorf("%s: no ratio to channel", r.Impl)
		} else if r.Impl == "chan" && *r.RatioToChannel != 1 {
			t.Errorf("chan: ratio to itself = %v", *r.RatioToChannel)
		}
	}
	// stderr is not a terminal here: plain progress lines, one per run at least.
	if n := strings.Count(stderr, ": done, "); n != 2*len(impls) {
		t.Errorf("stderr has %d end-of-run lines, want %d:\n%s", n, 2*len(impls), stderr)
	}
	if strings.Contains(stderr, "\r") {
		t.Errorf("stderr is not a terminal but got a carriage return:\n%q", stderr)
	}
}

func TestRunItemsExact(t *testing.T) {
	// A capacity of 1 under 3 producers forces backpressure.
	rep, _ := runJSON(t, "-items=5000", "-rounds=3", "-capacity=1", "-producers=3", "-consumers=3",
		"-impl=lfqueue-block,lfqueue-try,mutex-ring", "-compact", "-progress=false")
	if !rep.OK || len(rep.Results) != 3 {
		t.Fatalf("report: %+v", rep)
	}
	for _, r := range rep.Results {
		if r.Pushed != 15000 || r.Popped != 15000 {
			t.Errorf("%s: pushed %d, popped %d, want 15000 each", r.Impl, r.Pushed, r.Popped)
		}
		if r.RatioToChannel != nil {
			t.Errorf("%s: ratio to channel without a channel run", r.Impl)
		}
	}
	if rep.Results[0].Impl != "lfqueue-block" {
		t.Errorf("first result %q, want the -impl order", rep.Results[0].Impl)
	}
}

func TestRunTable(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-items=2000", "-rounds=1", "-progress=false"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errb.String())
	}
	for _, want := range []string{"items/s", "p99", "backpressure", "allocs/item", "x chan", "lfqueue-try", "mutex-ring"} {
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
		{[]string{"-items=10", "-duration=1s"}, "not both"},
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
	n int
}

func (l *lossy) push(e Event) bool {
	l.n++ // one producer only
	if l.n%100 == 0 {
		return false
	}
	return l.transport.push(e)
}

func TestSelfCheckFails(t *testing.T) {
	saved := impls
	t.Cleanup(func() { impls = saved })
	impls = append(impls[:len(impls):len(impls)], impl{"lossy", "drops events", func(c int, compact bool) transport {
		return &lossy{transport: newChan(c, compact)}
	}})
	var out, errb bytes.Buffer
	code := run([]string{"-json", "-impl=chan,lossy", "-items=1000", "-rounds=1", "-producers=1", "-progress=false"}, &out, &errb)
	if code != exitCheck {
		t.Fatalf("exit %d, want %d", code, exitCheck)
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.Results[1].OK || !rep.Results[0].OK {
		t.Errorf("ok flags: report %v, chan %v, lossy %v", rep.OK, rep.Results[0].OK, rep.Results[1].OK)
	}
	if !strings.Contains(errb.String(), "self-check failed: lossy: round 1: pushed 1000, popped 990") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
