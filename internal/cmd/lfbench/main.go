// Command lfbench runs the event-ingestion pipeline lfkit was built for and
// compares the queues it can run on, on this machine:
//
//	go run ./internal/cmd/lfbench
//	go run ./internal/cmd/lfbench -producers 8 -consumers 8   # the original system's 8 threads
//	GOMAXPROCS=1 go run ./internal/cmd/lfbench -service-only -service-rounds 5 -work cpu
//
// P producer goroutines create events (an ID, a timestamp, a 32-byte
// payload; 48 bytes) and push them into a bounded queue; C consumer
// goroutines pop them and count them with lfmetrics.Metrics.RecordIngest,
// and record the handoff latency of the timestamped ones in an
// lfmetrics.Latency. A full queue is backpressure: the producer waits
// (retrying with backoff, or blocking, as the implementation does) and the
// event is counted as one backpressure event; no event is ever dropped.
//
// The implementations, all run with the same settings:
//
//	lfqueue-try    lfqueue Queue polled with TryPush/TryPop; when full or
//	               empty: a few retries, then runtime.Gosched, then sleeps
//	               of up to 100µs; its handoff latency includes those
//	               sleeps, and the tables mark it with a star
//	lfqueue-block  lfqueue Queue (lfqueue.New) with Push(ctx)/Pop(ctx):
//	               spin briefly, then park
//	lockfree       lfqueue LockFree (lfqueue.NewLockFree) with
//	               Push(ctx)/Pop(ctx)
//	chan           a buffered channel (send, receive, close)
//	mutex-ring     a slice ring under a sync.Mutex with two sync.Conds
//
// # Three phases
//
// Saturation: the producers push as fast as the queue takes events, for
// -duration (or -items); the run measures items/s, from the first push to
// the last pop. No event carries a timestamp, so no clock is read per
// event. Latency is not measured here: at saturation the queue stays full
// and a handoff takes as long as the queue is deep.
//
// Rate: the producers offer -rate events per second in all (default
// 100000, well below every implementation's saturation here), each
// sleeping until its next event is due and then pushing every event that
// fell due; the run measures the handoff latency, from the producer
// offering an event (waiting for room included) to a consumer holding it.
// Only every -sample-th event of each producer (the 1st, the 17th, the
// 33rd, … by default) carries a timestamp: two clock reads (~24 ns each
// here) for one event in 16. The table shows the offered rate reached
// (events pushed per second of the producers' run).
//
// Service: the workload lfqueue is for, an HTTP ingestion service. A
// net/http server listens on 127.0.0.1 (loopback only); -clients client
// goroutines each POST one small JSON event at a time over a keep-alive
// connection, for -service-duration. The handler reads and decodes the
// event, stamps it and offers it to the queue without waiting (TryPush,
// a select with a default case, or the mutex ring's try): 202 Accepted
// when it went in, 503 when the queue was full. -workers goroutines pop
// with the blocking pop (Pop(ctx), a receive, a Cond wait) and do -work
// multiply-adds per event. A run ends by itself: each client stops at the
// run's deadline; then Server.Shutdown, then the queue is closed and the
// workers drain it. lfqueue-try is left out: its consumers poll, where a
// service's workers would block. The table shows, per implementation,
// accepted requests per second of the clients' run, the push→pop latency
// (from the handler's push to a worker's pop) p50, p99 and p99.9, the
// process's CPU time (clients, server and workers alike) per accepted
// request, and the 503 count; each figure is the median over the rounds,
// and accepted/s, p99 and CPU/req are also given as per-round ratios to
// the channel. By default the service phase runs 3 rounds of 400ms,
// each after the same round of the other phases; -service-only runs it
// alone, so that GOMAXPROCS 1, 2 and 4 and the light and CPU-bound
// work are one command each.
//
// # Rounds and ratios
//
// Each round runs every selected implementation once in the saturation
// phase, in the order above, then once each in the rate phase, then once
// each in the service phase (for its first -service-rounds rounds), each
// with a fresh queue; the rounds repeat that, so drift on a shared machine
// hits every implementation alike. Before each run, a probe measures the
// round trip of a cache line between two goroutines and the CPU time two
// spinning goroutines get per wall time, and classifies the run's regime
// (internal/regime):
//
//	near   both vCPUs ran at once, round trip < 250 ns
//	far    both ran at once, round trip ≥ 250 ns
//	turns  the vCPUs took turns, or other processes took the CPUs: the
//	       probe got < 1.5 CPUs per wall second, or its round trip ≥ 2 µs
//	1p     GOMAXPROCS=1
//
// A ratio to the channel is computed per round, between the two runs of
// that round, and only when both ran in the same regime (paired): a ratio
// never divides figures of two rounds or two regimes. The table shows the
// median of these per-round ratios with their minimum and maximum, how
// many rounds paired, and the regime of every run; when no round paired,
// it shows the ratio of the two medians, marked unpaired. A line under the
// tables says what the regimes are. The last lines say in plain words what
// the saturation and rate runs showed, and what the service runs showed,
// and how consistently. The defaults (4 producers, 2 consumers, capacity
// 1024, 500 ms per run, 4 rounds, 5 implementations, saturation and rate
// phases; 16 clients, 4 workers, light work, 400 ms per run and 3 rounds
// of 4 implementations in the service phase) take about half a minute.
//
// # Flags
//
//	-producers n   producer goroutines (default 4)
//	-consumers n   consumer goroutines (default 2)
//	-capacity n    queue capacity, exact for every implementation (default 1024)
//	-duration d    length of each run (default 500ms)
//	-items n       push exactly n events per saturation run instead of
//	               -duration (n split across producers)
//	-rate r        events per second offered in the rate phase
//	               (default 100000; 0: no rate phase)
//	-sample n      timestamp every n-th event of each producer in the rate
//	               phase (default 16; 1: every event)
//	-saturation    run the saturation phase (default true)
//	-impl list     comma-separated implementations (default: all)
//	-rounds n      rounds (default 4)
//	-layout name   lfqueue slot layout of the lfqueue forms: compact (the
//	               default, what lfqueue.New gives: slots packed in position
//	               order), remap (lfqueue.Remap()) or padded (lfqueue.Padded())
//	-json          print a JSON report instead of the tables
//	-progress      show progress on stderr (default true)
//	-service       run the service phase (default true)
//	-service-only  run only the service phase
//	-clients n     keep-alive HTTP client goroutines (default 16)
//	-workers n     goroutines that pop and process events (default 4)
//	-work w        multiply-adds per event in a worker: light (256, the
//	               default), cpu (4096, CPU-bound workers) or a count
//	-service-duration d
//	               length of each service run (default 400ms)
//	-service-rounds n
//	               rounds of the service phase (default 3)
//
// Bad flags print a message and exit with status 2.
//
// # Output
//
// Saturation table, one row per implementation:
//
//	items/s       events popped per second of the run: median (min–max)
//	              over the rounds
//	x chan        items/s over the channel's in the same round and regime:
//	              median (min–max) over the paired rounds
//	paired        rounds that gave a ratio / rounds
//	backpressure  pushes that found the queue full, summed over the rounds
//	allocs/item   runtime.MemStats.Mallocs growth over the runs / events
//
// then the regime of each run, round by round, with its ratio; then the
// rate table (offered/s, timestamped samples, handoff p50, p99, p99.9 and
// max over all rounds, the regimes of the runs); then the service table
// (accepted/s, its ratio to the channel, push→pop p50, p99 and its ratio,
// p99.9, CPU/req and its ratio, 503s, paired rounds) and each service
// run's regime and ratios; then the regime note and the verdict lines.
// The JSON report has every run: items/s, ratio (null when unpaired),
// regime, round trip, probe CPU share and the run's own CPU per wall time;
// for the service, each run's counts, quantiles, CPU per request and
// ratios.
//
// While it runs, lfbench shows a progress line on stderr: one line that
// refreshes in place when stderr is a terminal, plain lines every second
// and after each run otherwise.
//
// The output checks itself: for every implementation and run, the events
// pushed must equal the events popped (counted by the consumers and by
// lfmetrics), the sums of their IDs must agree, and every timestamped event
// must have its latency recorded. In the service phase, every event a
// handler accepted must have been processed exactly once (by event ID:
// client and sequence number), the handlers' 202 and 503 counts must equal
// what the clients received, and every request must have been answered
// 202 or 503. If any check fails, lfbench names it and exits with status 1.
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
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
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
	var phases []phase
	if cfg.saturation {
		phases = append(phases, saturate)
	}
	if cfg.rate > 0 {
		phases = append(phases, offered)
	}
	results := map[phase][]*result{}
	for _, ph := range phases {
		for _, im := range cfg.impls {
			results[ph] = append(results[ph], &result{Impl: im.name, Description: im.desc})
		}
	}
	var service []*serviceResult
	for _, im := range serviceImpls(cfg) {
		service = append(service, &serviceResult{Impl: im.name, Description: im.desc})
	}
	rounds := 0
	if len(phases) > 0 {
		rounds = cfg.rounds
	}
	if len(service) > 0 {
		rounds = max(rounds, cfg.serviceRounds)
	}
	// The phases' rounds interleave: round k runs each phase that has a
	// k-th round.
	for round := 1; round <= rounds; round++ {
		for _, ph := range phases {
			if round > cfg.rounds {
				break
			}
			for i, im := range cfg.impls {
				label := fmt.Sprintf("round %d/%d %s %s", round, cfg.rounds, ph, im.name)
				rr := runOnce(cfg, im, ph, prog.watch(label))
				prog.finished(label, "events", rr.popped, rr.elapsed)
				results[ph][i].add(round, ph, rr)
			}
		}
		if round > cfg.serviceRounds {
			continue
		}
		for i, im := range serviceImpls(cfg) {
			label := fmt.Sprintf("round %d/%d service %s", round, cfg.serviceRounds, im.name)
			sr := runService(cfg, im, prog.watch(label))
			prog.finished(label, "accepted", sr.accepted, sr.elapsed)
			service[i].add(round, sr)
		}
	}

	rep := newReport(cfg, results[saturate], results[offered], service)
	if cfg.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "lfbench: %v\n", err)
			return exitCheck
		}
	} else {
		rep.writeTables(stdout)
	}
	if !rep.OK {
		for _, r := range slices.Concat(rep.Saturation, rep.Rate) {
			for _, p := range r.Problems {
				fmt.Fprintf(stderr, "lfbench: self-check failed: %s: %s\n", r.Impl, p)
			}
		}
		for _, r := range rep.Service {
			for _, p := range r.Problems {
				fmt.Fprintf(stderr, "lfbench: self-check failed: service %s: %s\n", r.Impl, p)
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
	fs.DurationVar(&cfg.duration, "duration", 500*time.Millisecond, "length of each run")
	fs.IntVar(&cfg.items, "items", 0, "push exactly `n` events per saturation run instead of -duration")
	fs.Float64Var(&cfg.rate, "rate", 100000, "`events/s` offered in the rate phase (0: no rate phase)")
	fs.IntVar(&cfg.sample, "sample", 16, "timestamp every `n`-th event of each producer in the rate phase")
	fs.BoolVar(&cfg.saturation, "saturation", true, "run the saturation phase")
	implList := fs.String("impl", implNames(), "comma-separated `list` of implementations")
	fs.IntVar(&cfg.rounds, "rounds", 4, "`rounds` of every implementation, in alternation")
	fs.StringVar(&cfg.layout, "layout", layouts[0].name, "lfqueue slot `layout` of the lfqueue forms: "+layoutNames())
	fs.BoolVar(&cfg.json, "json", false, "print a JSON report instead of the tables")
	fs.BoolVar(&cfg.progress, "progress", true, "show progress on stderr")
	fs.BoolVar(&cfg.service, "service", true, "run the service phase (an HTTP service on loopback)")
	serviceOnly := fs.Bool("service-only", false, "run only the service phase")
	fs.IntVar(&cfg.clients, "clients", 16, "keep-alive HTTP client `goroutines` in the service phase")
	fs.IntVar(&cfg.workers, "workers", 4, "`goroutines` that pop and process events in the service phase")
	fs.StringVar(&cfg.workName, "work", workLevels[0].name, "`work` per event in the service phase: light ("+
		strconv.Itoa(workLevels[0].n)+" multiply-adds), cpu ("+strconv.Itoa(workLevels[1].n)+") or a count of multiply-adds")
	fs.DurationVar(&cfg.serviceDuration, "service-duration", 400*time.Millisecond, "length of each service run")
	fs.IntVar(&cfg.serviceRounds, "service-rounds", 3, "`rounds` of the service phase")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: lfbench [flags]\n\n"+
			"Runs the event-ingestion pipeline over each queue implementation, in\n"+
			"alternating rounds: throughput at saturation with per-round ratios to\n"+
			"the channel, then handoff latency at an offered rate (-rate), then an\n"+
			"HTTP service on loopback whose handlers offer events to the queue\n"+
			"(503 when full) and whose workers pop them (-service-only: just that).\n\n"+
			"%s\n\nImplementations (-impl):\n", regimeNote)
		for _, im := range impls {
			fmt.Fprintf(stderr, "  %-14s %s\n", im.name, im.desc)
		}
		fmt.Fprintf(stderr, "\nFlags:\n")
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
	if *serviceOnly {
		for _, f := range []string{"saturation", "rate", "service"} {
			if set[f] {
				return nil, fmt.Errorf("give -service-only or -%s, not both", f)
			}
		}
		cfg.saturation, cfg.rate, cfg.service = false, 0, true
	}
	work, err := parseWork(cfg.workName)
	if err != nil {
		return nil, err
	}
	cfg.work = work
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
	case cfg.items > 0 && set["duration"] && cfg.rate == 0:
		return nil, errors.New("give -duration or -items, not both (with -rate 0, -duration only times saturation runs)")
	case cfg.duration <= 0:
		return nil, fmt.Errorf("-duration must be positive, got %v", cfg.duration)
	case cfg.rate < 0 || cfg.rate > 1e9:
		return nil, fmt.Errorf("-rate must be between 0 and 1e9 events/s, got %v", cfg.rate)
	case cfg.sample < 1:
		return nil, fmt.Errorf("-sample must be at least 1, got %d", cfg.sample)
	case cfg.clients < 1:
		return nil, fmt.Errorf("-clients must be at least 1, got %d", cfg.clients)
	case cfg.workers < 1:
		return nil, fmt.Errorf("-workers must be at least 1, got %d", cfg.workers)
	case cfg.serviceRounds < 1:
		return nil, fmt.Errorf("-service-rounds must be at least 1, got %d", cfg.serviceRounds)
	case cfg.serviceDuration <= 0:
		return nil, fmt.Errorf("-service-duration must be positive, got %v", cfg.serviceDuration)
	case !cfg.saturation && cfg.rate == 0 && !cfg.service:
		return nil, errors.New("nothing to run: -saturation=false, -rate 0 and -service=false")
	case layoutOption(cfg.layout) == nil:
		return nil, fmt.Errorf("-layout: unknown layout %q (valid: %s)", cfg.layout, layoutNames())
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
	if !cfg.saturation && cfg.rate == 0 && len(serviceImpls(cfg)) == 0 {
		return nil, fmt.Errorf("nothing to run: the service phase leaves out %s (its consumers poll)", *implList)
	}
	return cfg, nil
}

// serviceImpls returns the implementations the service phase runs: the
// selected ones whose consumers block (none when the phase is off).
func serviceImpls(cfg *config) []impl {
	if !cfg.service {
		return nil
	}
	var ims []impl
	for _, im := range cfg.impls {
		if !im.polls {
			ims = append(ims, im)
		}
	}
	return ims
}

// regimeNote says what a regime is and why ratios are paired: the line
// under the tables, and part of -h.
const regimeNote = "Regimes (probed before each run): near/far, both vCPUs ran at once, a cache line's round trip < or ≥ 250 ns; " +
	"turns, they took turns or other processes held them; 1p, GOMAXPROCS=1.\n" +
	"Speed differs by regime, so a ratio to the channel divides two runs of the same round and the same regime (paired); " +
	"where none paired, it is the ratio of medians, marked unpaired."

// pollNoteLine is the note under the tables where a polling
// implementation appears.
func pollNoteLine(name string) string {
	return fmt.Sprintf("%s: %s (hence its high p99).", name, pollNote)
}

func implNames() string {
	names := make([]string, len(impls))
	for i, im := range impls {
		names[i] = im.name
	}
	return strings.Join(names, ",")
}

// report is the JSON output, and what the tables are printed from.
type report struct {
	Config  reportConfig `json:"config"`
	Machine machine      `json:"machine"`
	// Saturation and Rate are the two phases' results, one per
	// implementation (absent when the phase did not run).
	Saturation []*result `json:"saturation,omitempty"`
	Rate       []*result `json:"rate,omitempty"`
	// Service is the service phase's results, one per implementation it
	// ran (absent when it did not run).
	Service []*serviceResult `json:"service,omitempty"`
	// Verdict is the last line of the table: what the saturation and rate
	// runs showed; ServiceVerdict, what the service runs showed.
	Verdict        string `json:"verdict"`
	ServiceVerdict string `json:"service_verdict,omitempty"`
	// OK is true when every self-check passed.
	OK bool `json:"ok"`
}

type reportConfig struct {
	Producers int     `json:"producers"`
	Consumers int     `json:"consumers"`
	Capacity  int     `json:"capacity"`
	Duration  string  `json:"duration"`        // per run (saturation runs: when Items is 0)
	Items     int     `json:"items,omitempty"` // per saturation run
	Rate      float64 `json:"rate,omitempty"`  // events/s offered in the rate phase
	Sample    int     `json:"sample,omitempty"`
	Rounds    int     `json:"rounds"`
	Layout    string  `json:"layout"` // lfqueue slot layout of the lfqueue forms
	// The service phase's settings (absent when it did not run).
	Service *serviceConfig `json:"service,omitempty"`
}

type serviceConfig struct {
	Clients      int    `json:"clients"`
	Workers      int    `json:"workers"`
	Work         string `json:"work"`          // the -work value
	MultiplyAdds int    `json:"multiply_adds"` // per event
	Duration     string `json:"duration"`      // per run
	Rounds       int    `json:"rounds"`
}

type machine struct {
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
}

// spread is a median with its minimum and maximum.
type spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func toSpread(s regime.Spread) spread { return spread{s.Median, s.Min, s.Max} }

// ratioSummary summarizes the per-round ratios to the channel.
type ratioSummary struct {
	spread
	// Paired counts the rounds that gave a ratio; Unpaired the rounds
	// whose two runs ran in different regimes.
	Paired   int `json:"paired"`
	Unpaired int `json:"unpaired"`
	// Above counts the paired rounds with a ratio above 1.
	Above int `json:"above"`
	// OfMedians, given only when no round paired, is the median of the
	// implementation's runs over the median of the channel's: runs of
	// different rounds or regimes, so weaker evidence than a paired ratio.
	OfMedians *float64 `json:"of_medians,omitempty"`
}

// pairRatios divides each point of a by the channel's point ch of the same
// round, when both ran in the same regime. It returns the ratios by round
// and their summary; when no round paired and both medians are positive,
// the summary has the ratio of the medians instead.
func pairRatios(a, ch []regime.Point) (map[int]float64, *ratioSummary) {
	// A channel's figure that is not positive (a failed run) divides
	// nothing: those rounds count as unpaired.
	ch = slices.DeleteFunc(slices.Clone(ch), func(p regime.Point) bool { return p.Value <= 0 })
	ratios, unpaired, err := regime.Ratios(a, ch)
	if err != nil {
		panic(err) // one run per round by construction
	}
	byRound := map[int]float64{}
	sum := &ratioSummary{spread: toSpread(regime.RatioSpread(ratios)), Paired: len(ratios), Unpaired: unpaired}
	for _, q := range ratios {
		byRound[q.Round] = q.Value
		if q.Value > 1 {
			sum.Above++
		}
	}
	if len(ratios) == 0 {
		med := func(ps []regime.Point) float64 {
			xs := make([]float64, len(ps))
			for i, p := range ps {
				xs[i] = p.Value
			}
			return regime.SpreadOf(xs).Median
		}
		if x, y := med(a), med(ch); x > 0 && y > 0 {
			r := x / y
			sum.OfMedians = &r
		}
	}
	return byRound, sum
}

// result is one implementation in one phase, over all rounds.
type result struct {
	Impl        string `json:"impl"`
	Description string `json:"description"`
	Phase       string `json:"phase"`
	// ItemsPerSec: events popped per second of each run, over the rounds.
	ItemsPerSec spread `json:"items_per_sec"`
	// OfferedPerSec (rate phase): events pushed per second of the
	// producers' run, over the rounds.
	OfferedPerSec *spread `json:"offered_per_sec,omitempty"`
	// RatioToChannel (saturation phase) summarizes the per-round ratios;
	// absent when the channel was not run.
	RatioToChannel *ratioSummary `json:"ratio_to_channel,omitempty"`
	// Pushed and Popped are summed over the rounds.
	Pushed uint64 `json:"pushed"`
	Popped uint64 `json:"popped"`
	// Backpressure counts pushes that found the queue full.
	Backpressure  uint64  `json:"backpressure"`
	AllocsPerItem float64 `json:"allocs_per_item"`
	// Handoff latency of the timestamped events over all rounds (rate
	// phase), in nanoseconds; Samples is their number.
	Samples     uint64      `json:"samples,omitempty"`
	HandoffP50  int64       `json:"handoff_p50_ns,omitempty"`
	HandoffP99  int64       `json:"handoff_p99_ns,omitempty"`
	HandoffP999 int64       `json:"handoff_p999_ns,omitempty"`
	HandoffMax  int64       `json:"handoff_max_ns,omitempty"`
	HandoffMean int64       `json:"handoff_mean_ns,omitempty"`
	Rounds      []runRecord `json:"rounds"`
	// Problems lists the failed self-checks; OK is true when there are none.
	Problems []string `json:"problems,omitempty"`
	OK       bool     `json:"ok"`

	handoff lfmetrics.LatencySnapshot
	mallocs uint64
}

// runRecord is one run.
type runRecord struct {
	Round         int     `json:"round"`
	Pushed        uint64  `json:"pushed"`
	Popped        uint64  `json:"popped"`
	Seconds       float64 `json:"seconds"`
	ItemsPerSec   float64 `json:"items_per_sec"`
	OfferedPerSec float64 `json:"offered_per_sec,omitempty"`
	// RatioToChannel is ItemsPerSec over the channel's run of the same
	// round (saturation phase), null when the two runs' regimes differ.
	RatioToChannel *float64 `json:"ratio_to_channel"`
	Backpressure   uint64   `json:"backpressure"`
	// Regime and the probe it was classified from; CPUPerWall is the
	// run's own process CPU time per wall time.
	Regime          regime.Regime `json:"regime"`
	RoundTripNS     float64       `json:"round_trip_ns"`
	ProbeCPUPerWall float64       `json:"probe_cpu_per_wall"`
	CPUPerWall      float64       `json:"cpu_per_wall"`
}

// add folds in one run, checking it.
func (r *result) add(round int, ph phase, rr runResult) {
	r.Phase = ph.String()
	rj := runRecord{
		Round:           round,
		Pushed:          rr.pushed,
		Popped:          rr.popped,
		Seconds:         rr.elapsed.Seconds(),
		ItemsPerSec:     rr.itemsPerSec,
		Backpressure:    rr.backpressure,
		Regime:          rr.regime,
		RoundTripNS:     float64(rr.probe.RoundTrip.Nanoseconds()),
		ProbeCPUPerWall: rr.probe.CPUPerWall,
		CPUPerWall:      rr.cpuPerWall,
	}
	if ph == offered {
		rj.OfferedPerSec = rr.offeredPerSec
	}
	r.Rounds = append(r.Rounds, rj)
	r.Pushed += rr.pushed
	r.Popped += rr.popped
	r.Backpressure += rr.backpressure
	r.mallocs += rr.mallocs
	r.handoff = r.handoff.Add(rr.handoff)
	r.Samples += rr.stamped
	if rr.pushed != rr.popped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: pushed %d, popped %d (lfmetrics)", round, rr.pushed, rr.popped))
	}
	if rr.consumed != rr.popped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: consumers popped %d, lfmetrics counted %d", round, rr.consumed, rr.popped))
	}
	if rr.handoff.Count != rr.stamped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: %d handoff latencies recorded for %d timestamped events", round, rr.handoff.Count, rr.stamped))
	}
	if rr.sumPushed != rr.sumPopped {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: sum of IDs pushed %d, popped %d", round, rr.sumPushed, rr.sumPopped))
	}
}

