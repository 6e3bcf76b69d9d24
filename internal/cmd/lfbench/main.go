// Command lfbench runs the event-ingestion pipeline lfkit was built for and
// compares the queues it can run on, on this machine:
//
//	go run ./internal/cmd/lfbench
//
// P producer goroutines create events (an ID, a timestamp, a 32-byte
// payload; 48 bytes) and push them into a bounded queue; C consumer
// goroutines pop them, record the handoff latency in an lfmetrics.Latency
// and count them with lfmetrics.Metrics.RecordIngest. A full queue is
// backpressure: the producer waits (retrying with backoff, or blocking, as
// the implementation does) and the event is counted as one backpressure
// event; no event is ever dropped.
//
// The implementations, all run with the same settings:
//
//	lfqueue-try    lfqueue TryPush/TryPop; when full or empty: a few retries,
//	               then runtime.Gosched, then sleeps from 1µs up to 100µs
//	lfqueue-block  lfqueue Push(ctx)/Pop(ctx): spin briefly, then park
//	chan           a buffered channel (send, receive, close)
//	mutex-ring     a slice ring under a sync.Mutex with two sync.Conds
//
// Each round runs every selected implementation once, in the order above,
// each with a fresh queue; the rounds repeat that, so drift on a shared
// machine hits every implementation alike. The defaults (4 producers,
// 2 consumers, capacity 1024, 1 s per run, 3 rounds, 4 implementations)
// take about 13 s.
//
// # Flags
//
//	-producers n   producer goroutines (default 4)
//	-consumers n   consumer goroutines (default 2)
//	-capacity n    queue capacity, exact for every implementation (default 1024)
//	-duration d    how long producers push in each run (default 1s)
//	-items n       push exactly n events per run instead (n split across
//	               producers); not with -duration
//	-impl list     comma-separated implementations (default: all four)
//	-rounds n      rounds (default 3)
//	-compact       use lfqueue.Compact() (unpadded slots) for the lfqueue forms
//	-json          print a JSON report instead of the table
//	-progress      show progress on stderr (default true)
//
// Bad flags print a message and exit with status 2.
//
// # Output
//
// One row per implementation:
//
//	impl          the implementation
//	items/s       events popped per second of the run (from the first
//	              push to the last pop, drain included), median of the rounds
//	p50 p99 max   handoff latency: from the producer offering the event
//	              (waiting for room included) to a consumer holding it,
//	              over all rounds
//	backpressure  pushes that found the queue full, summed over the rounds
//	allocs/item   runtime.MemStats.Mallocs growth over the runs / events
//	x chan        items/s divided by the channel's items/s (higher is faster)
//
// Latency is measured with time.Since against a process-start time (the
// monotonic clock), read once when an event is created and once when it
// is popped. A read costs about 24 ns on the machine lfkit is measured on,
// which is charged to every implementation alike and is part of each
// event's cost: the figures are those of a pipeline that timestamps its
// events, not of a bare queue (internal/peerbench measures bare queues).
//
// While it runs, lfbench shows a progress line on stderr: one line that
// refreshes in place when stderr is a terminal, plain lines every second
// and after each run otherwise.
//
// The output checks itself: for every implementation and round, the events
// pushed must equal the events popped (counted by the consumers and by
// lfmetrics), and the sums of their IDs must agree. If any check fails,
// lfbench names it and exits with status 1.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lfkit/lfkit/lfmetrics"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK    = 0
	exitCheck = 1 // a self-check failed
	exitUsage = 2 // bad flags
)

// run is the whole command: it parses args, runs the rounds, writes the
// report to stdout and progress and errors to stderr, and returns the exit
// status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "lfbench: %v\nrun 'lfbench -h' for usage\n", err)
		return exitUsage
	}

	prog := newProgress(stderr, cfg.progress)
	results := make([]*result, len(cfg.impls))
	for i, im := range cfg.impls {
		results[i] = &result{Impl: im.name, Description: im.desc}
	}
	for round := 1; round <= cfg.rounds; round++ {
		for i, im := range cfg.impls {
			label := fmt.Sprintf("round %d/%d %s", round, cfg.rounds, im.name)
			rr := runRound(cfg, im, prog.watch(label))
			prog.finished(label, rr)
			results[i].add(round, rr)
		}
	}

	rep := newReport(cfg, results)
	if cfg.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "lfbench: %v\n", err)
			return exitCheck
		}
	} else {
		rep.writeTable(stdout)
	}
	if !rep.OK {
		for _, r := range rep.Results {
			for _, p := range r.Problems {
				fmt.Fprintf(stderr, "lfbench: self-check failed: %s: %s\n", r.Impl, p)
			}
		}
		return exitCheck
	}
	return exitOK
}

