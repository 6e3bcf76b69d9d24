// Package benchfile reads the raw output of the peerbench suite as run.sh
// and scaling.sh write it: `go test -bench` lines, with a "# round N" line
// before each interleaved round. Each result becomes a Sample, classified
// into a regime (internal/regime) from the probe metrics the contended
// benchmarks report.
package benchfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

// Key names one benchmark: BenchmarkFamily/elem=E/impl=I-procs.
type Key struct {
	Family, Elem, Impl string
	Procs              int // GOMAXPROCS: the -N suffix, 1 without one
}

// Name is the benchmark's name without "Benchmark", as go test prints it.
func (k Key) Name() string {
	name := k.Family
	if k.Elem != "" {
		name += "/elem=" + k.Elem
	}
	name += "/impl=" + k.Impl
	if k.Procs != 1 {
		name += fmt.Sprintf("-%d", k.Procs)
	}
	return name
}

// A Sample is one benchmark result line.
type Sample struct {
	Key
	Round  int
	NsOp   float64
	Allocs float64 // allocs/op, 0 when not reported
	// Regime is classified from the line's rt-ns and probe-cpu/wall
	// metrics; regime.Uncontended for a line without them.
	Regime regime.Regime
	// Metrics holds every value of the line by unit (ns/op, rt-ns, …).
	Metrics map[string]float64
}

var procsSuffix = regexp.MustCompile(`-(\d+)$`)

// ParseName splits "Pair/elem=int/impl=lfqueue-2" (without "Benchmark").
func ParseName(name string) (Key, error) {
	k := Key{Procs: 1}
	if m := procsSuffix.FindStringSubmatch(name); m != nil {
		k.Procs, _ = strconv.Atoi(m[1])
		name = strings.TrimSuffix(name, m[0])
	}
	parts := strings.Split(name, "/")
	k.Family = parts[0]
	for _, p := range parts[1:] {
		switch {
		case strings.HasPrefix(p, "elem="):
			k.Elem = strings.TrimPrefix(p, "elem=")
		case strings.HasPrefix(p, "impl="):
			k.Impl = strings.TrimPrefix(p, "impl=")
		default:
			return k, fmt.Errorf("benchmark %q: unexpected part %q", name, p)
		}
	}
	if k.Impl == "" {
		return k, fmt.Errorf("benchmark %q has no impl=", name)
	}
	return k, nil
}

var roundLine = regexp.MustCompile(`^# round (\d+)\s*$`)

// Parse reads raw benchmark output taken on a machine with ncpu CPUs. Lines
// that are neither a round marker nor a benchmark result (goos:, PASS, …)
// are skipped. It is an error for a result to come before the first round
// marker, for rounds to go backwards, or for a benchmark to appear twice in
// one round.
func Parse(r io.Reader, ncpu int) ([]Sample, error) {
	var out []Sample
	round := 0
	seen := map[Key]int{} // the last round each benchmark was seen in
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if m := roundLine.FindStringSubmatch(text); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n <= round {
				return nil, fmt.Errorf("line %d: round %d after round %d", line, n, round)
			}
			round = n
			continue
		}
		if !strings.HasPrefix(text, "Benchmark") {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 4 || len(f)%2 != 0 {
			return nil, fmt.Errorf("line %d: not a benchmark result: %q", line, text)
		}
		k, err := ParseName(strings.TrimPrefix(f[0], "Benchmark"))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if round == 0 {
			return nil, fmt.Errorf("line %d: a result before the first \"# round N\" line", line)
		}
		if r, ok := seen[k]; ok && r == round {
			return nil, fmt.Errorf("line %d: %s twice in round %d", line, f[0], round)
		}
		seen[k] = round
		s := Sample{Key: k, Round: round, Metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %v", line, f[i+1], err)
			}
			s.Metrics[f[i+1]] = v
		}
		ns, ok := s.Metrics["ns/op"]
		if !ok {
			return nil, fmt.Errorf("line %d: no ns/op", line)
		}
		s.NsOp = ns
		s.Allocs = s.Metrics["allocs/op"]
		s.Regime = regime.Uncontended
		if rt, ok := s.Metrics["rt-ns"]; ok {
			s.Regime = regime.Classify(k.Procs, ncpu, time.Duration(rt), s.Metrics["probe-cpu/wall"])
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no benchmark results in the input (want go test -bench output with \"# round N\" lines)")
	}
	return out, nil
}