// points returns the per-round items/s of r, for regime.Ratios.
func (r *result) points() []regime.Point {
	ps := make([]regime.Point, len(r.Rounds))
	for i, rd := range r.Rounds {
		ps[i] = regime.Point{Round: rd.Round, Regime: rd.Regime, Value: rd.ItemsPerSec}
	}
	return ps
}

func newReport(cfg *config, sat, rate []*result, service []*serviceResult) *report {
	rep := &report{
		Config: reportConfig{
			Producers: cfg.producers,
			Consumers: cfg.consumers,
			Capacity:  cfg.capacity,
			Duration:  cfg.duration.String(),
			Items:     cfg.items,
			Rate:      cfg.rate,
			Rounds:    cfg.rounds,
			Layout:    cfg.layout,
		},
		Machine: machine{
			GoVersion:  runtime.Version(),
			GOOS:       runtime.GOOS,
			GOARCH:     runtime.GOARCH,
			NumCPU:     runtime.NumCPU(),
			GOMAXPROCS: runtime.GOMAXPROCS(0),
		},
		Saturation: sat,
		Rate:       rate,
		Service:    service,
		OK:         true,
	}
	if len(service) > 0 {
		rep.Config.Service = &serviceConfig{
			Clients:      cfg.clients,
			Workers:      cfg.workers,
			Work:         cfg.workName,
			MultiplyAdds: cfg.work,
			Duration:     cfg.serviceDuration.String(),
			Rounds:       cfg.serviceRounds,
		}
		summarizeService(service)
		for _, r := range service {
			rep.OK = rep.OK && r.OK
		}
		rep.ServiceVerdict = serviceVerdict(service, cfg)
	}
	if cfg.rate > 0 {
		rep.Config.Sample = cfg.sample
	}
	var ch *result
	for _, r := range slices.Concat(sat, rate) {
		rates := make([]float64, len(r.Rounds))
		offers := make([]float64, len(r.Rounds))
		for i, rd := range r.Rounds {
			rates[i] = rd.ItemsPerSec
			offers[i] = rd.OfferedPerSec
		}
		r.ItemsPerSec = toSpread(regime.SpreadOf(rates))
		if r.Phase == offered.String() {
			s := toSpread(regime.SpreadOf(offers))
			r.OfferedPerSec = &s
			r.HandoffP50 = int64(r.handoff.Quantile(0.50))
			r.HandoffP99 = int64(r.handoff.Quantile(0.99))
			r.HandoffP999 = int64(r.handoff.Quantile(0.999))
			r.HandoffMax = int64(r.handoff.Max)
			r.HandoffMean = int64(r.handoff.Mean())
		}
		if r.Popped > 0 {
			r.AllocsPerItem = float64(r.mallocs) / float64(r.Popped)
		}
		if r.Popped == 0 {
			r.Problems = append(r.Problems, "no events went through")
		}
		r.OK = len(r.Problems) == 0
		rep.OK = rep.OK && r.OK
	}
	for _, r := range sat {
		if r.Impl == "chan" {
			ch = r
		}
	}
	if ch != nil {
		for _, r := range sat {
			r.RatioToChannel = pairWith(r, ch)
		}
	}
	rep.Verdict = verdict(sat, rate, cfg)
	return rep
}

