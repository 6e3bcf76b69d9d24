// Command benchtable turns the raw output of the peerbench suite, run in
// interleaved rounds by ../../run.sh, into the markdown tables of lfkit's
// README "Performance" section. The tables it writes are never edited by
// hand.
//
// Usage:
//
//	benchtable [-machine line] [-cmd command] [-ncpu n] < results/out.txt
//	benchtable -vs chan,mutexring [-ncpu n] < results/out.txt
//
// Input: `go test -bench` output, with a line "# round N" before each
// round's benchmarks (run.sh writes it). Benchmark names look like
// BenchmarkPair/elem=int/impl=lfqueue-2 (the -2 is GOMAXPROCS; none means
// 1). Contended benchmarks report "rt-ns", "probe-cpu/wall" and "cpu/wall"
// (internal/regime); each of their samples is classified into a regime
// (1p, near, far, turns) from its probe with regime.Classify, on a machine
// of -ncpu CPUs (default: this one's). Samples without a probe are
// "uncontended" (one goroutine).
//
// Output: for each benchmark family (Pair, SPSC, Counter, …) a table with a
// row per element type, GOMAXPROCS and regime, and a column per
// implementation, in the order they first appear. A cell is the median
// ns/op of that implementation's samples in that regime, and how many there
// were (n). Every lfkit cell (implementations named lfqueue*, atomicx*,
// lfmetrics*) also carries its ratio to the best (fastest by median) peer
// of its row: the median, minimum and maximum of the per-round ratios, each
// the lfkit sample of one round divided by the peer's sample of the same
// round, counted only when both samples ran in the row's regime. A ratio
// never divides samples of two rounds or two regimes. Below 1× lfkit is
// faster. The best peer is in bold. Peers restricted to one producer and
// one consumer (names containing "spsc") are shown but never chosen as the
// best peer; batch forms (names ending in "-batch") are compared only with
// batch forms. Rows with allocations are listed after the tables.
//
// The load benchmarks (Mixed, Service: a queue in a busy process) get a
// table of their own instead: a row per GOMAXPROCS, regime and
// implementation with the medians of its throughput (accepted items/s),
// push→pop p50 and p99, CPU time per item and rejections, and for each
// lfkit implementation its throughput and p99 divided by the channel's,
// per round and under the same pairing rule.
//
// With -vs, it writes instead one table of every lfkit implementation's
// ratios to each named peer (not only the best one): per benchmark, element
// type, GOMAXPROCS and regime, the median (min–max) of the per-round
// ratios and how many rounds paired, under the same pairing rule. The load
// benchmarks are left out of it: their own tables have the ratios.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/lfkit/lfkit/internal/peerbench/benchfile"
	"github.com/lfkit/lfkit/internal/regime"
)

