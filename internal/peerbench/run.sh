#!/usr/bin/env bash
# run.sh — run lfkit's peer benchmarks in interleaved rounds and regenerate
# the README "Performance" section.
#
#   internal/peerbench/run.sh           # 6 rounds, 1s per benchmark, everything: ~25 min
#   QUICK=1 internal/peerbench/run.sh   # 6 rounds, 150ms: the whole pipeline in ~9 min
#   ROUNDS=2 BENCHTIME=20ms OUT=/tmp/p README=/tmp/README.md internal/peerbench/run.sh  # a smoke test
#   BENCH='Pair|SPSC' LFBENCH=0 SCALING=0 README= internal/peerbench/run.sh     # a subset, tables only
#   BENCH='^Benchmark(MPMC|Mixed|Service|RoundTrip)$' ROUNDS=5 LFBENCH=0 SCALING=0 README= OUT=/tmp/wait \
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
#      (lfbench.txt, lfbench-8x8.txt).
#   3. The scaling sweep (SCALING=1): scaling.sh, GOMAXPROCS 1, 2, 4, … up
#      to the CPU count (scaling.txt, scaling-*.svg, scaling.md).
#   4. perf.md: the generated part of the README's Performance section
#      (machine, commands, the tables, lfbench's output, the charts), and,
#      when README names a file (default ../../README.md), spliced into it
#      between the lines "<!-- perf:begin -->" and "<!-- perf:end -->".
#      The prose around the markers is written by hand: reread it against
#      the new figures.
#   provenance.txt records the commit, the times and the load averages.
#
# Environment: ROUNDS (6), BENCHTIME (1s; QUICK=1: 150ms), BENCH (the suite),
# CPUS (1,2), OUT (results), LFBENCH (1), SCALING (1), SCALE_ROUNDS (3;
# QUICK: 2), SCALE_BENCHTIME (300ms; QUICK: 200ms), README (../../README.md;
# empty: do not splice).
set -euo pipefail
cd "$(dirname "$0")"

if [ "${QUICK:-0}" = 1 ]; then
	: "${BENCHTIME:=150ms}" "${SCALE_ROUNDS:=2}" "${SCALE_BENCHTIME:=200ms}"
fi
ROUNDS=${ROUNDS:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-'^Benchmark(Counter|Latency|Pair|ParallelPairs|SPSC|MPMC|MPMC8x8|Burst|Mixed|RoundTrip)$'}
CPUS=${CPUS:-1,2}
OUT=${OUT:-results}
LFBENCH=${LFBENCH:-1}
SCALING=${SCALING:-1}
SCALE_ROUNDS=${SCALE_ROUNDS:-3}
SCALE_BENCHTIME=${SCALE_BENCHTIME:-300ms}
README=${README-../../README.md}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
prov=$OUT/provenance.txt
# The commit, checked before this run writes anything: changes under OUT
# (an earlier run's results) do not count as changes to the code measured.
top=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
exclude=()
case "$OUT/" in "$top"/*) exclude=(":(exclude)$OUT") ;; esac
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- "$top" "${exclude[@]}" 2>/dev/null || echo ' (with uncommitted changes)')"
{
	echo "commit: $commit"
	echo "start: $(date -u '+%Y-%m-%d %H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')"
} > "$prov"

out=$OUT/out.txt
: > "$out"
rm -f "$OUT/benchstat.txt" "$OUT/benchstat.csv" # older runs' summaries: they mixed regimes
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

cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^model name[[:space:]]*:[[:space:]]*//' || true)
[ -n "$cpu" ] || cpu=$(uname -m)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
machine="$cpu, $ncpu CPUs, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
cmd="ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME internal/peerbench/run.sh"
go run ./cmd/benchtable -machine "$machine" -cmd "$cmd" -ncpu "$ncpu" < "$out" > "$OUT/table.md"
go run ./cmd/benchtable -vs chan,mutexring,xsync-mpmc -ncpu "$ncpu" < "$out" > "$OUT/vs.md"

if [ "$LFBENCH" = 1 ]; then
	echo "lfbench: default run, then 8 producers × 8 consumers" >&2
	(cd ../.. && go build -o "$bindir/lfbench" ./internal/cmd/lfbench)
	"$bindir/lfbench" -progress=false > "$OUT/lfbench.txt"
	"$bindir/lfbench" -progress=false -producers 8 -consumers 8 > "$OUT/lfbench-8x8.txt"
	echo "lfbench end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
fi
if [ "$SCALING" = 1 ]; then
	ROUNDS=$SCALE_ROUNDS BENCHTIME=$SCALE_BENCHTIME OUT=$OUT ./scaling.sh
	echo "scaling end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
fi

# perf.md: the generated part of the Performance section. Paths in it are
# relative to the repository root, where README.md is.
rel=internal/peerbench/$(basename "$OUT")
{
	echo "<!-- Generated by internal/peerbench/run.sh on $(date -u '+%Y-%m-%d %H:%M UTC'); do not edit by hand. -->"
	echo
	cat "$OUT/table.md"
	if [ "$LFBENCH" = 1 ]; then
		echo
		echo "**lfbench**, the ingestion pipeline (\`go run ./internal/cmd/lfbench\`, defaults):"
		echo
		echo '```'
		cat "$OUT/lfbench.txt"
		echo '```'
		echo
		echo "The original system's 8 threads (\`go run ./internal/cmd/lfbench -producers 8 -consumers 8\`; on 2 vCPUs, oversubscribed):"
		echo
		echo '```'
		cat "$OUT/lfbench-8x8.txt"
		echo '```'
	fi
	if [ "$SCALING" = 1 ]; then
		echo
		echo "**Scaling** ($(head -1 "$OUT/scaling.md" | sed 's/^Scaling sweep on //; s/\.$//')). This machine gives only the 1- and 2-core points; on a machine with more cores \`internal/peerbench/scaling.sh\` draws the full curves (GOMAXPROCS 1, 2, 4, … up to the CPU count)."
		echo
		echo "![handoff throughput vs cores]($rel/scaling-handoff.svg) ![counter throughput vs cores]($rel/scaling-counter.svg)"
		tail -n +2 "$OUT/scaling.md"
	fi
} > "$OUT/perf.md"

if [ -n "$README" ]; then
	if ! grep -q '^<!-- perf:begin -->$' "$README" || ! grep -q '^<!-- perf:end -->$' "$README"; then
		echo "run.sh: $README has no <!-- perf:begin --> / <!-- perf:end --> lines; not spliced" >&2
		exit 1
	fi
	awk -v gen="$OUT/perf.md" '
		/^<!-- perf:begin -->$/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
		/^<!-- perf:end -->$/   { skip = 0 }
		!skip { print }
	' "$README" > "$README.tmp" && mv "$README.tmp" "$README"
	echo "spliced $OUT/perf.md into $README" >&2
fi
echo "end: $(date -u '+%H:%M:%S UTC') load:$(uptime | sed 's/.*load average[s]*://')" >> "$prov"
echo "machine: $machine" >&2
echo "wrote $OUT: out.txt table.md vs.md perf.md provenance.txt$([ "$LFBENCH" = 1 ] && echo ' lfbench.txt lfbench-8x8.txt')$([ "$SCALING" = 1 ] && echo ' scaling.*')" >&2