// pairWith sets each run's ratio to the channel's run of its round (when
// both ran in one regime) and returns their summary.
func pairWith(r, ch *result) *ratioSummary {
	byRound, sum := pairRatios(r.points(), ch.points())
	for i := range r.Rounds {
		if x, ok := byRound[r.Rounds[i].Round]; ok {
			r.Rounds[i].RatioToChannel = &x
		}
	}
	return sum
}

// verdict is the last line: what the saturation runs showed about each of
// lfkit's queues against the channel, how consistently, and in which
// regimes; and the rate phase's p99 latencies.
func verdict(sat, rate []*result, cfg *config) string {
	if len(sat) == 0 && len(rate) == 0 {
		return ""
	}
	var parts []string
	for _, r := range sat {
		if !isLFKit(r.Impl) || r.RatioToChannel == nil {
			continue
		}
		x, how := compared(r.RatioToChannel, cfg.rounds, "more", "less")
		parts = append(parts, fmt.Sprintf("%s moved %s the channel's items/s, %s", r.Impl, x, how))
	}
	var lat []string
	for _, r := range rate {
		lat = append(lat, fmt.Sprintf("%s %s", r.Impl, fmtDur(r.HandoffP99)))
	}
	line := strings.Join(parts, "; ")
	if len(lat) > 0 {
		if line != "" {
			line += ". "
		}
		line += fmt.Sprintf("At %s events/s offered, p99 handoff: %s", fmtRate(cfg.rate), strings.Join(lat, ", "))
	}
	if line == "" {
		line = "no lfkit queue was compared with the channel"
	}
	regimes := regimeCounts(slices.Concat(sat, rate))
	if few := cfg.rounds < 3 && len(sat) > 0; few {
		regimes += "; fewer than 3 rounds: rerun with -rounds 5 for a firmer answer"
	}
	if regimes == "" {
		return line + "."
	}
	return line + ". Runs by regime: " + regimes + "."
}