func main() {
	machine := flag.String("machine", "", "the machine line: CPU model, cores, Go version")
	cmd := flag.String("cmd", "internal/peerbench/run.sh", "the command that regenerates the tables")
	ncpu := flag.Int("ncpu", runtime.NumCPU(), "CPUs of the machine the samples were taken on")
	vs := flag.String("vs", "", "comma-separated peers: write every lfkit ratio to each of them instead of the tables")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: benchtable [-machine line] [-cmd command] [-ncpu n] [-vs peer,...] < out.txt\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 || *ncpu < 1 {
		flag.Usage()
		os.Exit(2)
	}
	samples, err := benchfile.Parse(os.Stdin, *ncpu)
	switch {
	case err != nil:
	case *vs != "":
		err = writeVs(os.Stdout, samples, strings.Split(*vs, ","))
	default:
		err = write(os.Stdout, samples, *machine, *cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// isRestricted reports whether impl admits only one producer and one
// consumer, and so is not a peer for the ratio.
func isRestricted(impl string) bool { return strings.Contains(impl, "spsc") }

// class groups implementations that are compared with each other: the
// batch forms ("-batch") with batch forms, single-item operations with
// single-item ones.
func class(impl string) bool { return strings.HasSuffix(impl, "-batch") }

// isLFKit reports whether impl is one of lfkit's own.
func isLFKit(impl string) bool {
	for _, p := range []string{"lfqueue", "atomicx", "lfmetrics"} {
		if strings.HasPrefix(impl, p) {
			return true
		}
	}
	return false
}

// families holds what each table shows, by benchmark family.
var families = map[string]string{
	"Pair":          "one goroutine pushes an item and pops it; ns per push+pop",
	"ParallelPairs": "every goroutine pushes then pops (b.RunParallel); ns per push+pop",
	"SPSC":          "1 producer → 1 consumer goroutine, blocking forms, capacity 1024; ns per item",
	"MPMC":          "2 producers → 2 consumers, blocking forms, capacity 1024; ns per item",
	"MPMC8x8":       "8 producers → 8 consumers (the original system's 8 threads), blocking forms, capacity 1024; ns per item",
	"Burst":         "fill a capacity-1024 queue, then drain it, one goroutine; ns per item (-batch: 64 per call)",
	"Counter":       "one increment, b.RunParallel; ns per op",
	"Latency":       "record one duration, b.RunParallel; ns per op",
	"RoundTrip":     "placement probe: a token passed between two goroutines through one atomic word; at -cpu 2, one cache-line round trip between the two vCPUs",
}

// fmtNs formats nanoseconds with three significant digits.
func fmtNs(ns float64) string {
	switch {
	case ns >= 100:
		return strconv.FormatFloat(math.Round(ns), 'f', 0, 64)
	case ns >= 10:
		return strconv.FormatFloat(ns, 'f', 1, 64)
	}
	return strconv.FormatFloat(ns, 'f', 2, 64)
}

// rowKey is one table row: element, GOMAXPROCS and regime.
type rowKey struct {
	elem   string
	procs  int
	regime regime.Regime
}

// compare orders rows: int before 64B, then GOMAXPROCS, then regime in
// the order of regime.Regimes.
func (a rowKey) compare(b rowKey) int {
	if c := strings.Compare(elemRank(a.elem), elemRank(b.elem)); c != 0 {
		return c
	}
	if a.procs != b.procs {
		return a.procs - b.procs
	}
	return slices.Index(regime.Regimes, a.regime) - slices.Index(regime.Regimes, b.regime)
}

// ratioCell formats the per-round ratios of an lfkit cell to a peer:
// median (min–max, rounds paired), or "" if no round paired.
func ratioCell(lf, peer []regime.Point) (string, error) {
	ratios, _, err := regime.Ratios(lf, peer)
	if err != nil {
		return "", err
	}
	sp := regime.RatioSpread(ratios)
	if sp.N == 0 {
		return "", nil
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f, %d)", sp.Median, sp.Min, sp.Max, sp.N), nil
}

// cellData is the samples of one implementation in one row.
type cellData struct {
	points []regime.Point // Value: ns/op
	median float64
}

// group sorts the samples of family fam into cells, by row and
// implementation, adding each sample to its cell with add. It returns the
// implementations in the order they first appear and the rows in table
// order (rowKey.compare).
func group[C any](samples []benchfile.Sample, fam string, add func(*C, benchfile.Sample)) (impls []string, rows []rowKey, cells map[rowKey]map[string]*C) {
	cells = map[rowKey]map[string]*C{}
	for _, s := range samples {
		if s.Family != fam {
			continue
		}
		if !slices.Contains(impls, s.Impl) {
			impls = append(impls, s.Impl)
		}
		rk := rowKey{s.Elem, s.Procs, s.Regime}
		if cells[rk] == nil {
			rows = append(rows, rk)
			cells[rk] = map[string]*C{}
		}
		c := cells[rk][s.Impl]
		if c == nil {
			c = new(C)
			cells[rk][s.Impl] = c
		}
		add(c, s)
	}
	slices.SortStableFunc(rows, rowKey.compare)
	return impls, rows, cells
}

// medianOf is the median of the points' values.
func medianOf(ps []regime.Point) float64 {
	xs := make([]float64, len(ps))
	for i, p := range ps {
		xs[i] = p.Value
	}
	return regime.SpreadOf(xs).Median
}

// write prints the tables.
func write(w io.Writer, samples []benchfile.Sample, machine, cmd string) error {
	bw := bufio.NewWriter(w)
	rounds := 0
	byRegime := map[regime.Regime]int{}
	for _, s := range samples {
		rounds = max(rounds, s.Round)
		byRegime[s.Regime]++
	}
	nr := fmt.Sprintf("%d interleaved rounds", rounds)
	if rounds == 1 {
		nr = "1 round"
	}
	if machine != "" {
		fmt.Fprintf(bw, "Measured on %s, %s. Regenerate with `%s`; do not edit by hand.\n", machine, nr, cmd)
	} else {
		fmt.Fprintf(bw, "%s. Regenerate with `%s`; do not edit by hand.\n", nr, cmd)
	}
	var counts []string
	for _, g := range regime.Regimes {
		if byRegime[g] > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", g, byRegime[g]))
		}
	}
	fmt.Fprintf(bw, "\nSamples by regime: %s. Regimes: *near* and *far*, both vCPUs ran at once with a cache-line round trip below or above 250 ns; *turns*, the probe got less than 1.5 CPUs per wall second or a round trip of 2 µs or more (the vCPUs took turns, or other processes held the CPUs); *1p*, GOMAXPROCS=1; *uncontended*, one goroutine.\n", strings.Join(counts, ", "))
	fmt.Fprintf(bw, "Each cell: median ns/op of the samples in that regime (n = how many). lfkit cells also show their ratio to the best peer of the row (**bold**): median (min–max) over the rounds in which both ran in that regime, and how many such rounds; below 1× lfkit is faster. Batch forms (-batch) are compared with batch forms only; xsync-spsc is single-producer/single-consumer and never counts as the best peer.\n")

	var famOrder []string
	for _, s := range samples {
		if !slices.Contains(famOrder, s.Family) {
			famOrder = append(famOrder, s.Family)
		}
	}
	for _, fam := range famOrder {
		if lf, ok := loadFamilies[fam]; ok {
			if err := writeLoad(bw, fam, lf, samples); err != nil {
				return err
			}
			continue
		}
		impls, rows, cells := group(samples, fam, func(c *cellData, s benchfile.Sample) {
			c.points = append(c.points, regime.Point{Round: s.Round, Regime: s.Regime, Value: s.NsOp})
		})
		for _, row := range cells {
			for _, c := range row {
				c.median = medianOf(c.points)
			}
		}
		fmt.Fprintf(bw, "\n**%s** — %s\n\n", fam, families[fam])
		hasElem := rows[0].elem != ""
		hdr := []string{}
		if hasElem {
			hdr = append(hdr, "elem")
		}
		hdr = append(hdr, "-cpu", "regime")
		hdr = append(hdr, impls...)
		fmt.Fprintf(bw, "| %s |\n", strings.Join(hdr, " | "))
		fmt.Fprintf(bw, "|%s\n", strings.Repeat("---|", len(hdr)))
		for _, rk := range rows {
			row := cells[rk]
			// The best peer of the row, per class (batch or single-item).
			best := map[bool]string{}
			for _, im := range impls {
				c, ok := row[im]
				if !ok || isLFKit(im) || isRestricted(im) {
					continue
				}
				if b := best[class(im)]; b == "" || c.median < row[b].median {
					best[class(im)] = im
				}
			}
			out := []string{}
			if hasElem {
				out = append(out, rk.elem)
			}
			out = append(out, strconv.Itoa(rk.procs), string(rk.regime))
			for _, im := range impls {
				c, ok := row[im]
				if !ok {
					out = append(out, "–")
					continue
				}
				cell := fmt.Sprintf("%s (n=%d)", fmtNs(c.median), len(c.points))
				switch b := best[class(im)]; {
				case im == b:
					cell = fmt.Sprintf("**%s** (n=%d)", fmtNs(c.median), len(c.points))
				case isLFKit(im) && b != "":
					rc, err := ratioCell(c.points, row[b].points)
					if err != nil {
						return fmt.Errorf("%s/%s: %v", fam, im, err)
					}
					if rc == "" {
						rc = "(no round paired)"
					}
					cell += " " + rc
				}
				out = append(out, cell)
			}
			fmt.Fprintf(bw, "| %s |\n", strings.Join(out, " | "))
		}
	}

	// Median allocs/op per benchmark, over every sample.
	var allocating []string
	var keys []benchfile.Key
	allocs := map[benchfile.Key][]float64{}
	for _, s := range samples {
		if _, ok := allocs[s.Key]; !ok {
			keys = append(keys, s.Key)
		}
		allocs[s.Key] = append(allocs[s.Key], s.Allocs)
	}
	for _, k := range keys {
		if a := regime.SpreadOf(allocs[k]).Median; a > 0 {
			allocating = append(allocating, fmt.Sprintf("%s %.3g", k.Name(), a))
		}
	}
	if len(allocating) == 0 {
		fmt.Fprintf(bw, "\nEvery benchmark above: 0 allocs/op.\n")
	} else {
		fmt.Fprintf(bw, "\nallocs/op above 0 (medians): %s.\n", strings.Join(allocating, "; "))
	}
	return bw.Flush()
}

// elemRank orders int before 64B.
func elemRank(e string) string {
	if e == "int" {
		return "0"
	}
	return "1" + e
}

// writeVs writes one markdown table: for every benchmark family, element
// type, GOMAXPROCS and regime in which an lfkit implementation and one of
// peers both have samples, the lfkit implementation's per-round ratios to
// that peer (median, min–max, rounds paired). It fails if a peer has no
// sample at all, so a misspelt name is not read as "never paired".
func writeVs(w io.Writer, samples []benchfile.Sample, peers []string) error {
	type key struct {
		fam string
		rowKey
		impl string
	}
	points := map[key][]regime.Point{}
	var order []key
	seen := map[string]bool{}
	for _, s := range samples {
		seen[s.Impl] = true
		if _, ok := loadFamilies[s.Family]; ok {
			continue // in their own tables: ns/op is not their figure
		}
		k := key{s.Family, rowKey{s.Elem, s.Procs, s.Regime}, s.Impl}
		if _, ok := points[k]; !ok {
			order = append(order, k)
		}
		points[k] = append(points[k], regime.Point{Round: s.Round, Regime: s.Regime, Value: s.NsOp})
	}
	for _, p := range peers {
		if !seen[p] {
			return fmt.Errorf("-vs: no samples of %q", p)
		}
	}
	// Rows in table order: family as it first appears, then the row order
	// of the tables, then implementation as it first appears.
	var fams, impls []string
	for _, k := range order {
		if !slices.Contains(fams, k.fam) {
			fams = append(fams, k.fam)
		}
		if !slices.Contains(impls, k.impl) {
			impls = append(impls, k.impl)
		}
	}
	slices.SortStableFunc(order, func(a, b key) int {
		if c := slices.Index(fams, a.fam) - slices.Index(fams, b.fam); c != 0 {
			return c
		}
		if c := a.rowKey.compare(b.rowKey); c != 0 {
			return c
		}
		return slices.Index(impls, a.impl) - slices.Index(impls, b.impl)
	})
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Each lfkit implementation's ns/op divided by each peer's: the median (min–max, rounds paired) of the per-round ratios, counted only when both samples ran in the row's regime; below 1× lfkit is faster; – means never paired. Generated by `benchtable -vs` from the raw samples; do not edit by hand.\n\n")
	fmt.Fprintf(bw, "| benchmark | elem | -cpu | regime | impl | %s |\n", strings.Join(peers, " | "))
	fmt.Fprintf(bw, "|%s\n", strings.Repeat("---|", 5+len(peers)))
	for _, k := range order {
		if !isLFKit(k.impl) {
			continue
		}
		cells := make([]string, len(peers))
		paired := false
		for i, p := range peers {
			pk := k
			pk.impl = p
			cells[i] = "–"
			if class(p) != class(k.impl) || len(points[pk]) == 0 {
				continue
			}
			rc, err := ratioCell(points[k], points[pk])
			if err != nil {
				return fmt.Errorf("%s/%s vs %s: %v", k.fam, k.impl, p, err)
			}
			if rc != "" {
				cells[i], paired = rc, true
			}
		}
		if paired {
			fmt.Fprintf(bw, "| %s | %s | %d | %s | %s | %s |\n", k.fam, k.elem, k.procs, k.regime, k.impl, strings.Join(cells, " | "))
		}
	}
	return bw.Flush()
}
