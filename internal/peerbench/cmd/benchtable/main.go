// Command benchtable turns benchstat's CSV output for the peerbench suite
// into the markdown tables of lfkit's README "Performance" section. It is
// run by ../../run.sh; the tables it writes are never edited by hand.
//
// Usage:
//
//	benchstat -format csv out.txt | benchtable -machine "AMD EPYC, 2 cores, go1.26.8" -cmd "internal/peerbench/run.sh"
//
// Input: benchstat -format csv with its default rows and columns, one row
// per benchmark name such as Pair/elem=int/impl=lfqueue-2 (the -2 is
// GOMAXPROCS; none means 1), and one section per unit (sec/op, B/op,
// allocs/op). Output: for each benchmark family (Pair, SPSC, Counter, …) a
// table with a row per element type and GOMAXPROCS and a column per
// implementation, in the order they first appear; each cell is the median
// ns/op with benchstat's 95% confidence interval. Every lfkit cell
// (implementations named lfqueue*, atomicx*, lfmetrics*) carries its ratio
// to the best (fastest) peer of its row: below 1× lfkit is faster. The best
// peer is in bold. Peers restricted to one producer and one consumer
// (names containing "spsc") are shown but never chosen as the best peer: an
// MPMC queue is compared with MPMC peers. Batch forms (names ending in
// "-batch") are compared only with batch forms, single-item operations only
// with single-item ones; each class has its own bold best peer. Rows with
// allocations are listed after the tables.
package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	machine := flag.String("machine", "", "the machine line: CPU model, cores, Go version")
	cmd := flag.String("cmd", "internal/peerbench/run.sh", "the command that regenerates the tables")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: benchstat -format csv out.txt | benchtable [-machine line] [-cmd command]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	res, err := parse(os.Stdin)
	if err == nil {
		err = write(os.Stdout, res, *machine, *cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// A measurement is one benchstat row: a median and its confidence interval.
type measurement struct {
	median float64 // in the unit of its section
	ci     string  // "±2%", or "±∞" with too few samples
}

// key names one benchmark row.
type key struct {
	family, elem, impl string
	procs              int
}

// results holds what parse read.
type results struct {
	sec    map[key]measurement // sec/op
	allocs map[key]float64     // allocs/op
	order  []key               // sec/op rows in input order
}

var procsSuffix = regexp.MustCompile(`-(\d+)$`)

// parseName splits "Pair/elem=int/impl=lfqueue-2".
func parseName(name string) (key, error) {
	k := key{procs: 1}
	if m := procsSuffix.FindStringSubmatch(name); m != nil {
		k.procs, _ = strconv.Atoi(m[1])
		name = strings.TrimSuffix(name, m[0])
	}
	parts := strings.Split(name, "/")
	k.family = parts[0]
	for _, p := range parts[1:] {
		switch {
		case strings.HasPrefix(p, "elem="):
			k.elem = strings.TrimPrefix(p, "elem=")
		case strings.HasPrefix(p, "impl="):
			k.impl = strings.TrimPrefix(p, "impl=")
		default:
			return k, fmt.Errorf("benchmark %q: unexpected part %q", name, p)
		}
	}
	if k.impl == "" {
		return k, fmt.Errorf("benchmark %q has no impl=", name)
	}
	return k, nil
}

// parse reads benchstat's CSV. Lines before the first CSV section (goos:,
// cpu:, …) are skipped.
func parse(r io.Reader) (*results, error) {
	res := &results{sec: map[key]measurement{}, allocs: map[key]float64{}}
	var body strings.Builder
	sc := bufio.NewScanner(r)
	started := false
	for sc.Scan() {
		line := sc.Text()
		if !started && !strings.HasPrefix(line, ",") {
			continue // header lines such as "cpu: AMD EPYC"
		}
		started = true
		body.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	cr := csv.NewReader(strings.NewReader(body.String()))
	cr.FieldsPerRecord = -1
	unit := ""
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 2 {
			continue
		}
		if rec[0] == "" { // a section header: ",file" or ",unit,CI"
			if len(rec) >= 3 && rec[2] == "CI" {
				unit = rec[1]
			}
			continue
		}
		if rec[0] == "geomean" || rec[1] == "" {
			continue
		}
		k, err := parseName(rec[0])
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", rec[0], err)
		}
		switch unit {
		case "sec/op":
			ci := ""
			if len(rec) >= 3 {
				ci = "±" + rec[2]
			}
			if _, dup := res.sec[k]; !dup {
				res.order = append(res.order, k)
			}
			res.sec[k] = measurement{v, ci}
		case "allocs/op":
			res.allocs[k] = v
		}
	}
	if len(res.order) == 0 {
		return nil, errors.New("no sec/op rows in the input (want benchstat -format csv)")
	}
	return res, nil
}

// isRestricted reports whether impl admits only one producer and one
// consumer, and so is not a peer for the ratio.
func isRestricted(impl string) bool { return strings.Contains(impl, "spsc") }

// class groups implementations that are compared with each other: the
// batch forms ("-batch") with batch forms, single-item ones with
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
	"Burst":         "fill a capacity-1024 queue, then drain it, one goroutine; ns per item (-batch: 64 per call)",
	"Counter":       "one increment, b.RunParallel; ns per op",
	"Latency":       "record one duration, b.RunParallel; ns per op",
	"RoundTrip":     "placement probe: a token passed between two goroutines through one atomic word; at -cpu 2, one cache-line round trip between the two vCPUs",
}