// parseFlags parses args into a config. It returns flag.ErrHelp for -h.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("lfbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	fs.IntVar(&cfg.producers, "producers", 4, "producer `goroutines`")
	fs.IntVar(&cfg.consumers, "consumers", 2, "consumer `goroutines`")
	fs.IntVar(&cfg.capacity, "capacity", 1024, "queue `capacity` (exact)")
	fs.DurationVar(&cfg.duration, "duration", time.Second, "how long producers push in each run")
	fs.IntVar(&cfg.items, "items", 0, "push exactly `n` events per run instead of -duration")
	implList := fs.String("impl", implNames(), "comma-separated `list` of implementations")
	fs.IntVar(&cfg.rounds, "rounds", 3, "`rounds` of every implementation, in alternation")
	fs.BoolVar(&cfg.compact, "compact", false, "use lfqueue.Compact() (unpadded slots)")
	fs.BoolVar(&cfg.json, "json", false, "print a JSON report instead of the table")
	fs.BoolVar(&cfg.progress, "progress", true, "show progress on stderr")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: lfbench [flags]\n\n"+
			"Runs the event-ingestion pipeline over each queue implementation and\n"+
			"prints throughput, handoff latency, backpressure and allocations.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		// The flag package has printed the error and the usage.
		return nil, errors.New("bad flags")
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (lfbench takes only flags)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case cfg.producers < 1:
		return nil, fmt.Errorf("-producers must be at least 1, got %d", cfg.producers)
	case cfg.consumers < 1:
		return nil, fmt.Errorf("-consumers must be at least 1, got %d", cfg.consumers)
	case cfg.capacity < 1:
		return nil, fmt.Errorf("-capacity must be at least 1, got %d", cfg.capacity)
	case cfg.rounds < 1:
		return nil, fmt.Errorf("-rounds must be at least 1, got %d", cfg.rounds)
	case cfg.items < 0:
		return nil, fmt.Errorf("-items must not be negative, got %d", cfg.items)
	case cfg.items > 0 && set["duration"]:
		return nil, errors.New("give -duration or -items, not both")
	case cfg.items == 0 && cfg.duration <= 0:
		return nil, fmt.Errorf("-duration must be positive, got %v", cfg.duration)
	}
	seen := map[string]bool{}
	for name := range strings.SplitSeq(*implList, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(impls, func(im impl) bool { return im.name == name })
		switch {
		case name == "":
			return nil, fmt.Errorf("-impl: empty name in %q", *implList)
		case i < 0:
			return nil, fmt.Errorf("-impl: unknown implementation %q (known: %s)", name, implNames())
		case seen[name]:
			return nil, fmt.Errorf("-impl: %q given twice", name)
		}
		seen[name] = true
		cfg.impls = append(cfg.impls, impls[i])
	}
	return cfg, nil
}

func implNames() string {
	names := make([]string, len(impls))
	for i, im := range impls {
		names[i] = im.name
	}
	return strings.Join(names, ",")
}

// report is the JSON output, and what the table is printed from.
type report struct {
	Config  reportConfig `json:"config"`
	Machine machine      `json:"machine"`
	Results []*result    `json:"results"`
	// OK is true when every self-check passed.
	OK bool `json:"ok"`
}

type reportConfig struct {
	Producers int    `json:"producers"`
	Consumers int    `json:"consumers"`
	Capacity  int    `json:"capacity"`
	Duration  string `json:"duration,omitempty"` // per run, when Items is 0
	Items     int    `json:"items,omitempty"`    // per run
	Rounds    int    `json:"rounds"`
	Compact   bool   `json:"compact"`
}

