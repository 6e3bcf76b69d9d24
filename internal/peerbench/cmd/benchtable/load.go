package main

import (
	"bufio"
	"fmt"
	"math"
	"strconv"

	"github.com/lfkit/lfkit/internal/peerbench/benchfile"
	"github.com/lfkit/lfkit/internal/regime"
)

// loadFamily describes a load benchmark (Mixed, Service): a queue inside a
// busy process, whose figures are a throughput and a latency rather than
// ns per operation. Its table has a row per GOMAXPROCS, regime and
// implementation, and compares each lfkit implementation with loadPeer.
type loadFamily struct {
	desc    string
	item    string // what one accepted item is, for the column heads
	rate    string // the throughput metric, accepted items per second
	cpu     string // the CPU time per accepted item metric, in ns
	rejects string // the rejections per attempt metric
}

// loadPeer is the implementation the load tables divide by.
const loadPeer = "chan"

// loadFamilies holds the load benchmarks by family.
var loadFamilies = map[string]loadFamily{
	"Mixed": {
		desc:    "4 producers each do 3,000 multiply-adds per event, TryPush its timestamp (a full queue rejects it) and yield; 4 workers Pop; capacity 1024",
		item:    "event",
		rate:    "events/s",
		cpu:     "cpu-ns/event",
		rejects: "rejected/op",
	},
	"Service": {
		desc:    "a net/http server on loopback: 16 keep-alive clients POST a small JSON event, the handler TryPushes it or answers 503; 4 workers Pop(ctx) and do light work; capacity 1024",
		item:    "request",
		rate:    "req/s",
		cpu:     "cpu-ns/req",
		rejects: "503/op",
	},
}

// fmtRate formats a rate with three significant digits and a k or M suffix.
func fmtRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmtNs(r/1e6) + "M"
	case r >= 1e3:
		return fmtNs(r/1e3) + "k"
	}
	return fmtNs(r)
}

// fmtDur formats nanoseconds as microseconds, three significant digits.
func fmtDur(ns float64) string { return fmtNs(ns/1e3) + " µs" }

// loadRatio formats the per-round ratios of lf's metric to peer's, counted
// only when both ran in one regime and the peer's figure is positive:
// median (min–max, rounds paired), "–" when no round paired.
func loadRatio(lf, peer []regime.Point) (string, error) {
	var pos []regime.Point
	for _, p := range peer {
		if p.Value > 0 {
			pos = append(pos, p)
		}
	}
	rc, err := ratioCell(lf, pos)
	if rc == "" {
		rc = "–"
	}
	return rc, err
}

// writeLoad writes the table of load family fam.
func writeLoad(bw *bufio.Writer, fam string, lf loadFamily, samples []benchfile.Sample) error {
	type cell struct{ rate, p50, p99, cpu, rej []regime.Point }
	impls, rows, cells := group(samples, fam, func(c *cell, s benchfile.Sample) {
		pt := func(unit string) regime.Point {
			return regime.Point{Round: s.Round, Regime: s.Regime, Value: s.Metrics[unit]}
		}
		c.rate = append(c.rate, pt(lf.rate))
		c.p50 = append(c.p50, pt("p50-ns"))
		c.p99 = append(c.p99, pt("p99-ns"))
		c.cpu = append(c.cpu, pt(lf.cpu))
		c.rej = append(c.rej, pt(lf.rejects))
	})
	fmt.Fprintf(bw, "\n**%s** — %s. Each row: the medians of the implementation's samples in that regime (n = how many): accepted %s, push→pop p50 and p99, process CPU time per accepted %s, rejected %ss per attempt; lfkit rows also show their %s and their p99 divided by the %s's of the same round and regime: median (min–max, rounds paired); %s above 1× and p99 below 1× are better.\n\n",
		fam, lf.desc, lf.rate, lf.item, lf.item, lf.rate, loadPeer, lf.rate)
	fmt.Fprintf(bw, "| -cpu | regime | impl | %s | p50 | p99 | CPU/%s | rejected | %s vs %s | p99 vs %s |\n", lf.rate, lf.item, lf.rate, loadPeer, loadPeer)
	fmt.Fprintf(bw, "|%s\n", "---|---|---|---:|---:|---:|---:|---:|---|---|")
	for _, rk := range rows {
		for _, im := range impls {
			c, ok := cells[rk][im]
			if !ok {
				continue
			}
			rateVs, p99Vs := "", ""
			if peer, ok := cells[rk][loadPeer]; ok && isLFKit(im) {
				var err error
				if rateVs, err = loadRatio(c.rate, peer.rate); err != nil {
					return fmt.Errorf("%s/%s: %v", fam, im, err)
				}
				if p99Vs, err = loadRatio(c.p99, peer.p99); err != nil {
					return fmt.Errorf("%s/%s: %v", fam, im, err)
				}
			}
			fmt.Fprintf(bw, "| %d | %s | %s | %s (n=%d) | %s | %s | %s | %s%% | %s | %s |\n",
				rk.procs, rk.regime, im, fmtRate(medianOf(c.rate)), len(c.rate),
				fmtDur(medianOf(c.p50)), fmtDur(medianOf(c.p99)), fmtDur(medianOf(c.cpu)),
				strconv.FormatFloat(math.Round(medianOf(c.rej)*1000)/10, 'f', 1, 64), rateVs, p99Vs)
		}
	}
	return nil
}