// fmtNs formats seconds as nanoseconds with three significant digits.
func fmtNs(sec float64) string {
	ns := sec * 1e9
	switch {
	case ns >= 100:
		return strconv.FormatFloat(math.Round(ns), 'f', 0, 64)
	case ns >= 10:
		return strconv.FormatFloat(ns, 'f', 1, 64)
	}
	return strconv.FormatFloat(ns, 'f', 2, 64)
}

// write prints the tables.
func write(w io.Writer, res *results, machine, cmd string) error {
	bw := bufio.NewWriter(w)
	if machine != "" {
		fmt.Fprintf(bw, "Measured on %s. Regenerate with `%s`; do not edit by hand.\n", machine, cmd)
	} else {
		fmt.Fprintf(bw, "Regenerate with `%s`; do not edit by hand.\n", cmd)
	}
	fmt.Fprintf(bw, "Median ns/op ± 95%% confidence interval; lfkit cells show (lfkit ÷ best peer of the row): below 1× lfkit is faster. **Bold**: the best peer (batch forms, named -batch, are compared with batch forms only); single-producer/single-consumer queues (xsync-spsc) are shown for reference and never count as the best peer.\n")

	var famOrder []string
	for _, k := range res.order {
		if !slices.Contains(famOrder, k.family) {
			famOrder = append(famOrder, k.family)
		}
	}
	for _, fam := range famOrder {
		var impls []string
		type rowKey struct {
			elem  string
			procs int
		}
		var rows []rowKey
		for _, k := range res.order {
			if k.family != fam {
				continue
			}
			if !slices.Contains(impls, k.impl) {
				impls = append(impls, k.impl)
			}
			if rk := (rowKey{k.elem, k.procs}); !slices.Contains(rows, rk) {
				rows = append(rows, rk)
			}
		}
		slices.SortStableFunc(rows, func(a, b rowKey) int {
			if c := strings.Compare(elemRank(a.elem), elemRank(b.elem)); c != 0 {
				return c
			}
			return a.procs - b.procs
		})
		fmt.Fprintf(bw, "\n**%s** — %s\n\n", fam, families[fam])
		hasElem := rows[0].elem != ""
		hdr := []string{}
		if hasElem {
			hdr = append(hdr, "elem")
		}
		hdr = append(hdr, "-cpu")
		hdr = append(hdr, impls...)
		fmt.Fprintf(bw, "| %s |\n", strings.Join(hdr, " | "))
		fmt.Fprintf(bw, "|%s\n", strings.Repeat("---|", len(hdr)))
		for _, rk := range rows {
			// The best peer of the row, per class (batch or single-item).
			best := map[bool]string{}
			for _, im := range impls {
				m, ok := res.sec[key{fam, rk.elem, im, rk.procs}]
				if !ok || isLFKit(im) || isRestricted(im) {
					continue
				}
				c := class(im)
				if best[c] == "" || m.median < res.sec[key{fam, rk.elem, best[c], rk.procs}].median {
					best[c] = im
				}
			}
			cells := []string{}
			if hasElem {
				cells = append(cells, rk.elem)
			}
			cells = append(cells, strconv.Itoa(rk.procs))
			for _, im := range impls {
				m, ok := res.sec[key{fam, rk.elem, im, rk.procs}]
				if !ok {
					cells = append(cells, "–")
					continue
				}
				cell := fmtNs(m.median) + " " + m.ci
				switch b := best[class(im)]; {
				case im == b:
					cell = "**" + cell + "**"
				case isLFKit(im) && b != "":
					ratio := m.median / res.sec[key{fam, rk.elem, b, rk.procs}].median
					cell += fmt.Sprintf(" (%.2f×)", ratio)
				}
				cells = append(cells, cell)
			}
			fmt.Fprintf(bw, "| %s |\n", strings.Join(cells, " | "))
		}
	}

	var allocating []string
	for _, k := range res.order {
		if a := res.allocs[k]; a > 0 {
			name := k.family
			if k.elem != "" {
				name += "/elem=" + k.elem
			}
			name += "/impl=" + k.impl
			if k.procs != 1 {
				name += fmt.Sprintf("-%d", k.procs)
			}
			allocating = append(allocating, fmt.Sprintf("%s %.3g", name, a))
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