type machine struct {
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
}

// result is one implementation over all rounds.
type result struct {
	Impl        string `json:"impl"`
	Description string `json:"description"`
	// ItemsPerSec is the median over the rounds.
	ItemsPerSec float64 `json:"items_per_sec"`
	// RatioToChannel is ItemsPerSec over the channel's; absent when the
	// channel was not run.
	RatioToChannel *float64 `json:"ratio_to_channel,omitempty"`
	// Pushed and Popped are summed over the rounds.
	Pushed uint64 `json:"pushed"`
	Popped uint64 `json:"popped"`
	// Backpressure counts pushes that found the queue full.
	Backpressure  uint64  `json:"backpressure"`
	AllocsPerItem float64 `json:"allocs_per_item"`
	// Handoff latency over all rounds, in nanoseconds.
	HandoffP50  int64       `json:"handoff_p50_ns"`
	HandoffP99  int64       `json:"handoff_p99_ns"`
	HandoffMax  int64       `json:"handoff_max_ns"`
	HandoffMean int64       `json:"handoff_mean_ns"`
	Rounds      []roundJSON `json:"rounds"`
	// Problems lists the failed self-checks; OK is true when there are none.
	Problems []string `json:"problems,omitempty"`
	OK       bool     `json:"ok"`

	handoff lfmetrics.LatencySnapshot
	mallocs uint64
}

type roundJSON struct {
	Round        int     `json:"round"`
	Pushed       uint64  `json:"pushed"`
	Popped       uint64  `json:"popped"`
	Seconds      float64 `json:"seconds"`
	ItemsPerSec  float64 `json:"items_per_sec"`
	Backpressure uint64  `json:"backpressure"`
}

// add folds in one round, checking it.
func (r *result) add(round int, rr roundResult) {
	r.Rounds = append(r.Rounds, roundJSON{
		Round:        round,
		Pushed:       rr.pushed,
		Popped:       rr.popped,
		Seconds:      rr.elapsed.Seconds(),
		ItemsPerSec:  rr.itemsPerSec,
		Backpressure: rr.backpressure,
	})
	r.Pushed += rr.pushed
	r.Popped += rr.popped
	r.Backpressure += rr.backpressure
	r.mallocs += rr.mallocs
	r.handoff = r.handoff.Add(rr.handoff)
	if rr.pushed != rr.popped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: pushed %d, popped %d (lfmetrics)", round, rr.pushed, rr.popped))
	}
	if rr.consumed != rr.popped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: consumers popped %d, lfmetrics counted %d", round, rr.consumed, rr.popped))
	}
	if rr.handoff.Count != rr.popped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: %d handoff latencies recorded for %d events", round, rr.handoff.Count, rr.popped))
	}
	if rr.sumPushed != rr.sumPopped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: sum of IDs pushed %d, popped %d", round, rr.sumPushed, rr.sumPopped))
	}
}

func newReport(cfg *config, results []*result) *report {
	rep := &report{
		Config: reportConfig{
			Producers: cfg.producers,
			Consumers: cfg.consumers,
			Capacity:  cfg.capacity,
			Items:     cfg.items,
			Rounds:    cfg.rounds,
			Compact:   cfg.compact,
		},
		Machine: machine{
			GoVersion:  runtime.Version(),
			GOOS:       runtime.GOOS,
			GOARCH:     runtime.GOARCH,
			NumCPU:     runtime.NumCPU(),
			GOMAXPROCS: runtime.GOMAXPROCS(0),
		},
		Results: results,
		OK:      true,
	}
	if cfg.items == 0 {
		rep.Config.Duration = cfg.duration.String()
	}
	var chanRate float64
	for _, r := range results {
		rates := make([]float64, len(r.Rounds))
		for i, rd := range r.Rounds {
			rates[i] = rd.ItemsPerSec
		}
		r.ItemsPerSec = median(rates)
		if r.Popped > 0 {
			r.AllocsPerItem = float64(r.mallocs) / float64(r.Popped)
		}
		r.HandoffP50 = int64(r.handoff.Quantile(0.50))
		r.HandoffP99 = int64(r.handoff.Quantile(0.99))
		r.HandoffMax = int64(r.handoff.Max)
		r.HandoffMean = int64(r.handoff.Mean())
		if r.Popped == 0 {
			r.Problems = append(r.Problems, "no events went through")
		}
		r.OK = len(r.Problems) == 0
		rep.OK = rep.OK && r.OK
		if r.Impl == "chan" {
			chanRate = r.ItemsPerSec
		}
	}
	if chanRate > 0 {
		for _, r := range results {
			x := r.ItemsPerSec / chanRate
			r.RatioToChannel = &x
		}
	}
	return rep
}