// serviceVerdict is the service phase's line: what its runs showed about
// each of lfkit's queues against the channel, and how consistently.
func serviceVerdict(rs []*serviceResult, cfg *config) string {
	var parts []string
	var regs []regime.Regime
	for _, r := range rs {
		for _, rd := range r.Rounds {
			regs = append(regs, rd.Regime)
		}
		if !isLFKit(r.Impl) || r.AcceptedToChannel == nil {
			continue
		}
		x, how := compared(r.AcceptedToChannel, cfg.serviceRounds, "more", "fewer")
		y, how99 := compared(r.P99ToChannel, cfg.serviceRounds, "higher", "lower")
		parts = append(parts, fmt.Sprintf("%s accepted %s the channel's req/s, %s, and its p99 push→pop was %s the channel's, %s",
			r.Impl, x, how, y, how99))
	}
	line := "no lfkit queue was compared with the channel"
	if len(parts) > 0 {
		line = strings.Join(parts, "; ")
	}
	return fmt.Sprintf("Service (%d clients, %d workers, %s work, GOMAXPROCS %d): %s. Runs by regime: %s.",
		cfg.clients, cfg.workers, cfg.workName, runtime.GOMAXPROCS(0), line, countRegimes(regs))
}

// compared puts a ratio summary in words: the ratio (the median and range
// of the paired rounds, or the ratio of medians marked unpaired), and how
// consistently the rounds showed it, in rounds rounds, saying above (for
// ratios above 1) or below (for the others): "1.70× (1.50–2.00×)" and
// "more in all 4 rounds".
func compared(s *ratioSummary, rounds int, above, below string) (ratio, how string) {
	switch {
	case s.Paired == 0 && s.OfMedians == nil:
		return "an unknown multiple of", "with no run to compare"
	case s.Paired == 0:
		return fmtX(*s.OfMedians), "comparing medians (unpaired: in no round did both run in the same regime)"
	case s.Paired == 1:
		ratio = fmtX(s.Median)
	default:
		ratio = fmt.Sprintf("%s (%s)", fmtX(s.Median), fmtRange(s.Min, s.Max))
	}
	if s.Above != 0 && s.Above != s.Paired {
		of := fmt.Sprintf("of %d rounds", rounds)
		if s.Paired < rounds {
			of = fmt.Sprintf("of the %d rounds where both ran in the same regime", s.Paired)
		}
		return ratio, fmt.Sprintf("%s in %d and %s in %d %s: no clear difference", above, s.Above, below, s.Paired-s.Above, of)
	}
	word := above
	if s.Above == 0 {
		word = below
	}
	switch {
	case s.Paired == rounds && rounds == 1:
		how = "in the one round"
	case s.Paired == rounds && rounds == 2:
		how = "in both rounds"
	case s.Paired == rounds:
		how = fmt.Sprintf("in all %d rounds", rounds)
	case s.Paired == 1:
		how = fmt.Sprintf("in the only round of %d where both ran in the same regime", rounds)
	case s.Paired == 2:
		how = fmt.Sprintf("in the 2 rounds where both ran in the same regime (of %d)", rounds)
	default:
		how = fmt.Sprintf("in all %d rounds where both ran in the same regime (of %d)", s.Paired, rounds)
	}
	return ratio, word + " " + how
}

