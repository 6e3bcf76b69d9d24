package main

import (
	"strings"
	"testing"

	"github.com/lfkit/lfkit/internal/peerbench/benchfile"
	"github.com/lfkit/lfkit/internal/regime"
)

// sample rounds: near is rt-ns 100 with probe-cpu/wall 1.9, far rt-ns 450
// with 1.9, turns probe-cpu/wall 1.0.
const input = `goos: linux
goarch: amd64
pkg: github.com/lfkit/lfkit/internal/peerbench
cpu: AMD EPYC
# round 1
BenchmarkPair/elem=int/impl=lfqueue         	1000	12 ns/op	0 B/op	0 allocs/op
BenchmarkPair/elem=int/impl=xsync-mpmc      	1000	20 ns/op	0 B/op	0 allocs/op
BenchmarkPair/elem=int/impl=chan            	1000	31 ns/op	0 B/op	0 allocs/op
BenchmarkPair/elem=int/impl=xsync-spsc      	1000	10 ns/op	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=lfqueue-2       	1000	50 ns/op	1.9 cpu/wall	100 rt-ns	1.9 probe-cpu/wall	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=chan-2          	1000	100 ns/op	1.2 cpu/wall	450 rt-ns	1.9 probe-cpu/wall	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=mutexring-2     	1000	40 ns/op	1.1 cpu/wall	110 rt-ns	1.95 probe-cpu/wall	0 B/op	1 allocs/op
PASS
# round 2
BenchmarkPair/elem=int/impl=lfqueue         	1000	14 ns/op	0 B/op	0 allocs/op
BenchmarkPair/elem=int/impl=xsync-mpmc      	1000	20 ns/op	0 B/op	0 allocs/op
BenchmarkPair/elem=int/impl=chan            	1000	30 ns/op	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=lfqueue-2       	1000	200 ns/op	1.9 cpu/wall	480 rt-ns	1.9 probe-cpu/wall	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=chan-2          	1000	60 ns/op	1.2 cpu/wall	90 rt-ns	1.9 probe-cpu/wall	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=mutexring-2     	1000	400 ns/op	1.1 cpu/wall	470 rt-ns	1.9 probe-cpu/wall	0 B/op	1 allocs/op
# round 3
BenchmarkPair/elem=int/impl=lfqueue         	1000	13 ns/op	0 B/op	0 allocs/op
BenchmarkPair/elem=int/impl=xsync-mpmc      	1000	26 ns/op	0 B/op	0 allocs/op
BenchmarkPair/elem=int/impl=chan            	1000	30 ns/op	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=lfqueue-2       	1000	30 ns/op	1.9 cpu/wall	120 rt-ns	1.9 probe-cpu/wall	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=chan-2          	1000	70 ns/op	1.9 cpu/wall	100 rt-ns	0.9 probe-cpu/wall	0 B/op	0 allocs/op
BenchmarkSPSC/elem=int/impl=mutexring-2     	1000	45 ns/op	1.1 cpu/wall	95 rt-ns	1.9 probe-cpu/wall	0 B/op	1 allocs/op
BenchmarkCounter/impl=atomicx-counter-2     	1000	4 ns/op	2 cpu/wall	100 rt-ns	2 probe-cpu/wall	0 B/op	0 allocs/op
BenchmarkCounter/impl=atomic-int64-2        	1000	5 ns/op	2 cpu/wall	100 rt-ns	2 probe-cpu/wall	0 B/op	0 allocs/op
`

