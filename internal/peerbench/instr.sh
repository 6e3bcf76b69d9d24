#!/usr/bin/env bash
# instr.sh — instructions per operation for the single-goroutine queue
# workloads (Pair and Burst), counted with valgrind's callgrind: a figure
# that, unlike ns/op, does not move when other processes share the cores.
# It says nothing about contention or cache misses; read it beside the
# timed tables of run.sh, not instead of them.
#
#   internal/peerbench/instr.sh        # writes results/instr.md
#
# Each benchmark runs twice under callgrind, with N1 and N2 iterations
# (-test.benchtime Nx); (Ir(N2) − Ir(N1)) / (N2 − N1) cancels the start-up
# cost. GODEBUG=asyncpreemptoff=1 because callgrind cannot follow Go's
# preemption signals. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "instr.sh: valgrind not found" >&2; exit 1; }

N1=${N1:-100000}
N2=${N2:-300000}
mkdir -p results
bin=results/peerbench-instr.test
go test -c -o "$bin" .
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$bin"' EXIT

irs() { # benchmark regexp, iterations → total instructions
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
		"$bin" -test.run '^$' -test.bench "$1" -test.benchtime "$2x" -test.cpu 1 >"$tmp/log" 2>&1 ||
		{ cat "$tmp/log" >&2; exit 1; }
	grep -m1 '^summary:' "$tmp/cg.out" | awk '{print $2}'
}

out=results/instr.md
{
	echo "Instructions per operation (callgrind, \`internal/peerbench/instr.sh\`, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)); one goroutine, so no contention."
	echo
	echo "| workload | elem | impl | instructions/op |"
	echo "|---|---|---|---|"
} > "$out"
for fam in Pair Burst; do
	for elem in int 64B; do
		impls=$("$bin" -test.run '^$' -test.bench "^Benchmark$fam\$/^elem=$elem\$" -test.benchtime 1x -test.cpu 1 |
			sed -n "s|^Benchmark$fam/elem=$elem/impl=\([^ \t]*\).*|\1|p")
		for im in $impls; do
			re="^Benchmark$fam\$/^elem=$elem\$/^impl=$im\$"
			a=$(irs "$re" "$N1")
			b=$(irs "$re" "$N2")
			per=$(awk -v a="$a" -v b="$b" -v n1="$N1" -v n2="$N2" 'BEGIN { printf "%.1f", (b - a) / (n2 - n1) }')
			echo "$fam $elem $im $per" >&2
			echo "| $fam | $elem | $im | $per |" >> "$out"
		done
	done
done
echo "wrote $out" >&2
