#!/usr/bin/env bash
# lockfree-runs.sh — lfqueue.LockFree against Queue and a buffered channel on
# the workloads its targets are stated for, in interleaved rounds, each
# round a fresh process, plus the stall benchmark: what LockFree's
# strictness costs and what it buys.
#
#   internal/peerbench/lockfree-runs.sh          # ROUNDS rounds, then the table
#   internal/peerbench/lockfree-runs.sh table    # only the table, from the committed raw output
#
# Each round runs lfqueue's test binary once over BenchmarkLFPair (one
# goroutine, push then pop), BenchmarkLFHandoff1x1 and 2x2 (blocking Push
# and Pop, capacity 1024), BenchmarkLFOversubscribed (32 goroutines doing
# TryPush+TryPop pairs at GOMAXPROCS 2) and BenchmarkLFParallelPairs, at
# -cpu 2 with -benchmem; then the stall-injection build's BenchmarkLFStall
# (one goroutine stopped for 50 ms at each stall point, the wake path's
# included: the others' throughput in that window ÷ their throughput in the
# windows before and after it, where one goroutine is stopped between two
# calls instead), -benchtime 10x.
#
# Writes OUT/lockfree-runs.txt (the raw output, a "# round N" line before
# each round) and OUT/lockfree-runs.md: per workload, every round's ns/op
# with each sample's placement regime, LockFree ÷ Queue and LockFree ÷
# channel where the two samples ran in the same regime, and the median and
# range per regime; per stall point, stalled/free in every round.
#
# Environment: ROUNDS (5), BENCHTIME (500ms), OUT (results).
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-500ms}
OUT=${OUT:-results}
mkdir -p "$OUT"
raw=$OUT/lockfree-runs.txt

if [ "${1:-}" != table ]; then
	bindir=$(mktemp -d)
	trap 'rm -rf "$bindir"' EXIT
	(cd ../.. && go test -c -o "$bindir/lfqueue.test" ./lfqueue &&
		go test -c -tags lfkit_stall -o "$bindir/lfqueue-stall.test" ./lfqueue)
	: > "$raw"
	# The code measured: results directories do not count as changes.
	commit=unknown
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- ../.. ':(exclude)results' || echo ' (with uncommitted changes)')"
	fi
	echo "# commit $commit" >> "$raw"
	echo "# machine $(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^model name[[:space:]]*:[[:space:]]*//'), $(getconf _NPROCESSORS_ONLN) CPUs, $(go env GOVERSION)" >> "$raw"
	echo "# benchtime $BENCHTIME" >> "$raw"
	for i in $(seq 1 "$ROUNDS"); do
		echo "lockfree-runs: round $i/$ROUNDS" >&2
		echo "# round $i" >> "$raw"
		# From lfqueue's directory, as go test would run them.
		(cd ../../lfqueue &&
			"$bindir/lfqueue.test" -test.run '^$' -test.benchmem -test.cpu 2 -test.benchtime "$BENCHTIME" \
				-test.bench '^BenchmarkLF(Pair|Handoff1x1|Handoff2x2|Oversubscribed|ParallelPairs)$' &&
			"$bindir/lfqueue-stall.test" -test.run '^$' -test.cpu 2 -test.benchtime 10x \
				-test.bench '^BenchmarkLFStall$') | grep '^Benchmark' >> "$raw"
	done
fi

