package benchfile

import (
	"strings"
	"testing"

	"github.com/lfkit/lfkit/internal/regime"
)

func TestParse(t *testing.T) {
	in := `goos: linux
# round 1
BenchmarkPair/elem=int/impl=lfqueue 	1000	12 ns/op	0 B/op	0 allocs/op
BenchmarkSPSC/elem=64B/impl=chan-2 	1000	100 ns/op	1.2 cpu/wall	450 rt-ns	1.9 probe-cpu/wall	0 B/op	2 allocs/op
PASS
# round 3
BenchmarkPair/elem=int/impl=lfqueue 	1000	14 ns/op	0 B/op	0 allocs/op
BenchmarkCounter/impl=atomic-int64-2 	1000	5 ns/op	2 cpu/wall	3000 rt-ns	2 probe-cpu/wall
`
	got, err := Parse(strings.NewReader(in), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d samples, want 4", len(got))
	}
	want := []struct {
		name   string
		round  int
		ns     float64
		allocs float64
		regime regime.Regime
	}{
		{"Pair/elem=int/impl=lfqueue", 1, 12, 0, regime.Uncontended},
		{"SPSC/elem=64B/impl=chan-2", 1, 100, 2, regime.Far},
		{"Pair/elem=int/impl=lfqueue", 3, 14, 0, regime.Uncontended},
		{"Counter/impl=atomic-int64-2", 3, 5, 0, regime.Turns},
	}
	for i, w := range want {
		s := got[i]
		if s.Name() != w.name || s.Round != w.round || s.NsOp != w.ns || s.Allocs != w.allocs || s.Regime != w.regime {
			t.Errorf("sample %d = %s round %d %v ns %v allocs %s, want %+v", i, s.Name(), s.Round, s.NsOp, s.Allocs, s.Regime, w)
		}
	}
	if got[1].Metrics["cpu/wall"] != 1.2 || got[1].Elem != "64B" || got[1].Procs != 2 || got[1].Family != "SPSC" {
		t.Errorf("sample 1: %+v", got[1])
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"BenchmarkPair/impl=a 10 1 ns/op\n", // before any round
		"# round 1\nBenchmarkPair/elem=int 10 1 ns/op\n",                                // no impl
		"# round 1\nBenchmarkPair/oops/impl=a 10 1 ns/op\n",                             // unknown part
		"# round 1\nBenchmarkPair/impl=a 10 x ns/op\n",                                  // bad number
		"# round 1\nBenchmarkPair/impl=a 10 1 B/op\n",                                   // no ns/op
		"# round 1\nBenchmarkPair/impl=a 10 1 ns/op\nBenchmarkPair/impl=a 10 1 ns/op\n", // twice in a round
		"# round 2\n# round 1\n",                                                        // rounds go backwards
	} {
		if _, err := Parse(strings.NewReader(in), 2); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}
