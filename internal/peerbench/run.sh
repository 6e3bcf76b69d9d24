#!/usr/bin/env bash
# run.sh — run lfkit's peer benchmarks in interleaved rounds and regenerate
# BENCHMARKS.md at the repository root, the one place where measured figures
# live.
#
#   REGEN=1 internal/peerbench/run.sh   # no run: regenerate the tables and
#                                       # BENCHMARKS.md from the committed results (CI checks this)
#   internal/peerbench/run.sh           # 6 rounds, 1s per benchmark, everything: ~35 min
#   QUICK=1 internal/peerbench/run.sh   # 6 rounds, 150ms: the whole pipeline in ~12 min
#   ROUNDS=2 BENCHTIME=20ms OUT=/tmp/p BENCHMARKS=/tmp/B.md internal/peerbench/run.sh  # a smoke test
#   BENCH='Pair|SPSC' LFBENCH=0 SCALING=0 BENCHMARKS= internal/peerbench/run.sh    # a subset, tables only
#   BENCH='^Benchmark(MPMC|Mixed|Service|RoundTrip)$' ROUNDS=5 LFBENCH=0 SCALING=0 BENCHMARKS= OUT=/tmp/wait \
#       internal/peerbench/run.sh   # a wait-policy change: saturated and busy-process shapes in one run
#
# Steps, each writing into OUT (default results/):
#
#   1. The peer benchmarks: each round runs the whole suite once (one test
#      binary, -test.count 1) at -cpu 1,2 and appends to out.txt after a
#      "# round N" line, so implementations are interleaved: drift of a
#      shared machine hits every one of them alike, which -count 6 (six
#      samples of one benchmark back to back) would not give. Every
#      contended benchmark probes its regime first (internal/regime).
#      cmd/benchtable turns out.txt into table.md: a row per regime, and
#      ratios only between samples of one round and one regime; and into
#      vs.md: every lfkit ratio to the channel, the mutex ring and xsync's
#      MPMCQueue (not only to the best peer), under the same rule. The
#      load benchmarks (Mixed; Service, not in the default set) get their
#      own tables: throughput and p99 per implementation, and lfkit's
#      ratios to the channel.
#   2. lfbench (LFBENCH=1): the default run and -producers 8 -consumers 8
#      (lfbench.txt, lfbench-8x8.txt), and the service phase alone at
#      GOMAXPROCS 1, 2 and 4 with light work and at 2 with CPU-bound work
#      (lfbench-service-*.txt).
#   3. The scaling sweep (SCALING=1): scaling.sh, GOMAXPROCS 1, 2, 4, … up
#      to the CPU count (scaling.txt, scaling-*.svg, scaling.md).
#   4. atomicx.Counter in fresh processes (COUNTERRUNS=1): counter-runs.sh,
#      10 processes per case (counter-runs.txt, counter-runs.md).
#   5. lfqueue.LockFree on the workloads of its targets (LFRUNS=1):
#      lockfree-runs.sh, ROUNDS rounds at BENCHTIME (lockfree-runs.txt,
#      lockfree-runs.md).
#   6. BENCHMARKS.md (BENCHMARKS, default ../../BENCHMARKS.md; empty: not
#      written): the machine, the commands, the regimes, the tables,
#      lfbench's output and the charts, all from the files in OUT. With
#      REGEN=1, steps 1 to 5 are skipped and this step (with the tables of
#      steps 1, 4 and 5) runs on the results already in OUT.
#   provenance.txt records the commit, the machine, the command, the times
#   and the load averages.
#
# Environment: ROUNDS (6), BENCHTIME (1s; QUICK=1: 150ms), BENCH (the suite),
# CPUS (1,2), OUT (results), LFBENCH (1), SCALING (1), COUNTERRUNS (1), LFRUNS (1), SCALE_ROUNDS (3;
# QUICK: 2), SCALE_BENCHTIME (300ms; QUICK: 200ms), BENCHMARKS
# (../../BENCHMARKS.md), REGEN (0).
set -euo pipefail
cd "$(dirname "$0")"

if [ "${QUICK:-0}" = 1 ]; then
	: "${BENCHTIME:=150ms}" "${SCALE_ROUNDS:=2}" "${SCALE_BENCHTIME:=200ms}"