func render(t *testing.T, in string) string {
	t.Helper()
	samples, err := benchfile.Parse(strings.NewReader(in), 2)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := write(&b, samples, "AMD EPYC, 2 cores, go1.26.8", "run.sh"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestClassifiesSamples(t *testing.T) {
	samples, err := benchfile.Parse(strings.NewReader(input), 2)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]regime.Regime{}
	for _, s := range samples {
		got[s.Family+"/"+s.Impl+"/"+string(rune('0'+s.Round))] = s.Regime
	}
	for k, want := range map[string]regime.Regime{
		"Pair/lfqueue/1":   regime.Uncontended,
		"SPSC/lfqueue/1":   regime.Near,
		"SPSC/chan/1":      regime.Far,
		"SPSC/mutexring/1": regime.Near, // its own cpu/wall of 1.1 does not count: the probe's does
		"SPSC/lfqueue/2":   regime.Far,
		"SPSC/chan/3":      regime.Turns,
	} {
		if got[k] != want {
			t.Errorf("%s: regime %s, want %s", k, got[k], want)
		}
	}
}

func TestTable(t *testing.T) {
	out := render(t, input)
	for _, want := range []string{
		"Measured on AMD EPYC, 2 cores, go1.26.8, 3 interleaved rounds. Regenerate with `run.sh`",
		"Samples by regime: uncontended 10, near 7, far 3, turns 1.",
		"| elem | -cpu | regime | lfqueue | xsync-mpmc | chan | xsync-spsc |",
		// Uncontended: rounds pair with rounds: 12/20, 14/20, 13/26.
		"| int | 1 | uncontended | 13.0 (n=3) 0.60× (0.50–0.70, 3) | **20.0** (n=3) | 30.0 (n=3) | 10.0 (n=1) |",
		"| elem | -cpu | regime | lfqueue | chan | mutexring |",
		// Near: lfqueue rounds 1 and 3, mutexring rounds 1 and 3 (50/40,
		// 30/45), chan round 2 only.
		"| int | 2 | near | 40.0 (n=2) 0.96× (0.67–1.25, 2) | 60.0 (n=1) | **42.5** (n=2) |",
		// Far: lfqueue round 2, chan round 1, mutexring round 2: only
		// round 2 pairs (lfqueue 200 / mutexring 400), though chan
		// (round 1) is the row's fastest peer — so no pair with chan.
		"| int | 2 | far | 200 (n=1) (no round paired) | **100** (n=1) | 400 (n=1) |",
		"| int | 2 | turns | – | **70.0** (n=1) | – |",
		"| -cpu | regime | atomicx-counter | atomic-int64 |",
		"| 2 | near | 4.00 (n=1) 0.80× (0.80–0.80, 1) | **5.00** (n=1) |",
		"allocs/op above 0 (medians): SPSC/elem=int/impl=mutexring-2 1.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestVs: -vs divides each lfkit sample by the named peer's of the same round
// and regime only. In the input, SPSC lfqueue is near in rounds 1 and 3
// (50, 30 ns) and far in round 2; chan is far in round 1, near in round 2
// and turns in round 3 (probe share 0.9), so it never pairs with lfqueue;
// mutexring is near in rounds 1 and 3 and far in round 2.
func TestVs(t *testing.T) {
	samples, err := benchfile.Parse(strings.NewReader(input), 2)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := writeVs(&b, samples, []string{"chan", "mutexring"}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	// Round 1: lfqueue near 50 vs mutexring near 40 = 1.25; round 3: 30/45
	// = 0.67; median of two is their mean, 0.96. chan: round 1 is far,
	// round 3 turns (probe share 0.9): never paired with lfqueue's near.
	for _, want := range []string{
		"| benchmark | elem | -cpu | regime | impl | chan | mutexring |",
		"| SPSC | int | 2 | near | lfqueue | – | 0.96× (0.67–1.25, 2) |",
		"| Pair | int | 1 | uncontended | lfqueue | 0.43× (0.39–0.47, 3) | – |",
		"| SPSC | int | 2 | far | lfqueue | – | 0.50× (0.50–0.50, 1) |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if err := writeVs(&b, samples, []string{"chna"}); err == nil || !strings.Contains(err.Error(), "chna") {
		t.Errorf("a misspelt peer: err = %v, want one naming it", err)
	}
}

// loadInput has Mixed samples: round 1 both at -cpu 2 near, round 2
// lfqueue near and chan turns (probe share 1.0), so only round 1 pairs.
const loadInput = `# round 1
BenchmarkMixed/impl=lfqueue-2 	1000	5000 ns/op	10000 cpu-ns/event	2 cpu/wall	200000 events/s	300 p50-ns	6000 p99-ns	2 probe-cpu/wall	0.01 rejected/op	120 rt-ns	0 B/op	0 allocs/op
BenchmarkMixed/impl=chan-2 	1000	2500 ns/op	5000 cpu-ns/event	2 cpu/wall	400000 events/s	500 p50-ns	3000 p99-ns	2 probe-cpu/wall	0 rejected/op	120 rt-ns	0 B/op	0 allocs/op
# round 2
BenchmarkMixed/impl=lfqueue-2 	1000	5000 ns/op	10000 cpu-ns/event	2 cpu/wall	100000 events/s	300 p50-ns	6000 p99-ns	2 probe-cpu/wall	0 rejected/op	120 rt-ns	0 B/op	0 allocs/op
BenchmarkMixed/impl=chan-2 	1000	2500 ns/op	5000 cpu-ns/event	2 cpu/wall	400000 events/s	500 p50-ns	3000 p99-ns	1.0 probe-cpu/wall	0 rejected/op	120 rt-ns	0 B/op	0 allocs/op
`

// TestLoadTable: a load family gets its own table, with the lfkit rows'
// events/s and p99 divided by the channel's of the same round and regime,
// and stays out of -vs.
func TestLoadTable(t *testing.T) {
	out := render(t, loadInput)
	for _, want := range []string{
		"| -cpu | regime | impl | events/s | p50 | p99 | CPU/event | rejected | events/s vs chan | p99 vs chan |",
		// Round 1 pairs: 200000/400000 and 6000/3000; round 2 does not.
		"| 2 | near | lfqueue | 150k (n=2) | 0.30 µs | 6.00 µs | 10.0 µs | 0.5% | 0.50× (0.50–0.50, 1) | 2.00× (2.00–2.00, 1) |",
		"| 2 | near | chan | 400k (n=1) | 0.50 µs | 3.00 µs | 5.00 µs | 0.0% |  |  |",
		"| 2 | turns | chan | 400k (n=1) |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	samples, err := benchfile.Parse(strings.NewReader(loadInput), 2)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := writeVs(&b, samples, []string{"chan"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Mixed") {
		t.Errorf("-vs lists a load benchmark:\n%s", b.String())
	}
}
