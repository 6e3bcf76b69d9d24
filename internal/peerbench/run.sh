#!/usr/bin/env bash
# run.sh — run lfkit's peer benchmarks and regenerate the README tables.
#
#   internal/peerbench/run.sh                  # 6 rounds, 1s per benchmark: ~30 min
#   ROUNDS=3 BENCHTIME=200ms internal/peerbench/run.sh   # a quick look
#   BENCH='Pair|SPSC' internal/peerbench/run.sh          # a subset
#
# Each round runs the whole suite once (go test -count 1) at -cpu 1,2 and
# appends to results/out.txt, so implementations are interleaved: drift of
# a shared machine hits every one of them alike, which -count 6 (six
# samples of one benchmark back to back) would not give. Then:
#
#   results/benchstat.txt  benchstat -col /impl: implementations side by side
#   results/benchstat.csv  benchstat -format csv: the medians and intervals
#   results/table.md       the README "Performance" tables, generated from
#                          benchstat.csv by cmd/benchtable (never hand-edit)
#
# Environment: ROUNDS (6), BENCHTIME (1s), BENCH (.), CPUS (1,2),
# BENCHSTAT (go run golang.org/x/perf/cmd/benchstat@latest).
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-.}
CPUS=${CPUS:-1,2}
BENCHSTAT=${BENCHSTAT:-go run golang.org/x/perf/cmd/benchstat@latest}

mkdir -p results
out=results/out.txt
: > "$out"

go test -c -o results/peerbench.test . # build once; every round runs the same binary
for i in $(seq 1 "$ROUNDS"); do
	echo "round $i/$ROUNDS" >&2
	results/peerbench.test -test.run '^$' -test.bench "$BENCH" -test.benchmem \
		-test.count 1 -test.cpu "$CPUS" -test.benchtime "$BENCHTIME" >> "$out"
done
rm -f results/peerbench.test

cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^model name[[:space:]]*:[[:space:]]*//' || true)
[ -n "$cpu" ] || cpu=$(uname -m)
machine="$cpu, $(nproc) cores, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
cmd="ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME internal/peerbench/run.sh"

$BENCHSTAT -col /impl "$out" > results/benchstat.txt
$BENCHSTAT -format csv "$out" > results/benchstat.csv 2>/dev/null # footnotes: see benchstat.txt
go run ./cmd/benchtable -machine "$machine" -cmd "$cmd" < results/benchstat.csv > results/table.md

echo "machine: $machine" >&2
echo "wrote results/out.txt, results/benchstat.txt, results/benchstat.csv, results/table.md" >&2