fi
ROUNDS=${ROUNDS:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-'^Benchmark(Counter|Latency|Pair|ParallelPairs|SPSC|MPMC|MPMC8x8|Burst|Mixed|Service|RoundTrip)$'}
CPUS=${CPUS:-1,2}
OUT=${OUT:-results}
LFBENCH=${LFBENCH:-1}
SCALING=${SCALING:-1}
COUNTERRUNS=${COUNTERRUNS:-1}
LFRUNS=${LFRUNS:-1}
SCALE_ROUNDS=${SCALE_ROUNDS:-3}
SCALE_BENCHTIME=${SCALE_BENCHTIME:-300ms}
BENCHMARKS=${BENCHMARKS-../../BENCHMARKS.md}
REGEN=${REGEN:-0}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
prov=$OUT/provenance.txt
out=$OUT/out.txt
if [ "$REGEN" != 1 ]; then
	# The commit, checked before this run writes anything: changes under OUT
	# (an earlier run's results) do not count as changes to the code measured.
	top=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
	exclude=()
	case "$OUT/" in "$top"/*) exclude=(":(exclude)$OUT") ;; esac
	commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- "$top" "${exclude[@]}" 2>/dev/null || echo ' (with uncommitted changes)')"
	cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^model name[[:space:]]*:[[:space:]]*//' || true)
	[ -n "$cpu" ] || cpu=$(uname -m)
	ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
	{
		echo "commit: $commit"
		echo "machine: $cpu, $ncpu CPUs, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
		echo "ncpu: $ncpu"
		echo "command: ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME CPUS=$CPUS LFBENCH=$LFBENCH SCALING=$SCALING COUNTERRUNS=$COUNTERRUNS LFRUNS=$LFRUNS internal/peerbench/run.sh"
		echo "start: $(date -u '+%Y-%m-%d %H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')"
	} > "$prov"

	: > "$out"
	# An earlier run's outputs that this run may not write again.
	rm -f "$OUT/benchstat.txt" "$OUT/benchstat.csv" "$OUT"/lfbench*.txt \
		"$OUT/scaling.txt" "$OUT/scaling.md" "$OUT"/scaling-*.svg "$OUT"/counter-runs.* "$OUT"/lockfree-runs.*
	bindir=$(mktemp -d)
	trap 'rm -rf "$bindir"' EXIT
	go test -c -o "$bindir/peerbench.test" . # build once; every round runs the same binary
	for i in $(seq 1 "$ROUNDS"); do
		echo "peerbench: round $i/$ROUNDS" >&2
		echo "# round $i" >> "$out"
		"$bindir/peerbench.test" -test.run '^$' -test.bench "$BENCH" -test.benchmem \
			-test.count 1 -test.cpu "$CPUS" -test.benchtime "$BENCHTIME" >> "$out"
	done
	echo "peerbench end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"


	if [ "$LFBENCH" = 1 ]; then
		echo "lfbench: default run, then 8 producers × 8 consumers" >&2
		(cd ../.. && go build -o "$bindir/lfbench" ./internal/cmd/lfbench)
		"$bindir/lfbench" -progress=false > "$OUT/lfbench.txt"
		"$bindir/lfbench" -progress=false -producers 8 -consumers 8 > "$OUT/lfbench-8x8.txt"
		for p in 1 2 4; do
			echo "lfbench: service phase at GOMAXPROCS $p" >&2
			GOMAXPROCS=$p "$bindir/lfbench" -progress=false -service-only -service-rounds 5 -service-duration 1s > "$OUT/lfbench-service-p$p.txt"
		done
		echo "lfbench: service phase, CPU-bound work" >&2
		GOMAXPROCS=2 "$bindir/lfbench" -progress=false -service-only -service-rounds 5 -service-duration 1s -work cpu > "$OUT/lfbench-service-p2-cpu.txt"
		echo "lfbench end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
	fi
	if [ "$SCALING" = 1 ]; then
		ROUNDS=$SCALE_ROUNDS BENCHTIME=$SCALE_BENCHTIME OUT=$OUT ./scaling.sh
		echo "scaling end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
	fi
	if [ "$COUNTERRUNS" = 1 ]; then
		OUT=$OUT ./counter-runs.sh
		echo "counter runs end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
	fi
	if [ "$LFRUNS" = 1 ]; then
		OUT=$OUT ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME ./lockfree-runs.sh
		echo "lockfree runs end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
	fi
	echo "end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
fi

# The tables, from out.txt and what provenance.txt says of the machine.
field() { sed -n "s/^$1: //p" "$prov" | head -1; }
machine=$(field machine)
ncpu=$(field ncpu)
cmd=$(field command)
go run ./cmd/benchtable -machine "$machine" -cmd "$cmd" -ncpu "$ncpu" < "$out" > "$OUT/table.md"
go run ./cmd/benchtable -vs chan,mutexring,xsync-mpmc -ncpu "$ncpu" < "$out" > "$OUT/vs.md"
if [ -s "$OUT/counter-runs.txt" ]; then
	OUT=$OUT ./counter-runs.sh table