// regimeCounts tells how many runs ran in each regime, e.g. "12 near, 4 far".
func regimeCounts(rs []*result) string {
	var regs []regime.Regime
	for _, r := range rs {
		for _, rd := range r.Rounds {
			regs = append(regs, rd.Regime)
		}
	}
	return countRegimes(regs)
}

// countRegimes tells how many of regs are of each regime, e.g. "12 near, 4 far".
func countRegimes(regs []regime.Regime) string {
	n := map[regime.Regime]int{}
	for _, g := range regs {
		n[g]++
	}
	var parts []string
	for _, g := range regime.Regimes {
		if n[g] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[g], g))
		}
	}
	return strings.Join(parts, ", ")
}

func fmtX(x float64) string { return fmt.Sprintf("%.2f×", x) }

func fmtRange(lo, hi float64) string { return fmt.Sprintf("%.2f–%.2f×", lo, hi) }

func (rep *report) writeTables(w io.Writer) {
	c := rep.Config
	fmt.Fprintf(w, "lfbench: capacity %d; %s %s/%s, %d CPUs, GOMAXPROCS %d\n", c.Capacity,
		rep.Machine.GoVersion, rep.Machine.GOOS, rep.Machine.GOARCH, rep.Machine.NumCPU, rep.Machine.GOMAXPROCS)
	polling := ""
	if len(rep.Saturation) > 0 {
		run := c.Duration + " per run"
		if c.Items > 0 {
			run = fmt.Sprintf("%d events per run", c.Items)
		}
		fmt.Fprintf(w, "\nSaturation: %d producers push as fast as the queue takes events, %d consumers pop; %s, %d rounds; no clock read per event.\n",
			c.Producers, c.Consumers, run, c.Rounds)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "impl\titems/s (min–max)\tx chan (min–max)\tpaired\tbackpressure\tallocs/item\tcheck\t")
		for _, r := range rep.Saturation {
			ratio, paired := fmtRatio(r.RatioToChannel), "-"
			if s := r.RatioToChannel; s != nil {
				paired = fmt.Sprintf("%d/%d", s.Paired, s.Paired+s.Unpaired)
				if r.Impl == "chan" {
					ratio = "reference"
				}
			}
			fmt.Fprintf(tw, "%s\t%s (%s–%s)\t%s\t%s\t%d\t%.3f\t%s\t\n",
				implCell(r.Impl, &polling), fmtRate(r.ItemsPerSec.Median), fmtRate(r.ItemsPerSec.Min), fmtRate(r.ItemsPerSec.Max),
				ratio, paired, r.Backpressure, r.AllocsPerItem, check(r))
		}
		tw.Flush()

		names := make([]string, len(rep.Saturation))
		for j, r := range rep.Saturation {
			names[j] = r.Impl
		}
		writeRounds(w, "Each run's regime, and its items/s ÷ the channel's in the same round (only when both ran in one regime):",
			names, c.Rounds, func(i, j int) string {
				r := rep.Saturation[j]
				rd := r.Rounds[i]
				switch {
				case rd.RatioToChannel != nil && r.Impl != "chan":
					return fmt.Sprintf("%s %s", fmtX(*rd.RatioToChannel), rd.Regime)
				case rd.RatioToChannel == nil && r.RatioToChannel != nil:
					return fmt.Sprintf("%s (unpaired)", rd.Regime)
				}
				return fmt.Sprintf("%s %s", fmtRate(rd.ItemsPerSec), rd.Regime)
			})
	}
	if len(rep.Rate) > 0 {
		fmt.Fprintf(w, "\nHandoff latency at %s events/s offered (producer offers → consumer holds), %s per run;\n"+
			"timestamped: the 1st and every %dth event of each producer; all rounds:\n", fmtRate(c.Rate), c.Duration, c.Sample)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "impl\toffered/s\tsamples\tp50\tp99\tp99.9\tmax\tregimes\tcheck\t")
		for _, r := range rep.Rate {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
				implCell(r.Impl, &polling), fmtRate(r.OfferedPerSec.Median), r.Samples,
				fmtDur(r.HandoffP50), fmtDur(r.HandoffP99), fmtDur(r.HandoffP999), fmtDur(r.HandoffMax),
				regimeCounts([]*result{r}), check(r))
		}
		tw.Flush()
	}
	if polling != "" {
		fmt.Fprintf(w, "* %s\n", pollNoteLine(polling))
	}
	if len(rep.Service) > 0 {
		rep.writeService(w)
	}
	fmt.Fprintf(w, "\n%s\n", regimeNote)
	if rep.Verdict != "" {
		fmt.Fprintf(w, "\n%s\n", rep.Verdict)
	}
	if rep.ServiceVerdict != "" {
		fmt.Fprintf(w, "\n%s\n", rep.ServiceVerdict)
	}
}