// median returns the median of xs (the mean of the middle two for an even
// count), 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (rep *report) writeTable(w io.Writer) {
	c := rep.Config
	run := c.Duration + " per run"
	if c.Items > 0 {
		run = fmt.Sprintf("%d items per run", c.Items)
	}
	fmt.Fprintf(w, "lfbench: %d producers, %d consumers, capacity %d, %s, %d rounds; %s %s/%s, %d CPUs, GOMAXPROCS %d\n\n",
		c.Producers, c.Consumers, c.Capacity, run, c.Rounds,
		rep.Machine.GoVersion, rep.Machine.GOOS, rep.Machine.GOARCH, rep.Machine.NumCPU, rep.Machine.GOMAXPROCS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "impl\titems/s\tp50\tp99\tmax\tbackpressure\tallocs/item\tx chan\tcheck\t")
	for _, r := range rep.Results {
		ratio := "-"
		if r.RatioToChannel != nil {
			ratio = fmt.Sprintf("%.2f", *r.RatioToChannel)
		}
		check := "ok"
		if !r.OK {
			check = "FAILED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%.3f\t%s\t%s\t\n",
			r.Impl, fmtRate(r.ItemsPerSec),
			fmtDur(r.HandoffP50), fmtDur(r.HandoffP99), fmtDur(r.HandoffMax),
			r.Backpressure, r.AllocsPerItem, ratio, check)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nitems/s: median of %d rounds; latency: producer offers → consumer holds, all rounds; pushed = popped checked for every run.\n", c.Rounds)
}

// fmtRate formats events per second with an SI suffix.
func fmtRate(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.2fG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}

// fmtDur formats nanoseconds with three significant digits at most.
func fmtDur(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", ns)
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(ns)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(ns)/1e6)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// progress writes the progress line on stderr.
type progress struct {
	w       io.Writer
	enabled bool
	tty     bool // refresh one line in place
	every   time.Duration
	mu      sync.Mutex
	width   int // length of the line on screen, when tty
}

func newProgress(w io.Writer, enabled bool) *progress {
	p := &progress{w: w, enabled: enabled, every: time.Second}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
			p.every = 200 * time.Millisecond
		}
	}
	return p
}

// line writes s as the progress line: in place on a terminal, as a plain
// line otherwise.
func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		fmt.Fprintln(p.w, "lfbench: "+s)
		return
	}
	s = "lfbench: " + s
	pad := max(p.width-len(s), 0)
	fmt.Fprintf(p.w, "\r%s%s", s, strings.Repeat(" ", pad))
	p.width = len(s)
}

// clear removes the line on a terminal.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// watch returns runRound's progress hook for a run, or nil when disabled.
func (p *progress) watch(label string) func(func() uint64) func() {
	if !p.enabled {
		return nil
	}
	return func(popped func() uint64) func() {
		start := time.Now()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(p.every)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					n := popped()
					p.line(fmt.Sprintf("%s: %d events, %s/s", label, n, fmtRate(float64(n)/time.Since(start).Seconds())))
				}
			}
		}()
		return func() { close(stop); wg.Wait() }
	}
}

// finished reports the end of a run: a plain line when not on a terminal.
func (p *progress) finished(label string, rr roundResult) {
	if !p.enabled {
		return
	}
	if p.tty {
		p.clear()
		return
	}
	p.line(fmt.Sprintf("%s: done, %d events in %.2fs, %s/s", label, rr.popped, rr.elapsed.Seconds(), fmtRate(rr.itemsPerSec)))
}
