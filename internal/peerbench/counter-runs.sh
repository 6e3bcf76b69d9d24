#!/usr/bin/env bash
# counter-runs.sh — atomicx.Counter against a shared atomic.Int64, in
# separate fresh processes: contended figures on a shared host move from one
# process to the next (placement, the Counter's random hash), so the spread
# over many processes says more than any one of them.
#
#   internal/peerbench/counter-runs.sh          # RUNS processes per case, then the table
#   internal/peerbench/counter-runs.sh table    # only the table, from the committed raw output
#
# Cases: -cpu 2 with GOMAXPROCS goroutines (par=1) and with 4×GOMAXPROCS
# (par=4, oversubscribed), and -cpu 1 with one goroutine (the Counter
# against a lone atomic add). Each process is atomicx's test binary running
# BenchmarkCounterAdd/par=P for atomic.Int64, Counter (start=new,
# start=striped, start=collided) and the per-goroutine padded floor, at
# -benchtime 3000000x. The goroutines of one benchmark each run a fixed
# share of b.N (no shared iteration counter: see internal/parallel).
#
# Writes OUT/counter-runs.txt (the raw output, a "# case cpu=C par=P run=I"
# line before each process) and OUT/counter-runs.md (every run's ratio,
# Counter start=new ÷ atomic.Int64 in the same process, with each sample's
# placement regime, and the median and range per case).
#
# Environment: RUNS (10), OUT (results).
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-10}
OUT=${OUT:-results}
mkdir -p "$OUT"
raw=$OUT/counter-runs.txt

if [ "${1:-}" != table ]; then
	bindir=$(mktemp -d)
	trap 'rm -rf "$bindir"' EXIT
	(cd ../.. && go test -c -o "$bindir/atomicx.test" ./atomicx)
	: > "$raw"
	for c in "2 1" "2 4" "1 1"; do
		set -- $c
		echo "counter-runs: -cpu $1 par=$2, $RUNS processes" >&2
		for i in $(seq 1 "$RUNS"); do
			echo "# case cpu=$1 par=$2 run=$i" >> "$raw"
			"$bindir/atomicx.test" -test.run '^$' -test.benchmem \
				-test.bench "^BenchmarkCounterAdd\$/^par=$2\$/^impl=(atomic.Int64|Counter|per-goroutine-padded)\$" \
				-test.cpu "$1" -test.benchtime 3000000x >> "$raw"
		done
	done
fi

[ -s "$raw" ] || { echo "counter-runs: no $raw" >&2; exit 1; }
awk '
# reg is the placement regime of a sample (internal/regime.Classify): 1p at
# GOMAXPROCS 1; turns when the probe got under 1.5 CPUs per wall second (a
# share of 0 or none is "not measured") or a round trip of 2 µs or more;
# near below 250 ns; far otherwise. A sample whose own run got under 1.5
# CPUs per wall second (cpu/wall) is "serial" whatever the probe saw: its
# goroutines ran one CPU at a time, so no word of it was contended.
function reg(rt, pcw, cw) {
	if (cpu == 1) return "1p"
	if (cw != "–" && cw + 0 < 1.5) return "serial"
	if (rt == "–") return "?"
	if ((pcw != "–" && pcw + 0 > 0 && pcw + 0 < 1.5) || rt + 0 >= 2000) return "turns"
	return (rt + 0 < 250) ? "near" : "far"
}
# summary prints the median and range of the m values in w[1..m] (sorted in place).
function summary(w, m,    i, j, t) {
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
	return sprintf("median %.2f, range %.2f–%.2f over %d runs", (m % 2) ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2, w[1], w[m], m)
}
function flush() {
	if (key == "" || !("atomic.Int64" in ns) || !("Counter/start=new" in ns)) return
	r = ns["Counter/start=new"] / ns["atomic.Int64"]
	n[key]++; ratio[key, n[key]] = r
	ra = reg(rt["atomic.Int64"], pcw["atomic.Int64"], cw["atomic.Int64"]); rc = reg(rt["Counter/start=new"], pcw["Counter/start=new"], cw["Counter/start=new"])
	if (cpu == 1 || (ra != "serial" && rc != "serial")) { nc[key]++; cratio[key, nc[key]] = r }
	row[key, n[key]] = sprintf("| %d | %.2f | %s | %.2f | %s | %.2f | %.2f | %.2f | **%.2f** |", run, ns["atomic.Int64"], ra, ns["Counter/start=new"], rc, ns["Counter/start=striped"], ns["Counter/start=collided"], ns["per-goroutine-padded"], r)
	if (!(key in seen)) { seen[key] = 1; order[++nkeys] = key }
}
/^# case / {
	flush(); delete ns; delete rt; delete pcw; delete cw
	split($3, a, "="); split($4, b, "="); split($5, d, "="); cpu = a[2]
	key = "-cpu " a[2] ", " (b[2] == 1 ? "GOMAXPROCS goroutines (par=1)" : "4×GOMAXPROCS goroutines (par=" b[2] ")"); run = d[2]
	next
}
/^Benchmark/ {
	name = $1; sub(/.*impl=/, "", name); sub(/-[0-9]+$/, "", name)
	ns[name] = $3; rt[name] = "–"; pcw[name] = "–"; cw[name] = "–"
	for (i = 4; i < NF; i++) {
		if ($(i+1) == "rt-ns") rt[name] = $i
		if ($(i+1) == "cpu/wall") cw[name] = $i
		if ($(i+1) == "probe-cpu/wall") pcw[name] = $i
	}
}
END {
	flush()
	print "Counter.Add (a new Counter) ÷ a shared `atomic.Int64.Add`, one increment per op, each run a fresh process (`internal/peerbench/counter-runs.sh`; BenchmarkCounterAdd in atomicx at `-benchtime 3000000x`). ns/op. Regime: the placement probe taken before each sample (*near*/*far*: both vCPUs ran at once, a cache-line round trip below/above 250 ns; *turns*: the probe found the vCPUs taking turns, when a shared word is hardly contended; *serial*: the sample itself got under 1.5 CPUs per wall second, so its goroutines ran one at a time and nothing was contended, whatever the probe found; *1p*: GOMAXPROCS 1); the raw output has the probe figures. The floor is a counter of its own per goroutine; striped and collided are Counters that had striped before the run, under a random hash and with every goroutine forced onto one stripe."
	for (k = 1; k <= nkeys; k++) {
		key = order[k]; m = n[key]
		for (i = 1; i <= m; i++) v[i] = ratio[key, i]
		line = "Counter ÷ atomic " summary(v, m)
		if (nc[key] != m) {
			for (i = 1; i <= nc[key]; i++) v[i] = cratio[key, i]
			line = line "; over the " nc[key] " runs where neither sample was serial: " (nc[key] ? summary(v, nc[key]) : "none")
		}
		printf "\n**%s**: %s\n\n", key, line
		print "| run | atomic ns | regime | Counter ns | regime | striped ns | collided ns | floor ns | Counter ÷ atomic |"
		print "|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= m; i++) print row[key, i]
	}
}' "$raw" > "$OUT/counter-runs.md"
echo "wrote $OUT/counter-runs.md" >&2