// writeService writes the service phase's tables.
func (rep *report) writeService(w io.Writer) {
	sc := rep.Config.Service
	fmt.Fprintf(w, "\nService: %d keep-alive clients POST a JSON event each to a net/http server on loopback, whose handler\n"+
		"decodes it and offers it to the queue without waiting (202, or 503 when full); %d workers pop, %d multiply-adds\n"+
		"per event (-work %s). %s per run, %d rounds; push→pop from the handler's push to a worker's pop, medians over\n"+
		"the rounds; CPU/req: the whole process's CPU time (clients, server, workers) per accepted request.\n",
		sc.Clients, sc.Workers, sc.MultiplyAdds, sc.Work, sc.Duration, sc.Rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "impl\taccepted/s (min–max)\treq/s x chan (min–max)\tp50\tp99\tp99 x chan (min–max)\tp99.9\tCPU/req\tCPU x chan (min–max)\t503s\tpaired\tcheck\t")
	for _, r := range rep.Service {
		acc, p99, cpu, paired := fmtRatio(r.AcceptedToChannel), fmtRatio(r.P99ToChannel), fmtRatio(r.CPUToChannel), "-"
		if s := r.AcceptedToChannel; s != nil {
			paired = fmt.Sprintf("%d/%d", s.Paired, s.Paired+s.Unpaired)
			if r.Impl == "chan" {
				acc, p99, cpu = "reference", "reference", "reference"
			}
		}
		fmt.Fprintf(tw, "%s\t%s (%s–%s)\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n",
			r.Impl, fmtRate(r.AcceptedPerSec.Median), fmtRate(r.AcceptedPerSec.Min), fmtRate(r.AcceptedPerSec.Max), acc,
			fmtDur(int64(r.P50NS)), fmtDur(int64(r.P99NS)), p99, fmtDur(int64(r.P999NS)),
			fmtDur(int64(r.CPUPerRequestNS)), cpu, r.Rejected, paired, serviceCheck(r))
	}
	tw.Flush()

	names := make([]string, len(rep.Service))
	for j, r := range rep.Service {
		names[j] = r.Impl
	}
	writeRounds(w, "Each service run's regime, and its accepted req/s and p99 ÷ the channel's in the same round (only when both ran in one regime):",
		names, sc.Rounds, func(i, j int) string {
			r := rep.Service[j]
			rd := r.Rounds[i]
			switch {
			case rd.AcceptedToChannel != nil && rd.P99ToChannel != nil && r.Impl != "chan":
				return fmt.Sprintf("%s p99 %s %s", fmtX(*rd.AcceptedToChannel), fmtX(*rd.P99ToChannel), rd.Regime)
			case rd.AcceptedToChannel == nil && r.AcceptedToChannel != nil:
				return fmt.Sprintf("%s (unpaired)", rd.Regime)
			}
			return fmt.Sprintf("%s/s p99 %s %s", fmtRate(rd.AcceptedPerSec), fmtDur(rd.P99NS), rd.Regime)
		})
}

