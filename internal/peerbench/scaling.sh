#!/usr/bin/env bash
# scaling.sh — sweep GOMAXPROCS over the handoff and counter workloads and
# chart throughput against cores.
#
#   internal/peerbench/scaling.sh                     # 3 rounds, 300ms per benchmark
#   ROUNDS=1 BENCHTIME=10ms OUT=/tmp/s internal/peerbench/scaling.sh   # a smoke test (CI)
#
# GOMAXPROCS takes 1, 2, 4, 8, … up to the number of CPUs (and the number of
# CPUs itself): on a 2-CPU machine the points 1 and 2, on a 16-CPU machine
# 1, 2, 4, 8, 16. Workloads (see scaling_bench_test.go and
# metrics_bench_test.go):
#
#   ScaleHandoff  n producers → n consumers through one queue at GOMAXPROCS n:
#                 lfqueue, lfqueue-remap, xsync MPMCQueue, channel, mutex ring
#   Counter       n goroutines increment one counter: atomic.Int64,
#                 atomicx.Counter (and a per-goroutine handle), lfmetrics,
#                 a mutex-guarded int64, xsync.Counter, client_golang
#
# Each round runs the whole sweep once (one binary, -test.count 1), so the
# implementations interleave. Writes, in OUT (default results/):
#
#   scaling.txt          the raw output, with "# round N" lines
#   scaling-handoff.svg  throughput vs cores, one line per implementation
#   scaling-counter.svg
#   scaling.md           the figures behind the charts, with sample regimes
#
# For a many-core machine: run it there (it needs only Go; the nested module
# fetches its dependencies), ideally with nothing else running, and keep
# scaling.md beside the charts: its machine line names the CPU.
#
# Environment: ROUNDS (3), BENCHTIME (300ms), CPUS (the sweep; default as
# above), OUT (results).
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-3}
BENCHTIME=${BENCHTIME:-300ms}
OUT=${OUT:-results}
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
if [ -z "${CPUS:-}" ]; then
	CPUS=1
	for ((n = 2; n < ncpu; n *= 2)); do CPUS="$CPUS,$n"; done
	[ "$ncpu" -gt 1 ] && CPUS="$CPUS,$ncpu"
fi

mkdir -p "$OUT"
raw=$OUT/scaling.txt
: > "$raw"
bin=$(mktemp -d)/peerbench.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" .
for i in $(seq 1 "$ROUNDS"); do
	echo "scaling: round $i/$ROUNDS, GOMAXPROCS $CPUS" >&2
	echo "# round $i" >> "$raw"
	"$bin" -test.run '^$' -test.bench '^Benchmark(ScaleHandoff|Counter)$' -test.benchmem \
		-test.count 1 -test.cpu "$CPUS" -test.benchtime "$BENCHTIME" >> "$raw"
done

cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^model name[[:space:]]*:[[:space:]]*//' || true)
[ -n "$cpu" ] || cpu=$(uname -m)
machine="$cpu, $ncpu CPUs, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
{
	echo "Scaling sweep on $machine: GOMAXPROCS $CPUS, $ROUNDS rounds, $BENCHTIME per benchmark (\`ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME internal/peerbench/scaling.sh\`)."
	go run ./cmd/scaleplot -out "$OUT" -machine "$machine" -ncpu "$ncpu" < "$raw"
} > "$OUT/scaling.md"
echo "wrote $raw, $OUT/scaling-handoff.svg, $OUT/scaling-counter.svg, $OUT/scaling.md" >&2