fi
if [ -s "$OUT/lockfree-runs.txt" ]; then
	OUT=$OUT ./lockfree-runs.sh table
fi

[ -n "$BENCHMARKS" ] || { echo "wrote $OUT (no BENCHMARKS.md)" >&2; exit 0; }
# BENCHMARKS.md. Paths in it are relative to the repository root.
rel=internal/peerbench/$(basename "$OUT")
fence() { echo '```'; cat "$1"; echo '```'; }
{
	echo "# lfkit benchmarks"
	echo
	echo "<!-- Generated by internal/peerbench/run.sh from $rel; do not edit by hand. -->"
	echo
	echo "Every measured figure of lfkit lives here. Machine: $machine. Code measured: commit $(field commit), $(field start | sed 's/ load:.*//')."
	echo "Regenerate with \`$cmd\` (about 35 minutes; \`REGEN=1 internal/peerbench/run.sh\` rebuilds this file from the committed results without running anything)."
	echo
	echo "The machines here have 2 shared vCPUs, and contended figures move with where the host places them. Each contended sample records its *placement regime*, probed before it ran: *near* or *far*, both vCPUs ran at once with a cache-line round trip below or above 250 ns; *turns*, the vCPUs took turns (the probe got less than 1.5 CPUs per wall second, or a round trip of 2 µs or more); *1p*, GOMAXPROCS=1. A ratio divides two samples of the same round and the same regime (*paired*), so that no figure of one placement is divided by one of another; where no round paired, the ratio of medians is marked unpaired. On this machine \`-cpu 2\` shows contention between two cores, not many-core scaling: run the same commands on a larger machine for that."
	if [ -s "$OUT/lfbench-service-p2.txt" ]; then
		echo
		echo "## A queue behind an HTTP server (lfbench, service phase)"
		echo
		echo "What users live with: 16 keep-alive clients post JSON events to a \`net/http\` server on loopback whose handler offers each to the queue (503 when full), and 4 workers pop them. Each run checks that every accepted event was processed exactly once."
		for f in p1 p2 p4 p2-cpu; do
			[ -s "$OUT/lfbench-service-$f.txt" ] || continue
			p=${f%%-*}; p=${p#p}
			case $f in *-cpu) w=" -work cpu" ;; *) w="" ;; esac
			echo
			echo "\`GOMAXPROCS=$p go run ./internal/cmd/lfbench -service-only -service-rounds 5 -service-duration 1s$w\`:"
			echo
			fence "$OUT/lfbench-service-$f.txt"
		done
	fi
	echo
	echo "## Microbenchmarks against peers (internal/peerbench)"
	echo
	cat "$OUT/table.md"
	echo
	echo "### Every lfkit ratio to each peer"
	echo
	cat "$OUT/vs.md"
	if [ -s "$OUT/lfbench.txt" ]; then
		echo
		echo "## The ingestion pipeline (lfbench, default run)"
		echo
		echo "\`go run ./internal/cmd/lfbench\`:"
		echo
		fence "$OUT/lfbench.txt"
		echo
		echo "The original system's 8 threads (\`go run ./internal/cmd/lfbench -producers 8 -consumers 8\`; on 2 vCPUs, oversubscribed):"
		echo
		fence "$OUT/lfbench-8x8.txt"
	fi
	if [ -s "$OUT/counter-runs.md" ]; then
		echo
		echo "## atomicx.Counter in fresh processes"
		echo
		cat "$OUT/counter-runs.md"
	fi
	if [ -s "$OUT/lockfree-runs.md" ]; then
		echo
		echo "## LockFree: what strictness costs and buys"
		echo
		cat "$OUT/lockfree-runs.md"
	fi
	if [ -s "$OUT/scaling.md" ]; then
		echo
		echo "## Scaling"
		echo
		echo "$(head -1 "$OUT/scaling.md" | sed 's/\.$//'). This machine gives only the 1- and 2-core points; on a machine with more cores \`internal/peerbench/scaling.sh\` draws the full curves (GOMAXPROCS 1, 2, 4, … up to the CPU count)."
		echo
		echo "![handoff throughput vs cores]($rel/scaling-handoff.svg) ![counter throughput vs cores]($rel/scaling-counter.svg)"
		tail -n +2 "$OUT/scaling.md"
	fi
} > "$BENCHMARKS"
echo "wrote $BENCHMARKS" >&2