[ -s "$raw" ] || { echo "lockfree-runs: no $raw" >&2; exit 1; }
awk '
# reg is the placement regime of a sample, from the probe it took before it
# ran (internal/regime.Classify): turns when the probe got under 1.5 CPUs
# per wall second or a round trip of 2 µs or more; near below 250 ns; far
# otherwise; "1g" for a one-goroutine benchmark, which takes no probe. The
# sample'"'"'s own cpu/wall is not used: a blocking queue that parks lowers
# it itself.
function reg(rt, pcw) {
	if (rt == "") return "1g"
	if ((pcw != "" && pcw + 0 > 0 && pcw + 0 < 1.5) || rt + 0 >= 2000) return "turns"
	return (rt + 0 < 250) ? "near" : "far"
}
function sortv(w, m,    i, j, t) {
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
}
function med(w, m) { return (m % 2) ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2 }
# summary: "median x.xx (min–max, k rounds)" of the m values in w.
function summary(w, m) {
	if (m == 0) return "–"
	sortv(w, m)
	return sprintf("%.2f (%.2f–%.2f, %d)", med(w, m), w[1], w[m], m)
}
function fmtns(v) { return v == "" ? "–" : sprintf("%.1f", v) }
# metrics reads the "value unit" pairs of a benchmark line into m; mv(u) is
# the value of unit u, or "" if the line has none.
function metrics(   i) { delete m; for (i = 3; i < NF; i += 2) m[$(i+1)] = $i }
function mv(u) { return (u in m) ? m[u] : "" }
/^# benchtime / { benchtime = $3; next }
/^# commit / { commit = substr($0, 10); next }
/^# machine / { machine = substr($0, 11); next }
/^# round / { round = $3; rounds = round; next }
/^BenchmarkLFStall\// {
	name = $1; sub(/^BenchmarkLFStall\//, "", name); sub(/-[0-9]+$/, "", name)
	metrics(); sf = mv("stalled/free"); smin = mv("min-stalled/free")
	if (!(name in sseen)) { sseen[name] = 1; sorder[++nstall] = name }
	stall[name, round] = sf; sreg[name, round] = reg(mv("rt-ns"), mv("probe-cpu/wall"))
	if (smin != "" && (!((name) in lowest) || smin + 0 < lowest[name] + 0)) lowest[name] = smin
	next
}
/^BenchmarkLF/ {
	w = $1; sub(/^BenchmarkLF/, "", w); im = w; sub(/\/.*/, "", w); sub(/^[^\/]*\//, "", im); sub(/-[0-9]+$/, "", im)
	metrics(); al = mv("allocs/op")
	if (!(w in wseen)) { wseen[w] = 1; worder[++nw] = w }
	ns[w, im, round] = $3; rg[w, im, round] = reg(mv("rt-ns"), mv("probe-cpu/wall"))
	if (im == "LockFree" && al != "" && al + 0 > maxalloc[w]) maxalloc[w] = al + 0
	if (im == "LockFree" && al != "") hasalloc[w] = 1
}
END {
	target["Pair"] = "≤ 2.5× Queue and ≤ 1.0× the channel"
	target["Handoff1x1"] = "≤ 1.0× the channel, in every regime"
	target["Handoff2x2"] = "≤ 1.0× the channel, in every regime"
	target["Oversubscribed"] = "≤ 1.0× Queue"
	target["ParallelPairs"] = "none (GOMAXPROCS goroutines each doing TryPush+TryPop pairs)"
	print "LockFree against Queue and a buffered channel (capacity 1024, `int`) on the workloads of its targets: `internal/peerbench/lockfree-runs.sh`, " rounds " round" (rounds == 1 ? "" : "s") ", each a fresh process of lfqueue'"'"'s test binary at `-cpu 2 -benchtime " benchtime "`" (commit != "" ? "; code measured: commit " commit : "") (machine != "" ? "; machine: " machine : "") ". ns per op (a pair for Pair, Oversubscribed and ParallelPairs; an item for the handoffs). Regime: the placement probe before each sample (*near*/*far*: both vCPUs ran at once, a cache-line round trip below/above 250 ns; *turns*: the probe found the vCPUs taking turns; *1g*: one goroutine, no probe). A ratio divides samples of one round in one regime; the summary gives, per regime, the median (min–max, rounds)."
	for (k = 1; k <= nw; k++) {
		w = worder[k]
		printf "\n**%s** — target: %s", w, target[w]
		if (hasalloc[w]) printf "; LockFree allocs/op, most in any round: %d", maxalloc[w]
		printf "\n\n| round | LockFree | regime | Queue | regime | channel | regime | LockFree ÷ Queue | LockFree ÷ channel |\n|---|---|---|---|---|---|---|---|---|\n"
		delete nq; delete nc; nrq = 0; nrc = 0; delete rq; delete rc
		for (r = 1; r <= rounds; r++) {
			l = ns[w, "LockFree", r]; q = ns[w, "Queue", r]; c = ns[w, "chan", r]
			lr = rg[w, "LockFree", r]; qr = rg[w, "Queue", r]; cr = rg[w, "chan", r]
			xq = "–"; xc = "–"
			if (l != "" && q != "") {
				if (lr == qr) { xq = sprintf("%.2f", l / q); nq[lr]++; vq[lr, nq[lr]] = l / q; if (!(lr in rq)) { rq[lr] = 1; oq[++nrq] = lr } }
				else xq = "– (" lr "/" qr ")"
			}
			if (l != "" && c != "") {
				if (lr == cr) { xc = sprintf("%.2f", l / c); nc[lr]++; vc[lr, nc[lr]] = l / c; if (!(lr in rc)) { rc[lr] = 1; oc[++nrc] = lr } }
				else xc = "– (" lr "/" cr ")"
			}
			printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", r, fmtns(l), lr, fmtns(q), qr, fmtns(c), cr, xq, xc
		}
		line = ""
		for (j = 1; j <= nrq; j++) { g = oq[j]; delete t; for (i = 1; i <= nq[g]; i++) t[i] = vq[g, i]; line = line sprintf("%s%s %s", line == "" ? "" : "; ", g, summary(t, nq[g])) }
		printf "\nLockFree ÷ Queue: %s.", line == "" ? "no round paired" : line
		line = ""
		for (j = 1; j <= nrc; j++) { g = oc[j]; delete t; for (i = 1; i <= nc[g]; i++) t[i] = vc[g, i]; line = line sprintf("%s%s %s", line == "" ? "" : "; ", g, summary(t, nc[g])) }
		printf " LockFree ÷ channel: %s.\n", line == "" ? "no round paired" : line
	}
	if (nstall) {
		printf "\n**Stall** (`BenchmarkLFStall`, `-tags lfkit_stall -benchtime 10x`): three goroutines do TryPush+TryPop pairs; in each of 10 windows of about 50 ms one of them is stopped at the point, and the others'"'"' pairs per second in it (over the time it was stopped) are divided by their mean rate in the windows just before and after, where one goroutine is stopped between two calls instead (holding nothing, so both kinds of window run two goroutines). A round'"'"'s figure is the median of its 10 ratios; the last column is the lowest single window of any round, which says more of the host than of the queue: its placement of the vCPUs can triple the rate, or cut it to a third, from one window to the next. LockFree'"'"'s target is ≥ 0.9 at every point. Queue stops a push between claiming its slot and publishing it, where Queue is not lock-free, and shares LockFree'"'"'s wake path (wake-claimed: a push stopped after claiming a parked Pop'"'"'s wakeup; there a fourth goroutine loops on Pop, parked through a stalled window and held between two calls through a free one). Points the benchmark does not reach: the catchups (they need an empty or full ring), Close, and the stash takeover; the stall test stops a goroutine at each of them.\n\n"
		printf "| point |"; for (r = 1; r <= rounds; r++) printf " round %d |", r; printf " least round | least window |\n|---|"; for (r = 1; r <= rounds; r++) printf "---|"; printf "---|---|\n"
		for (k = 1; k <= nstall; k++) {
			p = sorder[k]; mn = ""
			printf "| %s |", p
			for (r = 1; r <= rounds; r++) {
				v = stall[p, r]
				if (v == "") { printf " – |"; continue }
				printf " %.3f (%s) |", v, sreg[p, r]
				if (mn == "" || v + 0 < mn + 0) mn = v
			}
			printf " %s | %s |\n", mn == "" ? "–" : sprintf("%.3f", mn), (p in lowest) ? sprintf("%.3f", lowest[p]) : "–"
		}
	}
}' "$raw" > "$OUT/lockfree-runs.md"
echo "wrote $OUT/lockfree-runs.md" >&2
