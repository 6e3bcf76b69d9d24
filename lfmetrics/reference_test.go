package lfmetrics

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// referenceDir holds the reference latency distributions that the quantile
// tests of this package and of lfprom both read (see its gen.go).
const referenceDir = "../testdata/latency"

// readDurations reads a reference distribution: one duration in
// nanoseconds per line, lines starting with # are comments.
func readDurations(t *testing.T, path string) []time.Duration {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ds []time.Duration
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ds = append(ds, time.Duration(v))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatalf("%s: no durations", path)
	}
	return ds
}

// TestQuantileReferenceDistributions records each reference distribution
// and checks the snapshot exactly against the model, and every percentile
// from 0.1 to 99.9 (and the edges) against the exact quantile, within the
// documented RelativeError/2.
func TestQuantileReferenceDistributions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(referenceDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no reference distributions in %s (err %v)", referenceDir, err)
	}
	qs := append([]float64(nil), edgeQuantiles...)
	for p := 1; p < 1000; p++ {
		qs = append(qs, float64(p)/1000)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			ds := readDurations(t, file)
			var l Latency
			for _, d := range ds {
				l.Record(d)
			}
			checkLatency(t, "Snapshot", l.Snapshot(), ds)
			checkQuantiles(t, l.Snapshot(), ds, qs)
		})
	}
}
