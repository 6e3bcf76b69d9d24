package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/lfkit/lfkit/internal/peerbench
cpu: AMD EPYC
,out.txt,
,sec/op,CI
Pair/elem=int/impl=lfqueue,1.2e-08,2%
Pair/elem=int/impl=lfqueue-2,1.3e-08,3%
Pair/elem=int/impl=xsync-mpmc,2e-08,1%
Pair/elem=int/impl=xsync-mpmc-2,2.6e-08,1%
Pair/elem=int/impl=chan,3.1e-08,0%
Pair/elem=int/impl=chan-2,3.2e-08,0%
Pair/elem=int/impl=xsync-spsc,1e-08,1%
Pair/elem=64B/impl=lfqueue,1.5e-08,2%
Pair/elem=64B/impl=chan,3e-08,2%
Burst/elem=int/impl=lfqueue,2e-08,1%
Burst/elem=int/impl=chan,3e-08,1%
Burst/elem=int/impl=lfqueue-batch,6e-09,1%
Burst/elem=int/impl=mutexring-batch,5e-09,1%
Counter/impl=atomicx-counter,4e-09,∞
Counter/impl=atomic-int64,5e-09,∞
geomean,1.4e-08,
,out.txt,
,B/op,CI
Pair/elem=int/impl=lfqueue,0,0%
,out.txt,
,allocs/op,CI
Pair/elem=int/impl=lfqueue,0,0%
Pair/elem=int/impl=chan-2,1,0%
`

func TestTable(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := write(&b, res, "AMD EPYC, 2 cores, go1.26.8", "run.sh"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Measured on AMD EPYC, 2 cores, go1.26.8. Regenerate with `run.sh`",
		"| elem | -cpu | lfqueue | xsync-mpmc | chan | xsync-spsc |",
		"| int | 1 | 12.0 ±2% (0.60×) | **20.0 ±1%** | 31.0 ±0% | 10.0 ±1% |",
		"| int | 2 | 13.0 ±3% (0.50×) | **26.0 ±1%** | 32.0 ±0% | – |",
		"| 64B | 1 | 15.0 ±2% (0.50×) | – | **30.0 ±2%** | – |",
		"| -cpu | atomicx-counter | atomic-int64 |",
		"| 1 | 4.00 ±∞ (0.80×) | **5.00 ±∞** |",
		"| int | 1 | 20.0 ±1% (0.67×) | **30.0 ±1%** | 6.00 ±1% (1.20×) | **5.00 ±1%** |",
		"allocs/op above 0 (medians): Pair/elem=int/impl=chan-2 1.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "| int | 1 |") > strings.Index(out, "| 64B | 1 |") {
		t.Errorf("int rows should come before 64B rows:\n%s", out)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"",
		",x,\n,sec/op,CI\nPair/elem=int,1e-9,1%\n",     // no impl
		",x,\n,sec/op,CI\nPair/oops/impl=a,1e-9,1%\n",  // unknown part
		",x,\n,sec/op,CI\nPair/impl=a,notanumber,1%\n", // bad number
	} {
		if _, err := parse(strings.NewReader(in)); err == nil {
			t.Errorf("parse(%q): no error", in)
		}
	}
}
