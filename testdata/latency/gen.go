//go:build ignore

// gen writes the reference latency distributions of this directory. The
// files are committed; rerun only to change them, from the repository root:
//
//	go run testdata/latency/gen.go
//
// The generator is seeded, so a rerun writes the same files.
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const samples = 4000

type dist struct {
	name, about string
	draw        func(r *rand.Rand) time.Duration
}

func lognormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

var dists = []dist{
	{"lognormal-1ms", "log-normal service latency: median 1ms, sigma 0.8",
		func(r *rand.Rand) time.Duration { return lognormal(r, time.Millisecond, 0.8) }},
	{"bimodal-cache", "cache hits and misses: 90% log-normal around 40µs (sigma 0.3), 10% around 15ms (sigma 0.5)",
		func(r *rand.Rand) time.Duration {
			if r.IntN(10) == 0 {
				return lognormal(r, 15*time.Millisecond, 0.5)
			}
			return lognormal(r, 40*time.Microsecond, 0.3)
		}},
	{"pareto-tail", "heavy tail: Pareto with scale 200µs and shape 1.2, plus 0.25% stalls of 1h15m to 3h (past MaxTrackable, 2^42-1 ns)",
		func(r *rand.Rand) time.Duration {
			if r.IntN(400) == 0 {
				return 75*time.Minute + time.Duration(r.Int64N(int64(105*time.Minute)))
			}
			return time.Duration(float64(200*time.Microsecond) / math.Pow(1-r.Float64(), 1/1.2))
		}},
	{"small-ns", "nanosecond-scale values: uniform over 0..499 ns, where the first 64 buckets are exact",
		func(r *rand.Rand) time.Duration { return time.Duration(r.IntN(500)) }},
}

func main() {
	dir := filepath.Join("testdata", "latency")
	for i, d := range dists {
		r := rand.New(rand.NewPCG(uint64(i+1), 2026))
		var b strings.Builder
		fmt.Fprintf(&b, "# %s\n# %d durations in nanoseconds, one per line; written by gen.go (seeded).\n", d.about, samples)
		for range samples {
			fmt.Fprintln(&b, int64(d.draw(r)))
		}
		if err := os.WriteFile(filepath.Join(dir, d.name+".txt"), []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
