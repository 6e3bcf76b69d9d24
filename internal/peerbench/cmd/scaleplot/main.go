// Command scaleplot draws the throughput-versus-cores charts of the scaling
// sweep that ../../scaling.sh runs, and prints their figures as a markdown
// table.
//
// Usage:
//
//	scaleplot [-out dir] [-machine line] [-ncpu n] < results/scaling.txt > results/scaling.md
//
// Input: the raw output of the sweep (`go test -bench` lines at several
// -cpu values, with a "# round N" line before each round; see
// internal/peerbench/benchfile). The families it charts:
//
//	ScaleHandoff  n producers → n consumers through one queue at
//	              GOMAXPROCS n; throughput in million items/s
//	Counter       GOMAXPROCS goroutines increment one counter;
//	              throughput in million increments/s
//
// Throughput is 1e3 / ns per op (ns/op is per item or per increment, over
// all goroutines), the median over the rounds. For each family it writes
// <dir>/scaling-<family>.svg: one line per implementation, GOMAXPROCS on
// the x axis. On a 2-CPU machine the sweep has the points 1 and 2; on a
// machine with more, every power of two up to the CPU count.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/lfkit/lfkit/internal/peerbench/benchfile"
	"github.com/lfkit/lfkit/internal/regime"
)

func main() {
	out := flag.String("out", "results", "directory the SVG charts are written to")
	machine := flag.String("machine", "", "the machine line for the chart titles and the table")
	ncpu := flag.Int("ncpu", runtime.NumCPU(), "CPUs of the machine the sweep ran on")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: scaleplot [-out dir] [-machine line] [-ncpu n] < scaling.txt > scaling.md\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 || *ncpu < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdin, os.Stdout, *out, *machine, *ncpu); err != nil {
		fmt.Fprintln(os.Stderr, "scaleplot:", err)
		os.Exit(1)
	}
}

// A family is one chart.
type family struct {
	name, file, title, unit string
}

var families = []family{
	{"ScaleHandoff", "scaling-handoff.svg", "Handoff: n producers → n consumers, one queue", "million items/s"},
	{"Counter", "scaling-counter.svg", "Counter: n goroutines increment one counter", "million increments/s"},
}

// series is one implementation's curve: throughput by GOMAXPROCS.
type series struct {
	impl   string
	procs  []int
	mops   []float64 // median over the rounds
	n      []int     // samples behind each point
	minMax [][2]float64
}

// run reads the sweep from r, writes the charts into dir and the table to w.
func run(r io.Reader, w io.Writer, dir, machine string, ncpu int) error {
	samples, err := benchfile.Parse(r, ncpu)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	charted := 0
	for _, fam := range families {
		ss, regimes := collect(samples, fam.name)
		if len(ss) == 0 {
			continue
		}
		charted++
		path := filepath.Join(dir, fam.file)
		if err := draw(path, fam, ss, machine); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		writeTable(bw, fam, ss, regimes)
	}
	if charted == 0 {
		return errors.New("no ScaleHandoff or Counter results in the input")
	}
	return bw.Flush()
}

// collect builds the curves of one family and counts its samples' regimes
// by GOMAXPROCS.
func collect(samples []benchfile.Sample, fam string) ([]*series, map[int]map[regime.Regime]int) {
	var out []*series
	byImpl := map[string]map[int][]float64{}
	regimes := map[int]map[regime.Regime]int{}
	for _, s := range samples {
		if s.Family != fam || s.NsOp <= 0 {
			continue
		}
		if byImpl[s.Impl] == nil {
			byImpl[s.Impl] = map[int][]float64{}
			out = append(out, &series{impl: s.Impl})
		}
		byImpl[s.Impl][s.Procs] = append(byImpl[s.Impl][s.Procs], 1e3/s.NsOp)
		if regimes[s.Procs] == nil {
			regimes[s.Procs] = map[regime.Regime]int{}
		}
		regimes[s.Procs][s.Regime]++
	}
	for _, se := range out {
		for p := range byImpl[se.impl] {
			se.procs = append(se.procs, p)
		}
		slices.Sort(se.procs)
		for _, p := range se.procs {
			sp := regime.SpreadOf(byImpl[se.impl][p])
			se.mops = append(se.mops, sp.Median)
			se.n = append(se.n, sp.N)
			se.minMax = append(se.minMax, [2]float64{sp.Min, sp.Max})
		}
	}
	return out, regimes
}

// draw writes one chart.
func draw(path string, fam family, ss []*series, machine string) error {
	p := plot.New()
	p.Title.Text = fam.title
	if machine != "" {
		p.Title.Text += "\n" + machine
	}
	p.X.Label.Text = "GOMAXPROCS (cores used)"
	p.Y.Label.Text = fam.unit + " (median of rounds)"
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = true
	var procs []int
	var args []any
	top := 0.0
	for _, se := range ss {
		top = max(top, slices.Max(se.mops))
		xys := make(plotter.XYs, len(se.procs))
		for i := range se.procs {
			xys[i].X = float64(se.procs[i])
			xys[i].Y = se.mops[i]
			if !slices.Contains(procs, se.procs[i]) {
				procs = append(procs, se.procs[i])
			}
		}
		args = append(args, se.impl, xys)
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return err
	}
	slices.Sort(procs)
	ticks := make([]plot.Tick, len(procs))
	for i, n := range procs {
		ticks[i] = plot.Tick{Value: float64(n), Label: fmt.Sprint(n)}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	// Headroom above the highest point for the legend (top left), about
	// 5% of the height per entry.
	p.Y.Max = top * (1.1 + 0.06*float64(len(ss)))
	p.X.Min = 0.5
	p.X.Max = float64(procs[len(procs)-1]) + 0.5
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

// writeTable prints one family's figures: a row per implementation, a
// column per GOMAXPROCS, median (min–max) million ops/s; then the regimes of
// the samples at each GOMAXPROCS.
func writeTable(w io.Writer, fam family, ss []*series, regimes map[int]map[regime.Regime]int) {
	var procs []int
	for p := range regimes {
		procs = append(procs, p)
	}
	slices.Sort(procs)
	fmt.Fprintf(w, "\n**%s** — %s, median (min–max) over the rounds\n\n", fam.title, fam.unit)
	hdr := []string{"impl"}
	for _, p := range procs {
		hdr = append(hdr, fmt.Sprintf("%d cores", p))
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(hdr, " | "), strings.Repeat("---|", len(hdr)))
	for _, se := range ss {
		cells := []string{se.impl}
		for _, p := range procs {
			i := slices.Index(se.procs, p)
			if i < 0 {
				cells = append(cells, "–")
				continue
			}
			cells = append(cells, fmt.Sprintf("%.1f (%.1f–%.1f)", se.mops[i], se.minMax[i][0], se.minMax[i][1]))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	var parts []string
	for _, p := range procs {
		var rs []string
		for _, g := range regime.Regimes {
			if n := regimes[p][g]; n > 0 {
				rs = append(rs, fmt.Sprintf("%d %s", n, g))
			}
		}
		parts = append(parts, fmt.Sprintf("%d cores: %s", p, strings.Join(rs, ", ")))
	}
	fmt.Fprintf(w, "\nSamples by regime — %s.\n", strings.Join(parts, "; "))
}