// writeRounds writes a table of rounds (rows) by implementations (columns,
// named names) under title; cell(i, j) is round i+1 of implementation j.
func writeRounds(w io.Writer, title string, names []string, rounds int, cell func(i, j int) string) {
	fmt.Fprintf(w, "\n%s\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "round\t"+strings.Join(names, "\t")+"\t")
	for i := range rounds {
		line := fmt.Sprint(i + 1)
		for j := range names {
			line += "\t" + cell(i, j)
		}
		fmt.Fprintln(tw, line+"\t")
	}
	tw.Flush()
}

// fmtRatio formats a ratio summary for a table: the median and range of
// the paired rounds, the ratio of medians marked unpaired when no round
// paired, or "-" when there is none.
func fmtRatio(s *ratioSummary) string {
	switch {
	case s == nil:
		return "-"
	case s.Paired > 0:
		return fmt.Sprintf("%s (%s)", fmtX(s.Median), fmtRange(s.Min, s.Max))
	case s.OfMedians != nil:
		return fmtX(*s.OfMedians) + " unpaired"
	}
	return "-"
}

// implCell is the name of an implementation in a table, marked with a
// star when its consumers poll; *polling is set to its name then, for the
// note under the tables.
func implCell(name string, polling *string) string {
	i := slices.IndexFunc(impls, func(im impl) bool { return im.name == name })
	if i < 0 || !impls[i].polls {
		return name
	}
	*polling = name
	return name + "*"
}

func serviceCheck(r *serviceResult) string {
	if r.OK {
		return "ok"
	}
	return "FAILED"
}

func check(r *result) string {
	if r.OK {
		return "ok"
	}
	return "FAILED"
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

// finished reports the end of a run that counted n of what over elapsed:
// a plain line when not on a terminal.
func (p *progress) finished(label, what string, n uint64, elapsed time.Duration) {
	if !p.enabled {
		return
	}
	if p.tty {
		p.clear()
		return
	}
	var rate float64
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(n) / s
	}
	p.line(fmt.Sprintf("%s: done, %d %s in %.2fs, %s/s", label, n, what, elapsed.Seconds(), fmtRate(rate)))
}
