package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tiny sweep at 1 and 2 cores, two rounds.
const sweep = `# round 1
BenchmarkScaleHandoff/impl=lfqueue 	1000	50 ns/op	0.9 cpu/wall	300 rt-ns	0.9 probe-cpu/wall
BenchmarkScaleHandoff/impl=lfqueue-2 	1000	40 ns/op	1.9 cpu/wall	120 rt-ns	1.9 probe-cpu/wall
BenchmarkScaleHandoff/impl=chan 	1000	100 ns/op	0.9 cpu/wall	300 rt-ns	0.9 probe-cpu/wall
BenchmarkScaleHandoff/impl=chan-2 	1000	80 ns/op	1.5 cpu/wall	120 rt-ns	1.9 probe-cpu/wall
BenchmarkCounter/impl=atomicx-counter 	1000	5 ns/op	1 cpu/wall	300 rt-ns	1 probe-cpu/wall
BenchmarkCounter/impl=atomicx-counter-2 	1000	2.5 ns/op	2 cpu/wall	500 rt-ns	1.9 probe-cpu/wall
# round 2
BenchmarkScaleHandoff/impl=lfqueue 	1000	25 ns/op	0.9 cpu/wall	300 rt-ns	0.9 probe-cpu/wall
BenchmarkScaleHandoff/impl=lfqueue-2 	1000	40 ns/op	1.9 cpu/wall	120 rt-ns	1.9 probe-cpu/wall
BenchmarkPair/elem=int/impl=lfqueue 	1000	12 ns/op
`

func TestCharts(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(strings.NewReader(sweep), &out, dir, "test machine", 2); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"scaling-handoff.svg", "scaling-counter.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 || !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("%s: %d bytes, not an SVG chart:\n%.300s", f, len(b), b)
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "scaling-handoff.svg"))
	for _, want := range []string{"lfqueue", "chan", "GOMAXPROCS"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("handoff chart lacks %q", want)
		}
	}
	for _, want := range []string{
		"| impl | 1 cores | 2 cores |",
		// lfqueue at 1 core: 1e3/50 = 20 and 1e3/25 = 40 Mitems/s.
		"| lfqueue | 30.0 (20.0–40.0) | 25.0 (25.0–25.0) |",
		"| chan | 10.0 (10.0–10.0) | 12.5 (12.5–12.5) |",
		"| atomicx-counter | 200.0 (200.0–200.0) | 400.0 (400.0–400.0) |",
		"Samples by regime — 1 cores: 3 1p; 2 cores: 3 near.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestNoSweep(t *testing.T) {
	in := "# round 1\nBenchmarkPair/elem=int/impl=lfqueue 1000 12 ns/op\n"
	if err := run(strings.NewReader(in), &bytes.Buffer{}, t.TempDir(), "", 2); err == nil {
		t.Error("no error for an input without sweep results")
	}
}
